/**
 * `govcloud connectivity`: who can reach what, by Kubernetes NetworkPolicy semantics, from
 * YAML files (plain manifests, or govcloud objects rendered per data centre) or from a live
 * cluster. The evaluation is in operator/src/connectivity (pure); this file reads, prints.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { Evaluator } from '../../connectivity/evaluate.ts';
import { explain, formatExplanation, parsePortOption, partyLabel, resolveEnd, type Explanation } from '../../connectivity/explain.ts';
import {
  explainGateway,
  formatGatewayExplanation,
  gatewayModel,
  gatewayPaths,
  linksNaming,
  type GatewayExplanation,
  type GatewayModel,
} from '../../connectivity/gateway.ts';
import { crossDataCentre, platformViews, type CrossCell } from '../../connectivity/govcloud.ts';
import { AddressSet, parseCidr, type Cidr } from '../../model/ip.ts';
import type { Host } from '../../connectivity/model.ts';
import type { Party } from '../../connectivity/evaluate.ts';
import { type InputObject } from '../../connectivity/objects.ts';
import { MATRIX_HEADERS, matrixRows, matrixSummary, type RowGroup } from '../../connectivity/report.ts';
import { plainView, viewMatrix, type View } from '../../connectivity/view.ts';
import { formatProblem, type Problem } from '../../load/problem.ts';
import { ClusterClient, errorMessage, httpStatusOf, kubeListWatch, type ResourceDescriptor } from '../../runtime/index.ts';
import { validateLoaded } from '../../validate/index.ts';
import { parseNow, parseOptions } from '../args.ts';
import { loadFiles, problemsJson, problemsText } from '../check.ts';
import { InputError, UsageError, type Command } from '../command.ts';
import { EXIT, useColour, type Io } from '../io.ts';
import { paint, renderTable } from '../table.ts';
import { kubeProbeApi } from '../../connectivity/probe/kube.ts';
import {
  crossSummary,
  crossSummaryText,
  gatewaySummary,
  gatewaySummaryText,
  gatewayTable,
  SUMMARY_FIRST,
  summaryText,
  writeDetailJson,
} from './connectivity-output.ts';
import {
  DEFAULT_PROBE_IMAGE,
  EXIT_MISMATCH,
  ProbeAborted,
  probeJson,
  probeSettings,
  probeText,
  probeView,
  runProbeClient,
  runProbeServer,
  type ProbeSession,
} from './connectivity-probe.ts';

const USAGE = `Usage: govcloud connectivity PATH... [--data-centre NAME] [--now RFC3339]
                             [--explain SRC DST [--port PORT[/PROTO]]] [--output table|json]
                             [--detail [--all]]
                             [--host NAME=CIDR[,CIDR...]]...
       govcloud connectivity --kubeconfig FILE [--context NAME] [same options]
       govcloud connectivity --kubeconfig FILE [--context NAME] --probe [--workspace NS]...
                             [--image IMAGE] [--parallel N] [--timeout SECONDS]
                             [--closed-per-workspace N] [--connect-timeout MS] [--settle MS]
                             [--node-selector KEY=VALUE]... [--toleration KEY[=VALUE][:EFFECT]]...
                             [--output table|json] [--all]

Evaluates Kubernetes NetworkPolicies as Kubernetes does and shows which namespace
(workspace) can reach which destination: each Service port (through the pods it selects,
on the target port), each pod or workload no Service selects (on its container ports), and
external hosts. Workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob)
stand for one pod with their template's labels and ports; a namespace without pods stands
for one unlabelled pod.

govcloud.dev objects in the input are rendered first, as the operator would, and each data
centre is evaluated on its own; other data centres (datacentre/NAME, at their network
ranges), the external networks of links (network/NAME) and the internet are external hosts.
A workspace reaching a Service in another data centre is reported "via network range": its
egress reaches that data centre's range and the Service admits the sender's range. Limits:
the receiving side sees the whole sending data centre, not the workspace, so any workspace
there whose egress reaches the range on that port gets in; routing, firewalls and source
NAT between data centres are not modelled. An on-request service in another data centre, and
the Service a link between two agencies names there, are reached only through the exchange
gateways (DataCentre spec.exchangeGateway): such a path is reported "via gateway", from the
gateways' routes (a current AccessRequest and AccessGrant, or both links of a pair), with the
consumer gateway's listener, the grant or the links, and the end of the window; never from
network ranges. --explain with the two ends in different data centres prints the path through
both gateways, or what is missing (a request, a grant, a link, a window, a gateway).

Decisions where Kubernetes leaves the answer to the network plugin: ipBlock peers match
external hosts only, never pods; an IPv4-mapped IPv6 address is IPv6.

Options:
  --data-centre NAME     only this data centre (govcloud input); plain manifests given
                         beside govcloud objects run in this data centre
  --now RFC3339          the time validity windows are judged at (default: now)
  --explain SRC DST      the verdict per port between two ends and the policies that
                         decided it. An end is namespace/name (pod, workload or Service),
                         namespace, a host name (datacentre/NAME, internet) or an IP/CIDR;
                         a workspace and a Service in different data centres: the path via
                         the exchange gateways, or why there is none
  --port PORT[/PROTO]    with --explain: only this port (443, 53/UDP)
  --output table|json    table (default) or json
  --detail               every path, not the summary. Without it: per data centre the
                         number of paths by verdict, and the open paths grouped by
                         destination, port and verdict with the first sources named.
                         table: the open paths grouped by source namespace; json: every
                         source, destination, port, verdict and the deciding policies
                         (denied ones included), with identical cells aggregated: each
                         cell lists the sources and destinations (indexes) it stands for
  --all                  table: list denied paths too (implies --detail)
  --host NAME=CIDR,...   an external host to evaluate against (plain input; repeatable)
  --kubeconfig FILE      read Namespaces, Pods, workloads, Services and NetworkPolicies
                         from a live cluster instead of files
  --context NAME         the kubeconfig context (default: its current context)

Probing (--probe, with --kubeconfig): the prediction checked with real connections. Probe
pods (restricted Pod Security, labelled govcloud.dev/probe=RUN) stand in for the workloads:
a server per destination pod (its labels, listening on the destination's target ports, never
a Service endpoint) and a client per source workspace (the labels of one of its pods) that
connects to the servers' pod addresses over TCP and UDP and reports in its termination
message. Every pair predicted open is probed, and a sample of those predicted closed. The
pods are deleted afterwards, also on error, SIGINT or the time limit. RBAC and the image:
docs/operations.md, "Probing a cluster".
  --probe                  probe instead of printing the matrix
  --workspace NS           only pairs between the named namespaces, and probe pods only
                           there (repeatable; default: every namespace but kube-*)
  --image IMAGE            the probe image (default ${DEFAULT_PROBE_IMAGE}): its entrypoint
                           must be govcloud (the operator image is)
  --parallel N             probe pods alive at once (default 8, at least 2)
  --timeout SECONDS        the whole run's time limit, also the pods' deadline (default 300)
  --closed-per-workspace N pairs predicted closed probed per source workspace (default 3)
  --connect-timeout MS     per connection attempt (default 2000)
  --settle MS              a client waits this long before its first attempt: network
                           plugins program a new pod asynchronously (default 3000)
  --node-selector K=V      where the probe pods run (repeatable)
  --toleration T           a taint the probe pods tolerate (repeatable)
  --all                    with --probe: list every pair, not only the mismatches

Exit codes: 0 done, 1 invalid input (problems printed, nothing evaluated) or a cluster that
cannot be read (--kubeconfig), 2 bad command line, 3 (--probe) a measured path differs
from the prediction or a pair could not be probed.
`;

const DETAIL_HINT = '--detail lists every path and the policies that decide it';

/** Reads a live cluster's objects. Replaceable, so that tests and e2e can inject their own. */
export type LiveReader = (kubeconfig: string, context: string | undefined) => Promise<InputObject[]>;
/** Opens the cluster access of `--probe`. Replaceable like readLive. */
export type ProbeOpener = (kubeconfig: string, context: string | undefined) => ProbeSession;

