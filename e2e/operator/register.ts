// `e2e/operator/local.sh register` (make up): registers the data centres exactly as the e2e
// suite does before it starts the operator (CRDs, the chart's RBAC in every cluster, the
// members' token kubeconfig Secrets, the DataCentres), and prints the operator's kubeconfig.
import { hubCluster, loadClusters } from '../harness/index.ts';
import { operatorKubeconfig, registerDataCentres } from './platform.ts';

await registerDataCentres(loadClusters());
console.log(operatorKubeconfig(hubCluster()));
