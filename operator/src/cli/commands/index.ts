/**
 * Every `govcloud` command, in the order `govcloud help` lists them. To add one, write
 * commands/<name>.ts exporting a Command and add it to this list.
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
    name: 'gitops',
    summary: 'for a GitOps repository: generate CODEOWNERS from the Agency objects',
    load: async () => (await import('./gitops.ts')).gitopsCommand,
  },
  {
    name: 'operator',
    summary: 'run the operator against the hub cluster (controllers, leader election, probes, metrics)',
    load: async () => (await import('./operator.ts')).operatorCommand,
  },
];
