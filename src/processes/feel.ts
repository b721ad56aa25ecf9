// FEEL conditions of exclusive gateways and multi-instance completion, evaluated by feelin: a real
// FEEL interpreter, never `eval`. Pure, so the interpreter workflow and the compiler share it.
import { evaluate } from 'feelin';

/** Conditions may be written Camunda-style with a leading "=". */
export const feelSource = (expression: string): string => expression.trim().replace(/^=\s*/, '');

export interface FeelResult {
  value: unknown;
  /** Names the expression read that the context does not hold. */
  missing: string[];
  /** Anything else feelin warned about (type mismatches, unknown functions). */
  warnings: string[];
}

/** Evaluates a FEEL expression; throws feelin's SyntaxError on a malformed one. */
export function evaluateFeel(expression: string, context: Record<string, unknown>): FeelResult {
  const { value, warnings } = evaluate(feelSource(expression), context);
  const missing = warnings
    .filter((w) => w.type === 'NO_VARIABLE_FOUND')
    .map((w) => feelSource(expression).slice(w.position.from, w.position.to));
  return {
    value,
    missing: [...new Set(missing)],
    warnings: warnings.filter((w) => w.type !== 'NO_VARIABLE_FOUND').map((w) => w.message),
  };
}

/** A condition holds only when it evaluates to true; null, false or anything else does not. */
export const conditionHolds = (expression: string, context: Record<string, unknown>): boolean =>
  evaluateFeel(expression, context).value === true;
