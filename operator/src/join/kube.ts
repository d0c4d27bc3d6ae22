// The API calls of `govcloud join` and `unjoin`: server-side apply that says what it did,
// deletes by name, and errors that name the cluster and its address, never a stack trace.
import { InputError } from '../cli/command.ts';
import { ClusterClient, errorMessage, httpStatusOf, isNotFound } from '../runtime/index.ts';
import type { K8sObject } from '../install/manifests.ts';
import { JOIN_MANAGER, JOINED_LABEL } from './objects.ts';

export type Outcome = 'created' | 'configured' | 'unchanged' | 'kept' | 'deleted' | 'absent' | 'would apply';

export interface Step {
  cluster: 'hub' | 'member';
  kind: string;
  namespace?: string;
  name: string;
  outcome: Outcome;
  why?: string;
}

/** A cluster the command talks to: its role, its client and where it is. */
export class Target {
  readonly role: 'hub' | 'member';
  readonly client: ClusterClient;
  readonly server: string;

  constructor(role: 'hub' | 'member', file: string, context: string | undefined) {
    this.role = role;
    try {
      this.client = ClusterClient.fromFile(role, file, context);
    } catch (err) {
      throw new InputError(`the ${role} kubeconfig ${file}${context ? ` (context ${context})` : ''} cannot be used: ${errorMessage(err)}`);
    }
    const server = this.client.kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new InputError(`the ${role} kubeconfig ${file} has no current cluster${context ? ` for context ${context}` : ''}`);
    this.server = server;
  }

  get label(): string {
    return `${this.role} cluster ${this.client.kubeConfig.getCurrentContext()} (${this.server})`;
  }

  /** Turns any failure into one line naming this cluster, the call and the reason. */
  async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const status = httpStatusOf(err);
      const body = (err as { body?: { message?: unknown } }).body;
      const reason =
        status !== undefined
          ? `HTTP ${status}${typeof body?.message === 'string' ? `: ${body.message}` : ''}`
          : ((err as { cause?: { code?: string; message?: string } }).cause?.message ?? errorMessage(err));
      throw new InputError(`${this.label}: ${what}: ${reason}`);
    }
  }

  async path(obj: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): Promise<string> {
    return this.call(`finding the API of ${obj.kind}`, () =>
      this.client.resourcePath({
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      }),
    );
  }

  async get<T = K8sObject>(path: string, what: string): Promise<T | undefined> {
    return this.call(what, async () => {
      try {
        return await this.client.request<T>('GET', path);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    });
  }

  /**
   * Server-side apply under govcloud-join. An object that exists without JOINED_LABEL was not
   * made by join: it is left as it is ("kept"), so unjoin never removes what join did not create.
   */
  async apply(obj: K8sObject): Promise<Step> {
    const step = stepOf(this.role, obj);
    const path = await this.path(obj);
    const live = await this.get<K8sObject>(path, `reading ${describe(obj)}`);
    if (live && live.metadata.labels?.[JOINED_LABEL] !== obj.metadata.labels?.[JOINED_LABEL]) {
      return { ...step, outcome: 'kept', why: 'it exists and was not created by govcloud join for this data centre: left as it is' };
    }
    const after = await this.call(`applying ${describe(obj)}`, () =>
      this.client.request<K8sObject>('PATCH', path, {
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: JOIN_MANAGER, force: true },
        body: obj,
      }),
    );
    // The generation where there is one: the API server writes some objects' status on its own
    // (an admission policy's type checking), which changes their resourceVersion, not what join set.
    const version = (o: K8sObject | undefined) => {
      const m = o?.metadata as { resourceVersion?: string; generation?: number } | undefined;
      return m?.generation !== undefined ? `g${m.generation}` : m?.resourceVersion;
    };
    return { ...step, outcome: !live ? 'created' : version(live) === version(after) ? 'unchanged' : 'configured' };
  }

  /** Deletes the object if join made it (JOINED_LABEL = name). */
  async deleteJoined(obj: K8sObject, name: string): Promise<Step> {
    const step = stepOf(this.role, obj);
    const path = await this.path(obj);
    const live = await this.get<K8sObject>(path, `reading ${describe(obj)}`);
    if (!live) return { ...step, outcome: 'absent' };
    if (live.metadata.labels?.[JOINED_LABEL] !== name) return { ...step, outcome: 'kept', why: 'not created by govcloud join for this data centre' };
    await this.call(`deleting ${describe(obj)}`, async () => {
      try {
        await this.client.request('DELETE', path, { query: { propagationPolicy: 'Background' } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
    return { ...step, outcome: 'deleted' };
  }
}

export const describe = (obj: K8sObject): string => `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;

function stepOf(cluster: 'hub' | 'member', obj: K8sObject): Step {
  return { cluster, kind: obj.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}), outcome: 'would apply' };
}

export const stepText = (s: Step): string =>
  `${s.cluster}: ${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name} ${s.outcome}${s.why ? ` (${s.why})` : ''}`;
