import type { FieldProblem } from '../common/errors/domain-errors';

/** Field problems with the id of the input they sit beside, for the error summary's links. */
export function withFieldIds(problems: FieldProblem[]): Array<FieldProblem & { fieldId: string }> {
  return problems.map((p) => ({ ...p, fieldId: p.field === 'form' ? 'main' : p.field }));
}

/** Problems keyed by field, for `{{#with errors.amount}}` beside each input; the first message per field wins. */
export function errorsByField(problems: FieldProblem[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const p of problems) byField[p.field] ??= p.message;
  return byField;
}
