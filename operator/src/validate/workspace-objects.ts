/**
 * Core objects a tenant keeps for its workspaces (Services, Secrets), judged offline by the
 * expressions of the admission policies every data centre enforces on them
 * (WORKSPACE_OBJECT_POLICIES in render/platform-objects.ts): one definition evaluated in both
 * places, so `govcloud validate` refuses what the API server refuses, with file and line.
 *
 * The policies hold in workspace namespaces only. A document whose namespace is a workspace
 * of an agency in the validated tree is refused as the API server would refuse it (an
 * error); one naming no namespace lands wherever it is applied, so a breach is a warning.
 */
import { workspaceNamespace } from '../api/index.ts';
import type { Platform } from '../model/platform.ts';
import { WORKSPACE_OBJECT_POLICIES, type WorkspaceObjectPolicy } from '../render/index.ts';
import { evaluateExpression } from './cel.ts';
import type { FieldProblem } from './path.ts';

/** The workspace policy judging documents of this apiVersion and kind, if any. */
export function workspacePolicyFor(apiVersion: string, kind: string): WorkspaceObjectPolicy | undefined {
  return apiVersion === 'v1' ? WORKSPACE_OBJECT_POLICIES.find((p) => p.kind === kind) : undefined;
}

/** What the policy's rules refuse in the object, each at the field it judges. */
export function checkWorkspaceObject(policy: WorkspaceObjectPolicy, object: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const rule of policy.rules) {
    const result = evaluateExpression(rule.expression, { object });
    if (!result.ok) {
      problems.push({
        path: [],
        message: `cannot check the rule ${JSON.stringify(rule.expression)} of ${policy.name} offline (${result.error}); this is a bug in govcloud's rules, please report it`,
      });
    } else if (!result.value) {
      problems.push({ path: [...rule.field], message: `${rule.message} (admission policy ${policy.name})` });
    }
  }
  return problems;
}

/** Every workspace namespace of the platform's agencies, in every data centre alike. */
export function workspaceNamespaces(platform: Platform): Set<string> {
  return new Set(platform.agencies.flatMap((a) => a.spec.workspaces.map((w) => workspaceNamespace(a.metadata.name, w.name))));
}

/** The object's namespace: a string, absent, or something else (then the API server refuses the document anyway). */
export function namespaceOf(object: unknown): string | undefined | null {
  const metadata = (object as { metadata?: unknown }).metadata;
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const ns = (metadata as { namespace?: unknown }).namespace;
  return ns === undefined ? undefined : typeof ns === 'string' ? ns : null;
}
