// `e2e/operator/local.sh dashboard-identity` (make up): the chart's dashboard RBAC on the hub,
// the dashboard's kubeconfig (printed), and for signing in locally a ServiceAccount
// govcloud-local-leadership bound to the leadership role (the chart binds groups instead).
import type { KubernetesObject } from '@kubernetes/client-node';
import { hubCluster } from '../harness/index.ts';
import { installDashboardIdentity, LEADERSHIP_ROLE } from './dashboard.ts';
import { NAMESPACE } from './platform.ts';

const LOCAL_LEADERSHIP = 'govcloud-local-leadership';

const hub = hubCluster();
const kubeconfig = await installDashboardIdentity(hub);
await hub.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: LOCAL_LEADERSHIP, namespace: NAMESPACE } });
await hub.apply({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: LOCAL_LEADERSHIP },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: LEADERSHIP_ROLE },
  subjects: [{ kind: 'ServiceAccount', name: LOCAL_LEADERSHIP, namespace: NAMESPACE }],
} as KubernetesObject);
console.log(kubeconfig);
