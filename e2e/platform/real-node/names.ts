// Names shared by the real nodes' agent and the tests that schedule onto the real nodes.

/** Label and NoSchedule taint key of every real node: pods select it and tolerate it. */
export const REAL_NODE_LABEL = 'govcloud.dev/real-node';
/** Annotation the agent writes on a running pod: its network namespace (`ip netns exec <it> ...`). */
export const NETNS_ANNOTATION = 'govcloud.dev/local-netns';
/** Waiting reason of a container whose image is not in catalogue.ts. */
export const NOT_RUNNABLE = 'ImageNotRunnableLocally';
/** The real node of a data centre's cluster. */
export const realNodeName = (cluster: string): string => `${cluster}-real-node`;
