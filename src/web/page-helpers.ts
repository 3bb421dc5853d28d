import type { HelperRegistry } from '../common/presentation/view-helpers';

/**
 * Helpers for forms and lists (common/presentation/view-helpers.ts holds the number formatting
 * ones). Each returns a boolean or a plain string, which Handlebars escapes.
 *
 * - `{{#if (includes form.priorityCodes code)}}checked{{/if}}`
 * - `{{#if (or a b)}}`
 */
export function registerPageHelpers(hbs: HelperRegistry): void {
  hbs.registerHelper('includes', (list: unknown, value: unknown): boolean => Array.isArray(list) && list.includes(value));
  hbs.registerHelper('or', (...args: unknown[]): boolean => args.slice(0, -1).some(Boolean));
}
