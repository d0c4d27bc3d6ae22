/**
 * Every `govcloud` command, in the order `govcloud help` lists them. To add one, write
 * commands/<name>.ts exporting a Command and add an entry (name, summary, load) to this list.
 */
import type { CommandEntry } from '../command.ts';

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'validate',
    summary: 'check YAML files and folders offline: schema, CEL rules, rules across objects',
    load: async () => (await import('./validate.ts')).validateCommand,
  },
  {
    name: 'plan',
    summary: 'validate, then show the Kubernetes objects each data centre would get',
    load: async () => (await import('./plan.ts')).planCommand,
  },
  {
    name: 'connectivity',
    summary: 'who can reach what: NetworkPolicy evaluation, matrix and --explain; --probe measures it',
    load: async () => (await import('./connectivity.ts')).connectivityCommand,
  },
  {
    name: 'catalogue',
    summary: 'the shared data services: owner, identifier, class, sharing, data centres, consumers',
    load: async () => (await import('./catalogue.ts')).catalogueCommand,
  },
  {
    name: 'audit',
    summary: "the access history from the hub API server's audit log: who requested, granted, revoked; when paths opened and closed",
    load: async () => (await import('./audit.ts')).auditCommand,
  },
  {
    name: 'showback',
    summary: 'capacity allocated and used per agency and data centre, services and links, from a running platform',
    load: async () => (await import('./showback.ts')).showbackCommand,
  },
  {
    name: 'dashboard',
    summary: 'web pages for leadership and auditors: live from the hub, or --static from files',
    load: async () => (await import('./dashboard.ts')).dashboardCommand,
  },
  {
    name: 'gitops',
    summary: 'for a GitOps repository: generate CODEOWNERS from the Agency objects',
    load: async () => (await import('./gitops.ts')).gitopsCommand,
  },
  {
    name: 'join',
    summary: 'make a cluster a member data centre: its RBAC, a short-lived token, the Secret and DataCentre on the hub',
    load: async () => (await import('./join.ts')).joinCommand,
  },
  {
    name: 'unjoin',
    summary: 'remove a data centre joined with govcloud join: refused while agencies are placed there',
    load: async () => (await import('./unjoin.ts')).unjoinCommand,
  },
  {
    name: 'operator',
    summary: 'run the operator against the hub cluster (controllers, leader election, probes, metrics)',
    load: async () => (await import('./operator.ts')).operatorCommand,
  },
];
