// The runtime library every govcloud controller is built on: import from here, not from the
// individual modules. A controller wires it like this:
//
//   const mgmt = ClusterClient.fromDefault('mgmt'); observeApiResponses(metrics.restClientRequest);
//   const tenants = new Informer<Tenant>({ name: 'mgmt/tenants', logger,
//     source: kubeListWatch(mgmt, { apiVersion: 'govcloud.io/v1', kind: 'Tenant', plural: 'tenants' }) });
//   const controller = new Controller({ name: 'tenant', metrics, logger, concurrency: 4,
//     reconcile: async (req) => { ... applier.sync(...); statusWriter.write(...); } });
//   tenants.addHandlers(enqueueHandlers(controller.enqueue.bind(controller), (t) => [objectKey('mgmt', t)]));
//   probes.addReadinessCheck('informer:mgmt/tenants', informerCheck(tenants));
//   new LeaderElector({ ..., onStartedLeading: () => controller.start(), onStoppedLeading: () => controller.shutDown() }).run();
export * from './apply.ts';
export * from './bounded.ts';
export * from './clock.ts';
export * from './clusters.ts';
export * from './conditions.ts';
export * from './deadline.ts';
export * from './errors.ts';
export * from './event-loop.ts';
export * from './events.ts';
export * from './exact.ts';
export * from './informer.ts';
export * from './keys.ts';
export * from './labels.ts';
export * from './leader.ts';
export * from './trim.ts';
export * from './list-watch.ts';
export * from './logger.ts';
export * from './managed-fields.ts';
export * from './metrics.ts';
export * from './queue.ts';
export * from './rate-limiter.ts';
export * from './reconciler.ts';
export * from './server.ts';
export * from './server-defaults.ts';
export * from './status.ts';
export * from './subset.ts';
