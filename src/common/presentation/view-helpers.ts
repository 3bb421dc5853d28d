import {
  NOT_AVAILABLE,
  formatCompact,
  formatDateTime,
  formatDateWords,
  formatMoneyExact,
  formatMoneyHuman,
  formatQuantity,
  formatShare,
  staleNote,
} from './format';

/** The part of `hbs` (or a Handlebars environment) that helpers are registered on. */
export interface HelperRegistry {
  registerHelper(name: string, fn: (...args: unknown[]) => unknown): void;
}

/** What Handlebars passes as a helper's last argument. */
interface HelperOptions {
  name: string;
  hash: Record<string, unknown>;
}

interface MoneyValue {
  amount: string;
  currency: string;
}

function isHelperOptions(value: unknown): value is HelperOptions {
  return typeof value === 'object' && value !== null && 'hash' in value && 'name' in value;
}

/** Splits Handlebars' arguments into the template's parameters and the options object. */
function splitArguments(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  const options = args[args.length - 1];
  if (!isHelperOptions(options)) throw new Error('View helpers must be called from a Handlebars template');
  return { params: args.slice(0, -1), options };
}

function isMoneyValue(value: unknown): value is MoneyValue {
  return typeof value === 'object' && value !== null && typeof (value as MoneyValue).amount === 'string' && typeof (value as MoneyValue).currency === 'string';
}

/**
 * Reads `{{helper money}}` (a contract money object) or `{{helper amount currency}}`.
 * null means "no such figure" and renders as a dash; undefined is almost always a misspelt
 * view-model field, so it stops the render with the helper's name rather than printing nothing.
 */
function moneyArguments(params: unknown[], helperName: string): MoneyValue | null {
  const [first, second] = params;
  if (first === null) return null;
  if (isMoneyValue(first)) return first;
  if (typeof first === 'string' && typeof second === 'string') return { amount: first, currency: second };
  throw new Error(`{{${helperName}}} needs a money object or an amount string and a currency, got ${describe(first)}`);
}

function describe(value: unknown): string {
  return value === undefined ? 'undefined (is the view-model field spelt right?)' : typeof value;
}

/**
 * Registers every helper of every template, screens and emails alike: the one place they are
 * registered (configure-app.ts for the pages, DigestRenderer for the emails). Each returns a plain
 * string or a boolean, so Handlebars escapes it like any other value; none returns a SafeString.
 *
 * - `{{money total}}`, `{{money pledge.amount pledge.currency}}` → "1,367,251 USD" (cents only below 10,000)
 * - `{{moneyExact total}}` → "1,367,250.55 USD": a record's own figure, and the `title` beside a rounded one
 * - `{{moneyCompact total}}` → "464M USD" in headlines (pair it with `title="{{moneyExact total}}"`)
 * - `{{share foreignShare.pledged}}` → "4.78%", null → "—"
 * - `{{quantity pledge.inKind.quantity pledge.inKind.unit}}` → "12 MDDs"
 * - `{{staleNote converted.valueDate converted.rateDate}}` → "rate of 2024-10-11, 171 days earlier", "" when the rate is not stale
 * - `{{dateWords gap.asOf}}` → "31 March 2025"; `{{dateTime entry.at}}` → "5 December 2026, 21:43" (Baku time)
 * - `{{#if (eq role "admin")}}`, `{{#if (includes form.priorityCodes code)}}`, `{{#if (or a b)}}`
 */
export function registerViewHelpers(hbs: HelperRegistry): void {
  const moneyHelper =
    (format: (amount: string, currency: string) => string) =>
    (...args: unknown[]): string => {
      const { params, options } = splitArguments(args);
      const money = moneyArguments(params, options.name);
      return money === null ? NOT_AVAILABLE : format(money.amount, money.currency);
    };
  hbs.registerHelper('money', moneyHelper(formatMoneyHuman));
  hbs.registerHelper('moneyExact', moneyHelper(formatMoneyExact));
  hbs.registerHelper('moneyCompact', moneyHelper(formatCompact));

  hbs.registerHelper('share', (...args: unknown[]): string => {
    const { params, options } = splitArguments(args);
    const [fraction] = params;
    if (fraction !== null && typeof fraction !== 'string') {
      throw new Error(`{{${options.name}}} needs a decimal string or null, got ${describe(fraction)}`);
    }
    return formatShare(fraction);
  });

  hbs.registerHelper('quantity', (...args: unknown[]): string => {
    const { params, options } = splitArguments(args);
    const [quantity, unit] = params;
    if (quantity === null) return NOT_AVAILABLE;
    if (typeof quantity !== 'string' || (unit !== undefined && typeof unit !== 'string')) {
      throw new Error(`{{${options.name}}} needs a decimal string and an optional unit, got ${describe(quantity)}`);
    }
    return formatQuantity(quantity, unit);
  });

  hbs.registerHelper('staleNote', (...args: unknown[]): string => {
    const { params, options } = splitArguments(args);
    const [valueDate, rateDate] = params;
    if (rateDate === undefined || rateDate === null) return '';
    if (typeof valueDate !== 'string' || typeof rateDate !== 'string') {
      throw new Error(`{{${options.name}}} needs a value date and a rate date, got ${describe(valueDate)} and ${describe(rateDate)}`);
    }
    return staleNote(valueDate, rateDate) ?? '';
  });

  hbs.registerHelper('dateWords', (...args: unknown[]): string => {
    const { params, options } = splitArguments(args);
    const [date] = params;
    if (date === null) return NOT_AVAILABLE;
    if (typeof date !== 'string') throw new Error(`{{${options.name}}} needs a YYYY-MM-DD date, got ${describe(date)}`);
    return formatDateWords(date);
  });

  hbs.registerHelper('dateTime', (...args: unknown[]): string => {
    const { params, options } = splitArguments(args);
    const [instant] = params;
    if (instant === null) return NOT_AVAILABLE;
    if (typeof instant !== 'string' && !(instant instanceof Date)) throw new Error(`{{${options.name}}} needs a time, got ${describe(instant)}`);
    return formatDateTime(instant);
  });

  hbs.registerHelper('eq', (...args: unknown[]): boolean => {
    const { params } = splitArguments(args);
    return params[0] === params[1];
  });

  hbs.registerHelper('includes', (...args: unknown[]): boolean => {
    const { params } = splitArguments(args);
    return Array.isArray(params[0]) && params[0].includes(params[1]);
  });

  hbs.registerHelper('or', (...args: unknown[]): boolean => splitArguments(args).params.some(Boolean));
}
