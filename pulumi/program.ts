/**
 * The bootstrap of one data centre's hub, as Pulumi resources: CRDs, the govcloud-system
 * namespace, the operator's RBAC (from rbac-requirements.yaml), the govcloud ClusterRoles and
 * the admission policy govcloud-operator-limits, its Deployment, metrics Service and
 * PodDisruptionBudget, the member data centres (kubeconfig Secret + DataCentre) and,
 * optionally, the Agencies of a GitOps folder. With `govcloud:mode: member`, a member data
 * centre's cluster instead: only the RBAC the hub's operator needs there (memberObjects).
 *
 * `bootstrap` takes checked settings and makes resources (unit-tested with Pulumi's mocks);
 * `main` reads stack config first (used by index.ts and by the Automation API's inline program).
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { PLATFORM_ROLE_NAMES } from '../operator/src/controllers/platform-roles.ts';
import { memberObjects, operatorObjects, type K8sObject } from '../operator/src/install/manifests.ts';
import { crdObjects, dataCentre, kubeconfigSecret, KUBECONFIG_KEY, loadAgencies, AgencyFolderError } from './objects.ts';
import { loadRbacRequirements } from '../operator/src/install/rbac.ts';
import { resolveSettings, SettingsError, type RawConfig, type Settings } from './settings.ts';

export interface BootstrapResult {
  namespace: string;
  operator: string;
  crds: string[];
  dataCentres: string[];
  agencies: string[];
  /** Every resource made, by logical name (for tests and for dependsOn by callers). */
  resources: Map<string, pulumi.CustomResource>;
}

/** Logical name of an object: lower-case kind, then namespace (if any) and name. */
export function logicalName(obj: K8sObject): string {
  const kind = obj.kind === 'CustomResourceDefinition' ? 'crd' : obj.kind.toLowerCase();
  return [kind, obj.metadata.namespace, obj.metadata.name].filter(Boolean).join('-');
}

function typed(obj: K8sObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const name = logicalName(obj);
  const args = obj as never;
  switch (`${obj.apiVersion}/${obj.kind}`) {
    case 'apiextensions.k8s.io/v1/CustomResourceDefinition':
      return new k8s.apiextensions.v1.CustomResourceDefinition(name, args, opts);
    case 'v1/Namespace':
      return new k8s.core.v1.Namespace(name, args, opts);
    case 'v1/ServiceAccount':
      return new k8s.core.v1.ServiceAccount(name, args, opts);
    case 'v1/Service':
      return new k8s.core.v1.Service(name, args, opts);
    case 'v1/Secret':
      return new k8s.core.v1.Secret(name, args, opts);
    case 'rbac.authorization.k8s.io/v1/ClusterRole':
      return new k8s.rbac.v1.ClusterRole(name, args, opts);
    case 'rbac.authorization.k8s.io/v1/ClusterRoleBinding':
      return new k8s.rbac.v1.ClusterRoleBinding(name, args, opts);
    case 'rbac.authorization.k8s.io/v1/Role':
      return new k8s.rbac.v1.Role(name, args, opts);
    case 'rbac.authorization.k8s.io/v1/RoleBinding':
      return new k8s.rbac.v1.RoleBinding(name, args, opts);
    case 'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy':
      return new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(name, args, opts);
    case 'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding':
      return new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(name, args, opts);
    case 'apps/v1/Deployment':
      return new k8s.apps.v1.Deployment(name, args, opts);
    case 'policy/v1/PodDisruptionBudget':
      return new k8s.policy.v1.PodDisruptionBudget(name, args, opts);
    default:
      return new k8s.apiextensions.CustomResource(name, args, opts);
  }
}

/**
 * The govcloud ClusterRoles outlive `pulumi destroy`: every agency's RoleBindings name them,
 * and removing the operator must not take the tenants' access with it.
 */
function isPlatformRole(obj: K8sObject): boolean {
  return obj.kind === 'ClusterRole' && PLATFORM_ROLE_NAMES.includes(obj.metadata.name);
}