export const connectivityCommand: Command & { readLive: LiveReader; openProbe: ProbeOpener } = {
  name: 'connectivity',
  usage: USAGE,
  readLive: readLiveObjects,
  openProbe: openProbeSession,
  async run(argv, io) {
    // The probe pods' own programs: argv is written by the probe, not by a person.
    if (argv[0] === '--probe-serve') return runProbeServer(argv.slice(1), io);
    if (argv[0] === '--probe-connect') return runProbeClient(argv.slice(1), io);
    const { rest, explainEnds, hostSpecs, workspaces, nodeSelectors, tolerations } = extractMultiValued(argv);
    const { values, positionals } = parseOptions(rest, {
      output: { value: true, choices: ['table', 'json'], short: 'o' },
      'data-centre': { value: true },
      now: { value: true },
      port: { value: true },
      all: {},
      detail: {},
      kubeconfig: { value: true },
      context: { value: true },
      probe: {},
      image: { value: true },
      parallel: { value: true },
      timeout: { value: true },
      'closed-per-workspace': { value: true },
      'connect-timeout': { value: true },
      settle: { value: true },
    });
    const output = (values.output as string | undefined) ?? 'table';
    const only = values['data-centre'] as string | undefined;
    const now = parseNow(values.now as string | undefined);
    const nowText = now.toISOString();
    const kubeconfig = values.kubeconfig as string | undefined;
    const hosts = hostSpecs.map(parseHostOption);
    let port: { port: number; protocol: 'TCP' | 'UDP' | 'SCTP' } | undefined;
    if (values.port !== undefined) {
      if (!explainEnds) throw new UsageError('--port goes with --explain');
      const p = parsePortOption(values.port as string);
      if (!p.ok) throw new UsageError(p.message);
      port = p.port;
    }
    if (kubeconfig === undefined && positionals.length === 0) throw new UsageError('name at least one file or folder, or --kubeconfig');
    if (kubeconfig !== undefined && positionals.length > 0) throw new UsageError('read either files or a cluster (--kubeconfig), not both');
    if (values.context !== undefined && kubeconfig === undefined) throw new UsageError('--context goes with --kubeconfig');
    const probeOnly = ['image', 'parallel', 'timeout', 'closed-per-workspace', 'connect-timeout', 'settle']
      .filter((k) => values[k] !== undefined)
      .map((k) => `--${k}`);
    if (workspaces.length > 0) probeOnly.push('--workspace');
    if (nodeSelectors.length > 0) probeOnly.push('--node-selector');
    if (tolerations.length > 0) probeOnly.push('--toleration');
    if (values.probe !== true && probeOnly.length > 0) throw new UsageError(`${probeOnly.join(', ')} go${probeOnly.length === 1 ? 'es' : ''} with --probe`);
    if (values.probe === true) {
      if (kubeconfig === undefined) throw new UsageError('--probe needs a cluster: --kubeconfig FILE');
      if (explainEnds || hosts.length > 0 || only !== undefined || values.now !== undefined || values.detail !== undefined)
        throw new UsageError('--probe takes none of --explain, --host, --data-centre, --now, --detail');
      const settings = probeSettings(values, { workspaces, nodeSelectors, tolerations });
      const context = values.context as string | undefined;
      const view = plainView(await this.readLive(kubeconfig, context));
      const session = this.openProbe(kubeconfig, context);
      let outcome;
      try {
        outcome = await probeView(view, session, settings, io);
      } catch (err) {
        if (err instanceof ProbeAborted) throw new InputError(err.message);
        const why = unreachableReason(err) ?? refusalReason(err);
        if (why !== undefined) throw new InputError(`probing cluster "${context ?? 'current context'}": ${why}`);
        throw err;
      }
      io.stdout(output === 'json' ? JSON.stringify(probeJson(outcome), null, 2) + '\n' : probeText(outcome, values.all === true, useColour(io)));
      return outcome.comparison.mismatches + outcome.comparison.notProbed === 0 ? EXIT.ok : EXIT_MISMATCH;
    }

    const colour = useColour(io);
    let views: View[];
    let gateway: GatewayModel | undefined;
    const warnings: Problem[] = [];
    if (kubeconfig !== undefined) {
      const objects = await this.readLive(kubeconfig, values.context as string | undefined);
      const view = plainView(objects, hosts);
      // The API server validated these objects: a problem here is a gap of this reader, not
      // the user's input. Say so, and evaluate the rest.
      for (const p of view.inventory.problems) warnings.push(p);
      views = [view];
    } else {
      const read = await readFiles(positionals, io, now, hosts, only);
      if ('exit' in read) return read.exit(output);
      views = read.views;
      gateway = read.gateway;
      for (const w of read.warnings) warnings.push(w);
    }
    for (const w of warnings) io.stderr(paint(`warning: ${formatProblem(w)}`, 'yellow', colour) + '\n');
    if (only !== undefined && views.every((v) => v.dataCentre !== null)) {
      const known = views.map((v) => v.dataCentre).join(', ') || 'none';
      if (!views.some((v) => v.dataCentre === only)) throw new UsageError(`no data centre named "${only}" (known: ${known})`);
    }
    const selected = only === undefined ? views : views.filter((v) => v.dataCentre === null || v.dataCentre === only);

    if (explainEnds) return runExplain(io, { views, selected, only, gateway }, explainEnds, port, output);

    // Across data centres: from every data centre, to the selected ones (or all).
    const cross = () =>
      views.length > 1 ? crossDataCentre(views).filter((c) => only === undefined || c.from.dataCentre === only || c.to.dataCentre === only) : [];
    // Across data centres through the exchange gateways: from their routes, never from ranges.
    const viaGateway = gateway ? gatewayPaths(gateway).filter((p) => only === undefined || p.from.dataCentre === only || p.to.dataCentre === only) : [];
    const showGateways = gateway !== undefined && (viaGateway.length > 0 || gateway.endpoints.size > 0);
    const all = values.all === true;
    // One data centre's matrix at a time: it is printed or summarised, then dropped.
    const matrices = function* () {
      for (const v of selected) yield viewMatrix(v);
    };
    if (values.detail !== true && !all) {
      const summaries = [...matrices()].map((m) => ({ dataCentre: m.dataCentre, ...matrixSummary(m.matrix, SUMMARY_FIRST) }));
      const crossed = crossSummary(cross());
      const gatewayed = gatewaySummary(viaGateway);
      if (output === 'json') {
        const now = views.some((v) => v.dataCentre !== null) ? { now: nowText } : {};
        const gateways = gateway ? { viaGateway: gatewayed } : {};
        io.stdout(JSON.stringify({ ...now, matrices: summaries, crossDataCentre: crossed, ...gateways }, null, 2) + '\n');
        return EXIT.ok;
      }
      const out = summaries.map((s) => summaryText(s.dataCentre, s, colour));
      if (crossed.paths > 0 || views.length > 1) out.push(crossSummaryText(crossed, colour));
      if (showGateways) out.push(gatewaySummaryText(gatewayed, colour));
      io.stdout(out.join('\n') + `\n${DETAIL_HINT}\n`);
      return EXIT.ok;
    }
    if (output === 'json') {
      writeDetailJson(io, views.some((v) => v.dataCentre !== null) ? nowText : undefined, matrices(), cross, gateway ? viaGateway : undefined);
      return EXIT.ok;
    }
    let first = true;
    for (const m of matrices()) {
      io.stdout((first ? '' : '\n') + matrixTable(m.dataCentre, matrixRows(m.matrix, { all }), all, colour));
      first = false;
    }
    const crossed = cross();
    if (crossed.length > 0 || views.length > 1) io.stdout((first ? '' : '\n') + crossTable(crossed, colour));
    if (showGateways) io.stdout('\n' + gatewayTable(viaGateway, colour));
    return EXIT.ok;
  },
};

