// Names shared by the real nodes' agent and the tests that schedule onto the real nodes.

/** Label of every real node: pods that land there select it. */
export const REAL_NODE_LABEL = 'govcloud.dev/real-node';
/**
 * The real node's only taint: it is also its data centre's exchange-gateway node and carries
 * that node's NoSchedule taint, as a real cluster's gateway nodes do, so the operator's gateway
 * Deployment (which tolerates only this key) lands there unchanged. Test pods tolerate it too.
 */
export const REAL_NODE_TAINT_KEY = 'govcloud.dev/exchange-gateway';
export const REAL_NODE_TOLERATION = { key: REAL_NODE_TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' } as const;
/** Annotation the agent writes on a running pod: its network namespace (`ip netns exec <it> ...`). */
export const NETNS_ANNOTATION = 'govcloud.dev/local-netns';
/** Waiting reason of a container whose image is not in catalogue.ts. */
export const NOT_RUNNABLE = 'ImageNotRunnableLocally';
/** The real node of a data centre's cluster. */
export const realNodeName = (cluster: string): string => `${cluster}-real-node`;