export function bootstrap(settings: Settings, agencies: K8sObject[] = [], opts: { provider?: pulumi.ProviderResource } = {}): BootstrapResult {
  const o = settings.operator;
  const resources = new Map<string, pulumi.CustomResource>();
  const base: pulumi.CustomResourceOptions = opts.provider ? { provider: opts.provider } : {};
  const make = (obj: K8sObject, extra: pulumi.CustomResourceOptions = {}) => {
    const r = typed(obj, { ...base, ...extra });
    resources.set(logicalName(obj), r);
    return r;
  };

  if (settings.mode === 'member') {
    // A member data centre: the hub's operator reaches it as this ServiceAccount.
    for (const obj of memberObjects(o, loadRbacRequirements())) make(obj, obj.kind === 'Namespace' || isPlatformRole(obj) ? { retainOnDelete: true } : {});
    return { namespace: o.namespace, operator: o.name, crds: [], dataCentres: [], agencies: [], resources };
  }

  // CRDs and the namespace outlive `pulumi destroy`: deleting a CRD deletes every object of
  // its kind, and the namespace holds the data centres' kubeconfig Secrets.
  const crds = crdObjects().map((crd) => make(crd, { retainOnDelete: true }));

  const objects = operatorObjects(o, loadRbacRequirements());
  let ns: pulumi.CustomResource | undefined;
  const nsDeps = () => (ns ? [ns] : []);
  for (const obj of objects) {
    if (obj.kind === 'Namespace') {
      ns = make(obj, { retainOnDelete: true });
      continue;
    }
    if (isPlatformRole(obj)) {
      make(obj, { retainOnDelete: true });
      continue;
    }
    const rbacReady = [...resources.entries()]
      .filter(([n]) => /^(serviceaccount|clusterrole|clusterrolebinding|role|rolebinding|validatingadmissionpolicy|validatingadmissionpolicybinding)-/.test(n))
      .map(([, r]) => r);
    // The operator starts after its CRDs and RBAC exist: it would only crash-loop before.
    const dependsOn = obj.kind === 'Deployment' ? [...nsDeps(), ...crds, ...rbacReady] : nsDeps();
    make(obj, { dependsOn });
  }

  const dcs: string[] = [];
  for (const dc of settings.dataCentres) {
    const deps: pulumi.Resource[] = [...crds];
    const kubeconfig = settings.kubeconfigs[dc.name];
    if (dc.thisCluster !== true && kubeconfig !== undefined) {
      const secret = kubeconfigSecret(dc, o.namespace);
      const made = make({ ...secret, stringData: { [KUBECONFIG_KEY]: pulumi.secret(kubeconfig) } } as K8sObject, {
        dependsOn: nsDeps(),
        additionalSecretOutputs: ['data', 'stringData'],
      });
      deps.push(made);
    }
    make(dataCentre(dc, o.namespace), { dependsOn: deps });
    dcs.push(dc.name);
  }

  const dcResources = settings.dataCentres.map((dc) => resources.get(`datacentre-${dc.name}`)!);
  for (const agency of agencies) make(agency, { dependsOn: [...crds, ...dcResources] });

  return {
    namespace: o.namespace,
    operator: o.name,
    crds: crdObjects().map((c) => c.metadata.name),
    dataCentres: dcs,
    agencies: agencies.map((a) => a.metadata.name),
    resources,
  };
}

/** The stack's config (namespace `govcloud`), as RawConfig. */
export function rawConfig(config = new pulumi.Config('govcloud')): RawConfig {
  const kubeconfigs = config.getObject<Record<string, string>>('kubeconfigs');
  const operator = config.getObject<RawConfig['operator']>('operator');
  const dataCentres = config.getObject<unknown>('dataCentres');
  const agenciesPath = config.get('agenciesPath');
  const mode = config.get('mode');
  return {
    ...(mode !== undefined ? { mode } : {}),
    ...(operator !== undefined ? { operator } : {}),
    ...(dataCentres !== undefined ? { dataCentres } : {}),
    // Kubeconfigs are credentials: secret from the moment they are read.
    ...(kubeconfigs !== undefined ? { kubeconfigs: Object.fromEntries(Object.entries(kubeconfigs).map(([k, v]) => [k, pulumi.secret(v)])) } : {}),
    ...(agenciesPath !== undefined ? { agenciesPath } : {}),
  };
}

/** The whole program: stack config in, resources made, stack outputs out. */
export async function main(baseDir: string, opts: { provider?: pulumi.ProviderResource } = {}): Promise<Record<string, unknown>> {
  try {
    const settings = resolveSettings(rawConfig(), baseDir);
    const agencies = settings.agenciesPath ? await loadAgencies(settings.agenciesPath) : [];
    const r = bootstrap(settings, agencies, opts);
    return { namespace: r.namespace, operator: r.operator, crds: r.crds, dataCentres: r.dataCentres, agencies: r.agencies };
  } catch (err) {
    // A mistake in config or in the agencies' YAML: its message, without a stack trace.
    if (err instanceof SettingsError || err instanceof AgencyFolderError) throw new pulumi.RunError(err.message);
    throw err;
  }
}
