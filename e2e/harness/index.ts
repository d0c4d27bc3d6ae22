// The e2e harness: clusters from a kubeconfig, per-test namespaces, bounded waits, manifests.
export { ApiError, Cluster, FIELD_MANAGER, ROOT, hubCluster, kubeconfigPath, loadClusters } from './clusters.ts';
export type { ApplyOptions, Impersonation, RawResponse, ResourceInfo } from './clusters.ts';
export { E2E_LABEL, Namespaces, RUN_ID, uniqueName } from './namespaces.ts';
export { govcloudBin } from './bundle.ts';
export { e2eSuite } from './suite.ts';
export type { E2EContext, E2ESuite, E2ETestOptions } from './suite.ts';
export { WaitTimeoutError, conditionTrue, waitFor } from './wait.ts';
export type { WaitOptions } from './wait.ts';
export { readManifests, yamlFiles, yamlFilesRecursive } from './manifests.ts';
export type { ManifestFile } from './manifests.ts';
