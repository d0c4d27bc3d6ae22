/** Labels and annotations the operator writes. Tenants cannot write them on namespaces. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  name: 'app.kubernetes.io/name',
  /** The agency's normalised identification code. */
  agency: 'govcloud.dev/agency',
  agencyName: 'govcloud.dev/agency-name',
  /** On namespaces: the uid of the Agency object they were made for (kept when retained). */
  agencyUid: 'govcloud.dev/agency-uid',
  workspace: 'govcloud.dev/workspace',
  securityLevel: 'govcloud.dev/security-level',
  dataClass: 'govcloud.dev/data-class',
  /** `<Kind>.<namespace>.<name>` of the govcloud object that wants this object: pruning selects on it. */
  owner: 'govcloud.dev/owner',
  service: 'govcloud.dev/service',
  /** Set on a retained namespace whose Agency is gone. */
  orphaned: 'govcloud.dev/orphaned',
} as const;

export const MANAGED_BY = 'govcloud';

export const ANNOTATIONS = {
  displayName: 'govcloud.dev/display-name',
  /** The full owner, where `govcloud.dev/owner` had to hold a hashed form. */
  owner: 'govcloud.dev/owner',
  encryption: 'govcloud.dev/encryption',
  identifier: 'govcloud.dev/identifier',
  validUntil: 'govcloud.dev/valid-until',
  /**
   * On a retained namespace, set by a platform engineer: the uid of the Agency that may adopt
   * it although its code differs from the code the namespace was made for.
   */
  releaseTo: 'govcloud.dev/release-to',
} as const;

export const FINALIZER = 'govcloud.dev/cleanup';

/** Dedicated nodes for security level 4: the node label and the taint key are the same. */
export const DEDICATED_NODE_KEY = 'govcloud.dev/dedicated';
export const DEDICATED_NODE_VALUE = 'level4';
