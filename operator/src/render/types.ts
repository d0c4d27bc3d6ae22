/**
 * What the renderers produce: desired Kubernetes objects per data centre, and issues where
 * something asked for could not be rendered. Renderers never throw on bad input; they
 * report an issue and render what is safe to render (never less isolation than asked).
 */

export interface DesiredMetadata {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Kubernetes object as the operator applies it (server-side apply, field manager govcloud). */
export interface DesiredObject {
  apiVersion: string;
  kind: string;
  metadata: DesiredMetadata;
  [field: string]: unknown;
}

/** The govcloud object an issue (or a rendered object) belongs to. */
export interface OwnerRef {
  kind: string;
  /** Absent for cluster-scoped owners (Agency, DataCentre). */
  namespace?: string;
  name: string;
}

/**
 * Why something was not rendered: placement refused, a reference that does not resolve,
 * a rule of the security level. `reason` is a CamelCase word for programs (conditions,
 * events); `message` is for people.
 */
export interface RenderIssue {
  owner: OwnerRef;
  /** Dotted path of the field at fault, e.g. `spec.placement.dataCentres`. */
  field?: string;
  /** The data centre the issue is about, when it is about one. */
  dataCentre?: string;
  reason: string;
  message: string;
}

/** The objects one govcloud object (or the whole platform) wants in one data centre, in apply order. */
export interface Rendered {
  dataCentre: string;
  objects: DesiredObject[];
}
