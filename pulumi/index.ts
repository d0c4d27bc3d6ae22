// The Pulumi program (Pulumi.yaml: main index.ts): bootstraps govcloud on the hub cluster
// that the stack's kubernetes provider points at. See docs/install.md and program.ts.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './program.ts';

const outputs = await main(dirname(fileURLToPath(import.meta.url)));

export const namespace = outputs.namespace;
export const operator = outputs.operator;
export const crds = outputs.crds;
export const dataCentres = outputs.dataCentres;
export const agencies = outputs.agencies;