interface MultiValued {
  rest: string[];
  explainEnds?: [string, string];
  hostSpecs: string[];
  workspaces: string[];
  nodeSelectors: string[];
  tolerations: string[];
}

const REPEATABLE = { '--workspace': 'workspaces', '--node-selector': 'nodeSelectors', '--toleration': 'tolerations' } as const;

/** `--explain SRC DST` takes two values; `--host`, `--workspace`, ... repeat: they are taken out before the strict parse. */
function extractMultiValued(argv: readonly string[]): MultiValued {
  const rest: string[] = [];
  const hostSpecs: string[] = [];
  const repeated: Record<(typeof REPEATABLE)[keyof typeof REPEATABLE], string[]> = { workspaces: [], nodeSelectors: [], tolerations: [] };
  let explainEnds: [string, string] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      for (const r of argv.slice(i)) rest.push(r);
      break;
    }
    if (a === '--explain') {
      const src = argv[i + 1];
      const dst = argv[i + 2];
      if (src === undefined || dst === undefined || src.startsWith('--') || dst.startsWith('--')) throw new UsageError('--explain needs two ends: SRC DST');
      if (explainEnds) throw new UsageError('--explain is given once');
      explainEnds = [src, dst];
      i += 2;
    } else if (a === '--host' || a.startsWith('--host=')) {
      const v = a === '--host' ? argv[++i] : a.slice('--host='.length);
      if (v === undefined) throw new UsageError('--host needs a value: NAME=CIDR[,CIDR...]');
      hostSpecs.push(v);
    } else if (Object.hasOwn(REPEATABLE, a.split('=')[0] as string)) {
      const flag = a.split('=')[0] as keyof typeof REPEATABLE;
      const v = a === flag ? argv[++i] : a.slice(flag.length + 1);
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      repeated[REPEATABLE[flag]].push(v);
    } else rest.push(a);
  }
  return { rest, hostSpecs, ...repeated, ...(explainEnds ? { explainEnds } : {}) };
}

