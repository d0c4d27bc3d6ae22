/**
 * One cluster's objects, read and ready for the evaluator: plain manifests, live objects,
 * or the objects rendered for one data centre (govcloud.ts).
 */
import { Evaluator } from './evaluate.ts';
import { buildMatrix, type Matrix, type MatrixInput, type PreviousMatrix } from './matrix.ts';
import type { Host } from './model.ts';
import { readInventory, type InputObject, type Inventory } from './objects.ts';

/** `dataCentre` is null for plain manifests and live clusters outside a govcloud platform. */
export interface View {
  dataCentre: string | null;
  inventory: Inventory;
  input: MatrixInput;
}

export function plainView(objects: readonly InputObject[], hosts: readonly Host[] = []): View {
  const inventory = readInventory(objects);
  return { dataCentre: null, inventory, input: { ...inventory, hosts } };
}

export interface ViewMatrix {
  dataCentre: string | null;
  matrix: Matrix;
}

export function viewMatrix(view: View, evaluator = new Evaluator(view.input), previous?: PreviousMatrix, sources?: ReadonlySet<string>): ViewMatrix {
  return { dataCentre: view.dataCentre, matrix: buildMatrix(view.input, evaluator, previous, sources) };
}
