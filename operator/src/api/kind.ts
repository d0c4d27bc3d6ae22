/**
 * What a kind needs besides its schemas to become a CRD and a typed object.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { CelRule } from './schema.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface KindDefinition<Spec extends TSchema = TSchema, Status extends TSchema = TSchema> {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Cluster' | 'Namespaced';
  description: string;
  spec: Spec;
  status: Status;
  /** Rules on the whole object (they may read metadata.name). */
  rootRules?: CelRule[];
  printerColumns: PrinterColumn[];
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

/** A custom resource object as it comes from YAML or the API server. */
export interface Resource<Def extends KindDefinition> {
  apiVersion: string;
  kind: Def['kind'];
  metadata: ObjectMeta;
  spec: Static<Def['spec']>;
  status?: Partial<Static<Def['status']>>;
}