function openProbeSession(kubeconfig: string, context: string | undefined): ProbeSession {
  const client = openKubeconfig(kubeconfig, context);
  return { api: kubeProbeApi(client), close: () => client.close() };
}

function parseHostOption(spec: string): Host {
  const eq = spec.indexOf('=');
  const name = eq > 0 ? spec.slice(0, eq) : spec;
  const ranges = (eq > 0 ? spec.slice(eq + 1) : spec).split(',').filter((s) => s.length > 0);
  const cidrs: Cidr[] = [];
  for (const r of ranges) {
    const c = parseCidr(r, true);
    if (!c.ok) throw new UsageError(`--host ${spec}: ${c.message}`);
    cidrs.push(c.cidr);
  }
  if (cidrs.length === 0) throw new UsageError(`--host ${spec}: name at least one address or range`);
  return { name, cidrs: cidrs.map((c) => c.text), addresses: AddressSet.of(cidrs) };
}

type ReadResult = { views: View[]; warnings: Problem[]; gateway?: GatewayModel } | { exit: (output: string) => number };

async function readFiles(paths: readonly string[], io: Io, now: Date, hosts: Host[], only: string | undefined): Promise<ReadResult> {
  const loaded = await loadFiles(paths, io);
  const plain: InputObject[] = [];
  let govcloud = 0;
  for (const doc of loaded.documents) {
    const v = doc.value as { apiVersion?: unknown } | null;
    if (v && typeof v === 'object' && typeof v.apiVersion === 'string' && v.apiVersion.startsWith('govcloud.dev/')) govcloud++;
    else plain.push({ value: doc.value, source: doc });
  }
  const invalid = (json: () => unknown, text: () => string) => ({
    exit: (output: string) => {
      io.stdout(output === 'json' ? JSON.stringify(json(), null, 2) + '\n' : text());
      return EXIT.invalid;
    },
  });
  const plainProblems = (problems: Problem[]) =>
    invalid(
      () => ({ paths, valid: false, errors: problems }),
      () => problems.map((p) => paint(formatProblem(p), 'red', useColour(io)) + '\n').join(''),
    );
  if (govcloud === 0) {
    const view = plainView(plain, hosts);
    const problems = [...loaded.problems, ...view.inventory.problems];
    if (problems.length > 0) {
      return plainProblems(problems);
    }
    return { views: [view], warnings: [] };
  }
  if (hosts.length > 0) throw new UsageError('--host is for plain manifests; with govcloud objects the hosts are the data centres and networks');
  const result = validateLoaded(loaded);
  if (result.errors.length > 0)
    return invalid(
      () => problemsJson(paths, result),
      () => problemsText(paths, result, useColour(io)),
    );
  const warnings: Problem[] = [];
  // Plain manifests beside govcloud objects run where --data-centre says; without it they are left out.
  const placed = plain.filter((o) => o.value !== null && typeof o.value === 'object');
  if (placed.length > 0 && only === undefined) {
    warnings.push({
      file: paths.join(' '),
      line: 0,
      object: '',
      message: `${placed.length} plain Kubernetes objects beside govcloud objects are left out: --data-centre NAME says where they run`,
    });
  }
  const rendered = platformViews(result.platform, now, only !== undefined ? { [only]: placed } : {});
  for (const view of rendered.views) {
    if (only !== undefined && view.dataCentre !== only) continue;
    const problems = view.inventory.problems.filter((p) => !p.file.startsWith('(rendered'));
    if (problems.length > 0) return plainProblems(problems);
    // Problems in rendered objects are the renderer's, not the user's: warn.
    for (const p of view.inventory.problems) if (p.file.startsWith('(rendered')) warnings.push(p);
  }
  return { views: rendered.views, warnings, gateway: gatewayModel(result.platform, now) };
}

