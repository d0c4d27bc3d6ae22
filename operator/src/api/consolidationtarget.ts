import { Type } from '@sinclair/typebox';
import { AGENCY_TYPES } from './agency.ts';
import type { KindDefinition, Resource } from './kind.ts';
import { conditions, date, observedGeneration, setOf, text } from './schema.ts';

const ConsolidationTargetSpec = Type.Object(
  {
    description: text('The target as the decision states it, in Vietnamese, e.g. "100% hệ thống cấp bộ chuyển về trung tâm dữ liệu dùng chung".', 512),
    agencyTypes: Type.Optional(
      setOf(Type.String({ description: 'An agency type.', enum: [...AGENCY_TYPES] }), {
        description: 'The agencies the target applies to, by type. Absent: every agency.',
        minItems: 1,
        maxItems: AGENCY_TYPES.length,
      }),
    ),
    sharePercent: Type.Integer({
      description: "Share of the systems in the agencies' MigrationPlans to be migrated or retired by the date, in percent, for each agency and over all.",
      minimum: 1,
      maximum: 100,
    }),
    by: date('The date the share is due.'),
  },
  { description: 'A platform-wide consolidation target: what share of systems must have left the server rooms, by when.' },
);

const count = (description: string) => Type.Integer({ description, minimum: 0 });

const ConsolidationTargetStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration()),
    conditions: Type.Optional(conditions()),
    agencies: Type.Optional(count('Agencies the target applies to that have a MigrationPlan.')),
    systems: Type.Optional(count("Systems in those agencies' plans.")),
    done: Type.Optional(count('Of those, systems migrated or retired.')),
    sharePercent: Type.Optional(count('done / systems, in percent, rounded down.')),
    agenciesBehind: Type.Optional(count("Agencies whose own share is below the target's.")),
    behind: Type.Optional(
      setOf(Type.String({ description: 'An Agency name.' }), {
        description: 'Agencies whose own share is below the target, the furthest behind first (at most 50).',
        maxItems: 50,
      }),
    ),
  },
  { description: 'Progress against the target as the operator last computed it.' },
);

export const ConsolidationTargetKind = {
  kind: 'ConsolidationTarget',
  plural: 'consolidationtargets',
  singular: 'consolidationtarget',
  shortNames: ['ctarget'],
  scope: 'Cluster',
  description: "A platform-wide consolidation target set by platform engineers: the share of agencies' systems migrated or retired by a date, per agency type.",
  spec: ConsolidationTargetSpec,
  status: ConsolidationTargetStatus,
  printerColumns: [
    { name: 'Target %', type: 'integer', jsonPath: '.spec.sharePercent', description: 'Share due.' },
    { name: 'By', type: 'string', jsonPath: '.spec.by', description: 'Due date.' },
    { name: 'Now %', type: 'integer', jsonPath: '.status.sharePercent', description: 'Share reached.' },
    { name: 'Behind', type: 'integer', jsonPath: '.status.agenciesBehind', description: 'Agencies below the target.' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Ready condition.' },
  ],
} satisfies KindDefinition;

export type ConsolidationTarget = Resource<typeof ConsolidationTargetKind>;
