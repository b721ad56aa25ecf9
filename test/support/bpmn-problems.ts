// What the compiler says about a BPMN file it refuses, for the compiler tests.
import { type BpmnProblem, BpmnCompileError, compileBpmn } from '../../src/processes/compiler.js';

/** Every problem a file has; fails when the compiler accepts it. */
export async function problems(xml: string): Promise<BpmnProblem[]> {
  try {
    await compileBpmn(xml);
  } catch (err) {
    if (err instanceof BpmnCompileError) return err.errors;
    throw err;
  }
  throw new Error('expected compileBpmn to refuse the file');
}

/** The one problem a file has; exactness also shows that one mistake does not cascade. */
export async function onlyProblem(xml: string): Promise<BpmnProblem> {
  const found = await problems(xml);
  expect(found).toHaveLength(1);
  return found[0]!;
}
