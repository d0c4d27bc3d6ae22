/**
 * Every `govcloud` command, in the order `govcloud help` lists them. To add one, write
 * commands/<name>.ts exporting a Command and add it to this list.
 */
import type { Command } from '../command.ts';
import { auditCommand } from './audit.ts';
import { catalogueCommand } from './catalogue.ts';
import { connectivityCommand } from './connectivity.ts';
import { dashboardCommand } from './dashboard.ts';
import { gitopsCommand } from './gitops.ts';
import { joinCommand } from './join.ts';
import { operatorCommand } from './operator.ts';
import { planCommand } from './plan.ts';
import { showbackCommand } from './showback.ts';
import { unjoinCommand } from './unjoin.ts';
import { validateCommand } from './validate.ts';

export const COMMANDS: readonly Command[] = [
  validateCommand,
  planCommand,
  connectivityCommand,
  catalogueCommand,
  auditCommand,
  showbackCommand,
  dashboardCommand,
  gitopsCommand,
  joinCommand,
  unjoinCommand,
  operatorCommand,
];