function matrixTable(dataCentre: string | null, groups: RowGroup[], all: boolean, colour: boolean): string {
  const rows = groups.flatMap((g) => g.rows);
  const denied = groups.reduce((n, g) => n + g.denied, 0);
  const title = dataCentre === null ? 'Connectivity' : `Connectivity in data centre ${dataCentre}`;
  const out = [paint(`${title}: ${rows.length} path${rows.length === 1 ? '' : 's'} open${all ? ' or listed' : ''}`, 'bold', colour) + '\n\n'];
  if (rows.length > 0) {
    const painted = rows.map((r) =>
      r.map((c, i) => (i === 3 ? paint(c, c.startsWith('allowed') ? 'green' : c.startsWith('partial') ? 'yellow' : 'red', colour) : c)),
    );
    out.push(
      renderTable(
        MATRIX_HEADERS.map((header) => ({ header })),
        painted,
        { colour },
      ),
    );
  }
  if (denied > 0) out.push(`\n${denied} denied path${denied === 1 ? '' : 's'} not shown (--all lists them)\n`);
  return out.join('');
}

function crossTable(cells: CrossCell[], colour: boolean): string {
  const out = [paint(`Across data centres, via network range: ${cells.length} path${cells.length === 1 ? '' : 's'} open`, 'bold', colour) + '\n'];
  out.push(
    "The receiving data centre admits the sender's whole network range: it cannot tell one workspace\nthere from another. Routing and firewalls between data centres are not modelled.\n\n",
  );
  if (cells.length === 0) return out.join('');
  const rows = cells.map((c) => [
    `${c.from.dataCentre} ${c.from.namespace}`,
    `${c.to.dataCentre} ${c.to.namespace}/${c.to.name} (${c.to.kind})`,
    `${c.to.port}/${c.to.protocol}${c.to.targetPort !== c.to.port ? ` → ${c.to.targetPort}` : ''}`,
    paint(c.verdict, c.verdict === 'allowed' ? 'green' : 'yellow', colour),
    [
      c.egress.isolatedBy.length > 0 ? `egress ${[...new Set(c.egress.allowedBy.map((m) => `${m.policy}[${m.rule}]`))].join(', ')}` : 'egress not isolated',
      c.ingress.isolatedBy.length > 0 ? `ingress ${[...new Set(c.ingress.allowedBy.map((m) => `${m.policy}[${m.rule}]`))].join(', ')}` : 'ingress not isolated',
    ].join('; '),
  ]);
  out.push(
    renderTable(
      MATRIX_HEADERS.map((header) => ({ header })),
      rows,
      { colour },
    ),
  );
  return out.join('');
}

