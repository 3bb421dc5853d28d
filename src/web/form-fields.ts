/** A form field as text: a string cut to `max` characters (a bound on what a form can carry), anything else (absent, repeated) as ''. */
export function single(value: unknown, max = 200): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}
