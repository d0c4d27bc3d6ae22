import { Type } from '@sinclair/typebox';
import { dataClass } from './agency.ts';
import type { KindDefinition, Resource } from './kind.ts';
import { cel, conditions, date, dnsLabel, mapListOf, observedGeneration, securityLevel, text } from './schema.ts';

export const MIGRATION_STATES = ['planned', 'migrating', 'migrated', 'retired'] as const;
export type MigrationState = (typeof MIGRATION_STATES)[number];
/** States in which a system no longer runs in the agency's own server room. */
export const DONE_STATES: readonly MigrationState[] = ['migrated', 'retired'];

const System = Type.Object(
  {
    name: dnsLabel('Short name of the information system, unique in the agency.', 63),
    displayName: text('Name in Vietnamese (UTF-8), e.g. "Hệ thống quản lý văn bản và điều hành".'),
    securityLevel: securityLevel("The system's security level (Decree 85/2016): the target data centre must be accredited for it."),
    dataClass: dataClass('the system'),
    currentLocation: text('Where it runs today, e.g. "Phòng máy chủ Sở Thông tin và Truyền thông, 12 Lê Lợi".', 256),
    target: Type.Optional(
      Type.Object(
        {
          dataCentre: dnsLabel('The DataCentre it moves to.'),
          workspace: dnsLabel("The agency's workspace it moves into; it must exist once the system is migrated.", 30),
        },
        { description: 'Where the system moves to. Required unless the system is retired instead.' },
      ),
    ),
    targetDate: date('When the system is to be migrated (or retired).'),
    state: Type.String({
      description: 'planned, migrating, migrated (runs in the target workspace) or retired (shut down instead of moved).',
      enum: [...MIGRATION_STATES],
    }),
    completedOn: Type.Optional(date('When the system was migrated or retired; required in those states and only in them.')),
  },
  {
    description: 'One information system the agency still runs in its own server room, and its plan.',
    ...cel(
      {
        rule: "self.state == 'retired' || has(self.target)",
        message: 'a system that is not retired needs a target',
        fieldPath: '.target',
        reason: 'FieldValueRequired',
      },
      {
        rule: "(self.state == 'migrated' || self.state == 'retired') == has(self.completedOn)",
        message: 'completedOn is set exactly when the state is migrated or retired',
        fieldPath: '.completedOn',
      },
    ),
  },
);

const MigrationPlanSpec = Type.Object(
  {
    description: Type.Optional(text('What the plan covers, e.g. "Lộ trình chuyển đổi giai đoạn 2026–2027".', 512)),
    systems: mapListOf(System, 'name', { description: 'The information systems and the plan for each.', minItems: 1, maxItems: 256 }),
  },
  { description: "An agency's consolidation roadmap: the systems it still runs in its own server rooms and where each moves, by when." },
);

const OverdueSystem = Type.Object(
  {
    name: Type.String({ description: 'The system.' }),
    targetDate: Type.String({ description: 'The date it was due.' }),
    state: Type.String({ description: 'Its state: planned or migrating.' }),
  },
  { description: 'A system past its target date and not yet migrated or retired.' },
);

const count = (description: string) => Type.Integer({ description, minimum: 0 });

const MigrationPlanStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration()),
    conditions: Type.Optional(conditions()),
    agency: Type.Optional(Type.String({ description: 'The agency acting, taken from the namespace.' })),
    systems: Type.Optional(count('Systems in the plan.')),
    planned: Type.Optional(count('Systems planned.')),
    migrating: Type.Optional(count('Systems migrating.')),
    migrated: Type.Optional(count('Systems migrated.')),
    retired: Type.Optional(count('Systems retired.')),
    overdueCount: Type.Optional(count('Systems past their target date and not migrated or retired.')),
    lateCompletions: Type.Optional(count('Systems migrated or retired after their target date.')),
    overdue: Type.Optional(
      mapListOf(OverdueSystem, 'name', { description: 'Systems past their target date and not migrated or retired, the earliest due first.' }),
    ),
    nextTargetDate: Type.Optional(Type.String({ description: 'The earliest target date still ahead, of a system not migrated or retired.' })),
  },
  { description: 'Progress of the plan as the operator last computed it.' },
);

export const MigrationPlanKind = {
  kind: 'MigrationPlan',
  plural: 'migrationplans',
  singular: 'migrationplan',
  shortNames: ['mplan'],
  scope: 'Namespaced',
  description:
    "An agency's consolidation roadmap, in its hub namespace: each information system it still runs in its own server rooms, its target data centre and workspace, target date and state.",
  spec: MigrationPlanSpec,
  status: MigrationPlanStatus,
  printerColumns: [
    { name: 'Systems', type: 'integer', jsonPath: '.status.systems', description: 'Systems in the plan.' },
    { name: 'Migrated', type: 'integer', jsonPath: '.status.migrated', description: 'Systems migrated.' },
    { name: 'Retired', type: 'integer', jsonPath: '.status.retired', description: 'Systems retired.' },
    { name: 'Overdue', type: 'integer', jsonPath: '.status.overdueCount', description: 'Systems past their target date.' },
    { name: 'Next', type: 'string', jsonPath: '.status.nextTargetDate', description: 'Next target date.' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Ready condition.' },
  ],
} satisfies KindDefinition;

export type MigrationPlan = Resource<typeof MigrationPlanKind>;