/** What --explain looks at: the selected data centres' views; for the gateways, all of them. */
interface ExplainScope {
  views: View[];
  selected: View[];
  only: string | undefined;
  gateway: GatewayModel | undefined;
}

function runExplain(
  io: Io,
  scope: ExplainScope,
  [srcSpec, dstSpec]: [string, string],
  port: { port: number; protocol: 'TCP' | 'UDP' | 'SCTP' } | undefined,
  output: string,
): number {
  const results: { dataCentre: string | null; explanation: Explanation; view: View }[] = [];
  const reasons: string[] = [];
  for (const view of scope.selected) {
    const src = resolveEnd(srcSpec, view.input);
    const dst = resolveEnd(dstSpec, view.input);
    const where = view.dataCentre === null ? '' : ` in ${view.dataCentre}`;
    if (!src.ok) reasons.push(`${srcSpec}${where}: ${src.message}`);
    if (!dst.ok) reasons.push(`${dstSpec}${where}: ${dst.message}`);
    if (!src.ok || !dst.ok) continue;
    const explanation = explain(view.input, src.end, dst.end, port ? { port } : {}, new Evaluator(view.input));
    results.push({ dataCentre: view.dataCentre, explanation, view });
  }
  const gateways = scope.gateway ? gatewayExplanations(scope, scope.gateway, srcSpec, dstSpec) : [];
  if (results.length === 0 && gateways.length === 0) {
    for (const r of reasons) io.stderr(`govcloud connectivity: ${r}\n`);
    return EXIT.invalid;
  }
  if (output === 'json') {
    const explanations = results.map((r) => ({ dataCentre: r.dataCentre, ...explanationJson(r.explanation) }));
    io.stdout(JSON.stringify({ explanations, ...(scope.gateway ? { viaGateway: gateways } : {}) }, null, 2) + '\n');
    return EXIT.ok;
  }
  const out: string[] = [];
  for (const r of results) {
    if (r.dataCentre !== null) out.push(paint(`In data centre ${r.dataCentre}:`, 'bold', useColour(io)) + '\n');
    out.push(formatExplanation(r.explanation, r.view.inventory.policies));
  }
  if (gateways.length > 0) {
    out.push(paint('Across data centres, through the exchange gateways:', 'bold', useColour(io)) + '\n' + gateways.map(formatGatewayExplanation).join(''));
  }
  io.stdout(out.join('\n'));
  return EXIT.ok;
}

