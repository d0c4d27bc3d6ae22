// The generated platform: the bench agencies on top of what the hub holds, checked by the
// platform's rules, rendered, and what they add per data centre; `--plan` without a cluster.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type {
  AccessGrant,
  AccessRequest,
  Agency,
  ConsolidationTarget,
  DataCentre,
  MigrationPlan,
  NetworkLink,
  SharedDataService,
} from '../operator/src/api/index.ts';
import { checkPlatform } from '../operator/src/model/rules.ts';
import { emptyPlatform, type Platform } from '../operator/src/model/platform.ts';
import { renderPlatform } from '../operator/src/render/index.ts';
import type { DesiredObject } from '../operator/src/render/index.ts';
import { BENCH_CAPACITY, BENCH_NAME, benchDataCentres, generateAgencies } from './agencies.ts';
import { CONFIG, G, OUT_DIR, ROOT } from './config.ts';
import type { Kube, Listed } from './kube.ts';
import { measureCommands } from './plan-commands.ts';

export function sampleDataCentres(): DataCentre[] {
  const dir = path.join(ROOT, 'samples', 'platform');
  return ['dc-hanoi.yaml', 'dc-hcm.yaml', 'dc-danang.yaml'].map((f) => parseYaml(readFileSync(path.join(dir, f), 'utf8')) as DataCentre);
}

export interface Generated {
  agencies: Agency[];
  /** The platform as the operator will see it: what is on the hub plus the bench agencies. */
  platform: Platform;
  /**
   * Per data centre: what the bench agencies add to the rendered platform, namespaces first:
   * every object that is new (the agencies' own, and what other owners render for them, e.g.
   * the consumers' egress policies of `default` services) or different (e.g. a service's
   * ingress policy that now admits them).
   */
  objects: Map<string, DesiredObject[]>;
  /** Objects that exist before and that the bench agencies change, as rendered without them (to restore). */
  changed: Map<string, DesiredObject[]>;
  stats: GeneratedStats;
}

/** The counts the bench prints itself are typed; the rest go to the result file as they are. */
export interface GeneratedStats {
  agencies: number;
  workspaces: number;
  objects: number;
  objectsPerDataCentre: Record<string, number>;
  [more: string]: unknown;
}

export const objectKey = (o: DesiredObject) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
export const ownerKind = (o: DesiredObject) => (o.metadata.labels['govcloud.dev/owner'] ?? '').split('.')[0] ?? '';

