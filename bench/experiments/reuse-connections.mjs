// An experiment, not a fix: what the operator would gain by reusing its HTTPS connections.
// @kubernetes/client-node 2.x makes a new undici Agent (a new connection pool, so a new TLS
// handshake) in KubeConfig.applySecurityAuthentication for every request. Preloaded into the
// operator, this keeps one Agent per KubeConfig and cluster instead:
//
//   BENCH_OPERATOR_NODE_OPTIONS="--import ./bench/experiments/reuse-connections.mjs" make bench
//
// The operator's code is unchanged; results of such a run are labelled with the option.
import { KubeConfig } from '@kubernetes/client-node';

const original = KubeConfig.prototype.createDispatcher;
const pools = new WeakMap();
KubeConfig.prototype.createDispatcher = function (cluster, agentOptions) {
  let byCluster = pools.get(this);
  if (!byCluster) pools.set(this, (byCluster = new Map()));
  const key = JSON.stringify([cluster?.name, cluster?.server, this.getCurrentUser()?.name]);
  if (!byCluster.has(key)) byCluster.set(key, original.call(this, cluster, agentOptions));
  return byCluster.get(key);
};