/**
 * A source in one data centre and a Service in another: the gateway path, or why there is
 * none. Not where the Service runs in the source's data centre too: that pair is served there,
 * by NetworkPolicy, and explained with that data centre's policies.
 */
function gatewayExplanations(scope: ExplainScope, model: GatewayModel, srcSpec: string, dstSpec: string): GatewayExplanation[] {
  const out: GatewayExplanation[] = [];
  const [namespace = '', name = ''] = dstSpec.trim().split('/');
  for (const from of scope.views) {
    const src = resolveEnd(srcSpec, from.input);
    const party = src.ok ? src.end.parties[0] : undefined;
    if (from.dataCentre === null || party?.kind !== 'pod' || resolveEnd(dstSpec, from.input).ok) continue;
    for (const to of scope.views) {
      if (to === from || to.dataCentre === null) continue;
      if (scope.only !== undefined && from.dataCentre !== scope.only && to.dataCentre !== scope.only) continue;
      const named = to.input.services.some((s) => s.namespace === namespace && s.name === name);
      // A Service a link names is the tenant's own, in its workspace: known offline from the link alone.
      const linked = to.input.namespaces.some((n) => n.name === namespace) && linksNaming(model.platform, namespace, name).length > 0;
      if (!named && !linked) continue;
      out.push(explainGateway(model, { dataCentre: from.dataCentre, namespace: party.endpoint.namespace }, { dataCentre: to.dataCentre, namespace, name }));
    }
  }
  return out;
}

function partyJson(p: Party): Record<string, unknown> {
  if (p.kind === 'host') return { kind: 'Host', name: p.host.name, cidrs: p.host.cidrs };
  return { kind: p.endpoint.kind, namespace: p.endpoint.namespace, name: p.endpoint.name, label: partyLabel(p) };
}

