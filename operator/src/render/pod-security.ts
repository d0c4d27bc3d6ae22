/**
 * The container settings Pod Security's `restricted` profile asks for, the one place the
 * workloads the renderers emit (a shared data service, the exchange gateway) take them from.
 */

/** A fresh object each call: a rendered object never shares values another may change. */
export function restrictedContainerSecurity(): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