/** clusters: the data centres with a cluster to reach (default: every DataCentre of before). */
export function generate(run: string, before: Platform, clusters = before.dataCentres.map((d) => d.metadata.name)): Generated {
  const dataCentres = benchDataCentres(before.dataCentres, clusters);
  const agencies = generateAgencies({ count: CONFIG.agencies, seed: CONFIG.seed, run, deletionPolicy: 'Delete', dataCentres });
  const platform: Platform = { ...before, agencies: [...before.agencies, ...agencies] };
  const names = new Set(agencies.map((a) => a.metadata.name));
  const problems = checkPlatform(platform).filter((p) => p.severity === 'error' && p.object.kind === 'Agency' && names.has(p.object.metadata.name));
  if (problems.length > 0) {
    throw new Error(
      `the generated agencies break the platform's rules:\n${problems
        .slice(0, 10)
        .map((p) => `  Agency/${p.object.metadata.name} ${p.path.join('.')}: ${p.message}`)
        .join('\n')}`,
    );
  }
  const now = new Date();
  const without = renderPlatform(before, now);
  const rendered = renderPlatform(platform, now);
  const issues = rendered.issues.filter((i) => i.owner.kind === 'Agency' && names.has(i.owner.name));
  if (issues.length > 0)
    throw new Error(
      `the renderers refuse generated agencies:\n${issues
        .slice(0, 10)
        .map((i) => `  Agency/${i.owner.name}: ${i.reason}: ${i.message}`)
        .join('\n')}`,
    );
  const objects = new Map<string, DesiredObject[]>();
  const changed = new Map<string, DesiredObject[]>();
  const byKind: Record<string, number> = {};
  const byOwnerKind: Record<string, number> = {};
  const perDc: Record<string, number> = {};
  let changedCount = 0;
  for (const r of rendered.perDataCentre) {
    const old = new Map((without.perDataCentre.find((w) => w.dataCentre === r.dataCentre)?.objects ?? []).map((o) => [objectKey(o), o]));
    const delta: DesiredObject[] = [];
    const restore: DesiredObject[] = [];
    for (const o of r.objects) {
      const was = old.get(objectKey(o));
      if (was && JSON.stringify(was) === JSON.stringify(o)) continue;
      delta.push(o);
      if (was) restore.push(was);
      byKind[o.kind] = (byKind[o.kind] ?? 0) + 1;
      const ok = `${ownerKind(o)}${was ? ' (changed)' : ''}`;
      byOwnerKind[ok] = (byOwnerKind[ok] ?? 0) + 1;
    }
    delta.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
    objects.set(r.dataCentre, delta);
    changed.set(r.dataCentre, restore);
    changedCount += restore.length;
    perDc[r.dataCentre] = delta.length;
  }
  const levels: Record<string, number> = {};
  const placements: Record<string, number> = {};
  let workspaces = 0;
  for (const a of agencies) {
    levels[a.spec.securityLevel] = (levels[a.spec.securityLevel] ?? 0) + 1;
    const p = a.spec.placement.dataCentres.join('+');
    placements[p] = (placements[p] ?? 0) + 1;
    workspaces += a.spec.workspaces.length;
  }
  const total = Object.values(perDc).reduce((s, n) => s + n, 0);
  const others = { agencies: before.agencies.length, services: before.services.length, links: before.links.length };
  return {
    agencies,
    platform,
    objects,
    changed,
    stats: {
      agencies: agencies.length,
      workspaces,
      objects: total,
      changedObjects: changedCount,
      objectsPerDataCentre: perDc,
      byKind,
      byOwnerKind,
      levels,
      placements,
      alreadyOnTheHub: others,
    },
  };
}

/** Every govcloud object on the hub but the bench's agencies: the platform the bench adds to. */
export async function hubPlatform(hub: Kube): Promise<Platform> {
  const list = async <T extends { metadata: { deletionTimestamp?: unknown } }>(plural: string) =>
    (await hub.call<Listed<T>>('GET', `${G}/${plural}`)).items.filter((o) => !o.metadata.deletionTimestamp);
  return {
    dataCentres: await list<DataCentre>('datacentres'),
    agencies: (await list<Agency>('agencies')).filter((a) => !BENCH_NAME.test(a.metadata.name)),
    links: await list<NetworkLink>('networklinks'),
    services: await list<SharedDataService>('shareddataservices'),
    requests: await list<AccessRequest>('accessrequests'),
    grants: await list<AccessGrant>('accessgrants'),
    plans: await list<MigrationPlan>('migrationplans'),
    targets: await list<ConsolidationTarget>('consolidationtargets'),
  };
}

export function plan(): void {
  const dcs = sampleDataCentres().map((d) => ({ ...d, spec: { ...d.spec, capacity: { ...BENCH_CAPACITY } } }));
  const g = generate('plan', { ...emptyPlatform(), dataCentres: dcs });
  console.log(JSON.stringify(g.stats, null, 2));
  // The same files a GitOps repository would hold, checked as `govcloud validate` checks them.
  const dir = path.join(OUT_DIR, 'plan');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const d of dcs) writeFileSync(path.join(dir, `${d.metadata.name}.yaml`), stringifyYaml(d));
  for (const a of g.agencies) writeFileSync(path.join(dir, `${a.metadata.name}.yaml`), stringifyYaml(a));
  // validate, plan, plan --base and connectivity on these files, measured; any command that fails fails the bench.
  const runs = measureCommands(dir, CONFIG.agencies);
  if (runs.some((r) => r.exit !== 0)) process.exitCode = 1;
  console.log('\nfirst agencies:');
  for (const a of g.agencies.slice(0, 8)) {
    console.log(
      `  ${a.metadata.name.padEnd(30)} ${a.spec.code.padEnd(10)} L${a.spec.securityLevel} ${a.spec.placement.dataCentres.join(',').padEnd(26)} ${a.spec.workspaces
        .map((w) => w.name)
        .join(',')
        .padEnd(40)} ${a.spec.displayName}`,
    );
  }
}