export function explanationJson(x: Explanation): Record<string, unknown> {
  return {
    source: x.source,
    destination: x.destination,
    pairs: x.pairs.map((pair) => ({
      source: partyJson(pair.source),
      destination: partyJson(pair.destination),
      ...(pair.spans ? { spans: pair.spans } : {}),
      ports: pair.ports,
    })),
  };
}

/**
 * Reads what the evaluator needs from a live cluster: Namespaces, Pods, Deployments,
 * ReplicaSets, StatefulSets, DaemonSets, Services and NetworkPolicies, paged. Lists omit each
 * item's apiVersion and kind; they are put back so the objects read like YAML.
 */
export async function readLiveObjects(kubeconfig: string, context: string | undefined): Promise<InputObject[]> {
  const client = openKubeconfig(kubeconfig, context);
  const contextName = context ?? client.kubeConfig.getCurrentContext();
  const server = client.kubeConfig.getCurrentCluster()?.server ?? '';
  const source = { file: `cluster ${contextName}`, line: 0 };
  const resources: ResourceDescriptor[] = [
    { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces' },
    { apiVersion: 'v1', kind: 'Pod', plural: 'pods' },
    { apiVersion: 'v1', kind: 'Service', plural: 'services' },
    { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets' },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets' },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', plural: 'daemonsets' },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies' },
  ];
  const signal = new AbortController().signal;
  const out: InputObject[] = [];
  try {
    for (const resource of resources) {
      // The informers' list: paged, apiVersion and kind put back on each item.
      const lister = kubeListWatch(client, resource);
      let token: string | undefined;
      do {
        let page;
        try {
          page = await lister.list({ limit: 500, continue: token, signal });
        } catch (err) {
          const why = unreachableReason(err) ?? refusalReason(err);
          if (why === undefined) throw err;
          throw new InputError(`cannot list ${resource.plural} on cluster "${contextName}" at ${server}: ${why}`);
        }
        for (const item of page.items) out.push({ value: item, source });
        token = page.metadata?.continue || undefined;
      } while (token !== undefined);
    }
  } finally {
    await client.close();
  }
  return out;
}

/** The kubeconfig's client for `context` (or its current one); a file or context that is not there is the user's to fix. */
export function openKubeconfig(kubeconfig: string, context: string | undefined): ClusterClient {
  const config = new KubeConfig();
  try {
    config.loadFromFile(kubeconfig);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read kubeconfig ${kubeconfig}: ${typeof code === 'string' ? code : errorMessage(err).split('\n')[0]}`);
  }
  const name = context ?? config.getCurrentContext();
  const found = config.getContextObject(name);
  if (!found) {
    const known =
      config
        .getContexts()
        .map((c) => c.name)
        .join(', ') || 'none';
    throw new InputError(`kubeconfig ${kubeconfig} has no context "${name}" (it has: ${known})`);
  }
  if (!config.getCluster(found.cluster)?.server) throw new InputError(`kubeconfig ${kubeconfig}: context "${name}" names no cluster with a server address`);
  return ClusterClient.fromFile('live', kubeconfig, context);
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'timed out connecting',
  UND_ERR_SOCKET: 'connection closed',
};

/** The network failure under a fetch error (`fetch failed`, its cause holding the system's code), if that is what it is. */
function unreachableReason(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && Object.hasOwn(NETWORK_ERRORS, code)) return `${NETWORK_ERRORS[code]} (${code})`;
    if (typeof code === 'string' && /^(ERR_TLS|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return `TLS: ${e.message} (${code})`;
  }
  // Other failures of fetch itself (a port it refuses to use, ...) are the address's too.
  if (err instanceof TypeError && err.message === 'fetch failed') return err.cause instanceof Error ? err.cause.message : 'fetch failed';
  return undefined;
}

/** An API server's refusal (401, 403, ...): its status, for the user to fix credentials or RBAC. */
function refusalReason(err: unknown): string | undefined {
  const status = httpStatusOf(err);
  if (status === undefined) return undefined;
  const body = (err as { body?: unknown }).body;
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  const message = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  return `the API server answered ${status}${message ? `: ${message}` : ''}`;
}
