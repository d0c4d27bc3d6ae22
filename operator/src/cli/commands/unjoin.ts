/**
 * `govcloud unjoin NAME`: the reverse of join. Refuses while agencies are placed in the data
 * centre (unless --force, which says what it leaves behind); then removes what join created,
 * on the hub and on the member, and the admission policies the operator put there for the
 * DataCentre; never an agency's namespace, whatever it holds.
 */
import { ownerLabelValue } from '../../render/index.ts';
import { stepText, Target, type Step } from '../../join/kube.ts';
import { hubJoinObjects, memberJoinObjects } from '../../join/objects.ts';
import { loadRbacRequirements } from '../../install/rbac.ts';
import { PLATFORM_ROLE_NAMES } from '../../controllers/platform-roles.ts';
import { parseOptions } from '../args.ts';
import { InputError, UsageError, type Command } from '../command.ts';
import { EXIT } from '../io.ts';
import { JOIN_OPTIONS } from './join.ts';

interface Named {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}

const ADMISSION = '/apis/admissionregistration.k8s.io/v1';

export const unjoinCommand: Command = {
  name: 'unjoin',
  usage: `Usage: govcloud unjoin NAME --hub-kubeconfig FILE --member-kubeconfig FILE [--force] [-o text|json]

Removes what \`govcloud join NAME\` created and only that: on the hub the DataCentre NAME, its
kubeconfig Secret and the operator's Role on it; on the member the operator's ServiceAccount,
its roles and bindings, the govcloud ClusterRoles, the admission policy and ${'govcloud-system'}
(objects join found already there were "kept" by it and are kept now), and the admission
policies the operator rendered there for NAME. Agencies' namespaces are never deleted.

Refused while an Agency names NAME in spec.placement.dataCentres: move the agencies first.
With --force it goes on, and lists what it leaves behind: the agencies still placed (Degraded
on the hub, their placement names a data centre that is gone), their namespaces and data on
the member, and the govcloud ClusterRoles their RoleBindings name.

Options:
  --hub-kubeconfig FILE, --hub-context NAME        the hub
  --member-kubeconfig FILE, --member-context NAME  the member, as an administrator
  --force                                          unjoin although agencies are placed there
  -o, --output text|json                           text (default) or the steps as JSON

Exit codes: 0 unjoined, 1 refused or a cluster could not be reached, 2 bad command line.
`,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, { ...JOIN_OPTIONS, force: {} });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('name exactly one data centre: govcloud unjoin NAME');
    if (!values['hub-kubeconfig'] || !values['member-kubeconfig']) throw new UsageError('--hub-kubeconfig and --member-kubeconfig are required');
    const output = (values.output as string | undefined) ?? 'text';
    if (output === 'yaml') throw new UsageError('--output of unjoin is text or json');
    const force = values.force === true;
    const say = (line: string) => output === 'text' && io.stdout(line + '\n');
    const req = loadRbacRequirements();
    const hub = new Target('hub', values['hub-kubeconfig'] as string, values['hub-context'] as string | undefined);
    const member = new Target('member', values['member-kubeconfig'] as string, values['member-context'] as string | undefined);

    const agencies = await hub.call('listing the Agencies', () =>
      hub.client.request<{ items: (Named & { spec: { placement: { dataCentres: string[] } } })[] }>('GET', '/apis/govcloud.dev/v1alpha1/agencies'),
    );
    const placed = agencies.items.filter((a) => a.spec.placement.dataCentres.includes(name)).map((a) => a.metadata.name);
    if (placed.length > 0 && !force)
      throw new InputError(
        `refused: ${placed.length} agenc${placed.length === 1 ? 'y is' : 'ies are'} placed in ${name} (${placed.join(', ')}): ` +
          `move them out of it first (spec.placement.dataCentres), or unjoin with --force, which leaves them and their namespaces behind`,
      );

    const steps: Step[] = [];
    const record = (s: Step) => {
      steps.push(s);
      say(`  ${stepText(s)}`);
    };
    say(`unjoining ${name}: ${hub.label}`);
    const hubObjects = hubJoinObjects(name, req).reverse();
    for (const o of hubObjects) record(await hub.deleteJoined(o, name));
    const dcPath = await hub.path(hubObjects[0]!);
    // Gone on the hub before the member is touched: the operator stops writing there first.
    const deadline = Date.now() + 60_000;
    while ((await hub.get(dcPath, `reading DataCentre ${name}`)) !== undefined) {
      if (Date.now() > deadline) throw new InputError(`${hub.label}: DataCentre ${name} still exists 60 s after its deletion (a finalizer?)`);
      await new Promise((r) => setTimeout(r, 250));
    }

    say(`${member.label}`);
    const selector = encodeURIComponent(`govcloud.dev/owner=${ownerLabelValue({ kind: 'DataCentre', name })}`);
    for (const plural of ['validatingadmissionpolicybindings', 'validatingadmissionpolicies']) {
      const list = await member.call(`listing the operator's ${plural} for ${name}`, () =>
        member.client.request<{ items: Named[] }>('GET', `${ADMISSION}/${plural}?labelSelector=${selector}`),
      );
      for (const o of list.items) {
        await member.call(`deleting ${plural}/${o.metadata.name}`, () => member.client.request('DELETE', `${ADMISSION}/${plural}/${o.metadata.name}`));
        record({
          cluster: 'member',
          kind: plural === 'validatingadmissionpolicies' ? 'ValidatingAdmissionPolicy' : 'ValidatingAdmissionPolicyBinding',
          name: o.metadata.name,
          outcome: 'deleted',
        });
      }
    }
    const namespaces = (
      await member.call('listing govcloud namespaces', () =>
        member.client.request<{ items: Named[] }>('GET', `/api/v1/namespaces?labelSelector=${encodeURIComponent('app.kubernetes.io/managed-by=govcloud')}`),
      )
    ).items.map((n) => n.metadata.name);
    for (const o of memberJoinObjects(name, req).reverse()) {
      // Their RoleBindings in the namespaces left behind name the govcloud ClusterRoles.
      if (namespaces.length > 0 && o.kind === 'ClusterRole' && PLATFORM_ROLE_NAMES.includes(o.metadata.name)) {
        record({ cluster: 'member', kind: o.kind, name: o.metadata.name, outcome: 'kept', why: 'govcloud namespaces remain and their RoleBindings name it' });
        continue;
      }
      record(await member.deleteJoined(o, name));
    }
    const leftBehind = [
      ...placed.map((a) => `Agency ${a} on the hub, still placed in ${name} (Degraded until its placement changes)`),
      ...namespaces.map((n) => `Namespace ${n} on the member, with what it holds`),
    ];
    if (leftBehind.length > 0) say(`left behind:\n${leftBehind.map((l) => `  ${l}`).join('\n')}`);
    say(`${name} unjoined`);
    if (output === 'json') io.stdout(JSON.stringify({ dataCentre: name, steps, leftBehind }, null, 2) + '\n');
    return EXIT.ok;
  },
};
