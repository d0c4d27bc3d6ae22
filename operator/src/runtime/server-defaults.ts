// What the API server stores for an object of a security-relevant kind: the desired object
// with the defaults the server's registry fills in (the `SetDefaults_*` functions of the
// kind's API group), so that an exact comparison of live and desired sees only what someone
// changed, never a default. Only the fields those kinds default are handled; a default this
// module does not know shows as a difference on every reconcile (a write each time), never as
// a hidden one, and the steady-state tests (unit per kind, e2e against real API servers)
// catch it.

type Json = Record<string, unknown>;

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function records(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

/** networking/v1: policyTypes from the rules present; a port's protocol TCP. */
function networkPolicy(spec: Json): void {
  const types = spec.policyTypes;
  if (!Array.isArray(types) || types.length === 0) {
    const egress = spec.egress;
    spec.policyTypes = Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const rule of [...records(spec.ingress), ...records(spec.egress)]) {
    for (const port of records(rule.ports)) port.protocol ??= 'TCP';
  }
}

/** rbac/v1: roleRef's and User/Group subjects' apiGroup. */
function binding(obj: Json): void {
  if (isPlainObject(obj.roleRef) && !obj.roleRef.apiGroup) obj.roleRef.apiGroup = RBAC_GROUP;
  for (const subject of records(obj.subjects)) {
    if (subject.apiGroup) continue;
    if (subject.kind === 'User' || subject.kind === 'Group') subject.apiGroup = RBAC_GROUP;
  }
}

/** admissionregistration/v1 MatchResources: matchPolicy, both selectors, each rule's scope. */
function matchResources(match: Json): void {
  match.matchPolicy ??= 'Equivalent';
  match.namespaceSelector ??= {};
  match.objectSelector ??= {};
  for (const rule of [...records(match.resourceRules), ...records(match.excludeResourceRules)]) rule.scope ??= '*';
}

/** core/v1 LimitRangeItem of type Container: default from max, defaultRequest from default, then from min. */
function limitRange(spec: Json): void {
  for (const item of records(spec.limits)) {
    if (item.type !== 'Container') continue;
    const fill = (target: string, from: unknown) => {
      if (!isPlainObject(from)) return;
      const into = isPlainObject(item[target]) ? (item[target] as Json) : {};
      for (const [k, v] of Object.entries(from)) if (!(k in into)) into[k] = v;
      if (Object.keys(into).length > 0) item[target] = into;
    };
    fill('default', item.max);
    fill('defaultRequest', item.default);
    fill('defaultRequest', item.min);
  }
}

/**
 * A copy of `obj` as the API server would store it (kinds matched by group and kind; other
 * kinds are copied unchanged).
 */
export function withServerDefaults<T>(obj: T & { apiVersion?: string; kind?: string }): T {
  const copy = structuredClone(obj) as T & Json;
  const group = (obj.apiVersion ?? 'v1').includes('/') ? (obj.apiVersion ?? '').split('/')[0] : '';
  const spec = isPlainObject(copy.spec) ? copy.spec : undefined;
  switch (`${group}/${obj.kind}`) {
    case 'networking.k8s.io/NetworkPolicy':
      if (spec) networkPolicy(spec);
      break;
    case `${RBAC_GROUP}/RoleBinding`:
    case `${RBAC_GROUP}/ClusterRoleBinding`:
      binding(copy);
      break;
    case 'admissionregistration.k8s.io/ValidatingAdmissionPolicy':
      if (spec) {
        spec.failurePolicy ??= 'Fail';
        if (isPlainObject(spec.matchConstraints)) matchResources(spec.matchConstraints);
      }
      break;
    case 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding':
      if (spec && isPlainObject(spec.matchResources)) matchResources(spec.matchResources);
      break;
    case '/LimitRange':
      if (spec) limitRange(spec);
      break;
  }
  return copy;
}
