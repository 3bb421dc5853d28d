import { NOT_AVAILABLE, formatCompact, formatMoneyHuman, formatQuantity, formatShare, staleNote, type MoneyStyle } from './format';

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

function moneyStyle(options: HelperOptions): MoneyStyle {
  const style = options.hash.style ?? 'code';
  if (style !== 'code' && style !== 'symbol') throw new Error(`{{${options.name}}} style must be "code" or "symbol"`);
  return style;
}

/**
 * Registers the formatting helpers used by every template. Each returns a plain string, so
 * Handlebars escapes it like any other value; none returns a SafeString.
 *
 * - `{{money pledge.amount pledge.currency}}`, `{{money total}}`, `{{money total style="symbol"}}`
 * - `{{moneyCompact total}}` → "464.1M USD" (pair it with `title="{{money total}}"`)
 * - `{{share foreignShare.pledged}}` → "4.78%", null → "—"
 * - `{{quantity pledge.inKind.quantity pledge.inKind.unit}}` → "12 MDDs"
 * - `{{staleNote converted.valueDate converted.rateDate}}` → "rate of 2024-10-11, 171 days earlier", "" when the rate is not stale
 * - `{{#if (eq role "admin")}}`
 */
export function registerViewHelpers(hbs: HelperRegistry): void {
  hbs.registerHelper('money', (...args: unknown[]): string => {
    const { params, options } = splitArguments(args);
    const money = moneyArguments(params, options.name);
    return money === null ? NOT_AVAILABLE : formatMoneyHuman(money.amount, money.currency, moneyStyle(options));
  });

  hbs.registerHelper('moneyCompact', (...args: unknown[]): string => {
    const { params, options } = splitArguments(args);
    const money = moneyArguments(params, options.name);
    return money === null ? NOT_AVAILABLE : formatCompact(money.amount, money.currency);
  });

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

  hbs.registerHelper('eq', (...args: unknown[]): boolean => {
    const { params } = splitArguments(args);
    return params[0] === params[1];
  });
}
