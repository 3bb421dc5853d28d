/** A priority's code as the report numbers them: "P01" to "P12" (the table allows P00 to P99). */
export const PRIORITY_CODE = /^P[0-9]{2}$/;

export function isPriorityCode(value: unknown): value is string {
  return typeof value === 'string' && PRIORITY_CODE.test(value);
}
