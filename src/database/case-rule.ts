/**
 * A rule written once as data and used two ways: rendered as a SQL `CASE` (so a list can filter
 * on it in the database) and evaluated in TypeScript (so a service can apply it to one record).
 * Both follow SQL's logic of NULL: a comparison with NULL is unknown, NOT unknown is unknown, and
 * a case applies only when its condition is true, so the two renderings cannot disagree.
 */

/** What a fact may hold in TypeScript; a boolean fact is a condition, null when unknown. */
export type FactValue = string | number | bigint | boolean | null;

type Operand<F extends string> = { fact: F } | { param: string } | { literal: string | number };
type Comparison = '=' | '<' | '<=' | '>' | '>=';

export type Condition<F extends string> =
  | { holds: F }
  | { compare: Comparison; left: Operand<F>; right: Operand<F> }
  | { isNull: F }
  | { all: ReadonlyArray<Condition<F>> }
  | { any: ReadonlyArray<Condition<F>> }
  | { not: Condition<F> };

export const fact = <F extends string>(name: F): Operand<F> => ({ fact: name });
export const param = (name: string): Operand<never> => ({ param: name });
export const literal = (value: string | number): Operand<never> => ({ literal: value });

/** A boolean fact holds. */
export const holds = <F extends string>(name: F): Condition<F> => ({ holds: name });
export const isNull = <F extends string>(name: F): Condition<F> => ({ isNull: name });
export const notNull = <F extends string>(name: F): Condition<F> => ({ not: { isNull: name } });
export const all = <F extends string>(...conditions: Array<Condition<F>>): Condition<F> => ({ all: conditions });
export const any = <F extends string>(...conditions: Array<Condition<F>>): Condition<F> => ({ any: conditions });
export const not = <F extends string>(condition: Condition<F>): Condition<F> => ({ not: condition });
const comparison =
  (compare: Comparison) =>
  <F extends string>(left: Operand<F>, right: Operand<F>): Condition<F> => ({ compare, left, right });
export const eq = comparison('=');
export const lt = comparison('<');
export const lte = comparison('<=');
export const gt = comparison('>');
export const gte = comparison('>=');

/** SQL for each fact (a column or expression; for a boolean fact, a condition) and each parameter. */
export interface SqlBindings<F extends string> {
  facts: Readonly<Record<F, string>>;
  params?: Readonly<Record<string, string>>;
}

/** Facts and parameters as TypeScript values. */
export interface Values<F extends string> {
  facts: Readonly<Record<F, FactValue>>;
  params?: Readonly<Record<string, FactValue>>;
}

/** The first case whose condition is true gives the result; a result is a constant or a fact's value. */
export class CaseRule<F extends string, R extends string> {
  /** Each case's condition as a function, built once: a status is derived for every pledge a page or an export shows. */
  private readonly compiled: ReadonlyArray<readonly [Evaluator<F>, R]>;

  constructor(
    private readonly rule: {
      cases: ReadonlyArray<readonly [Condition<F>, R]>;
      otherwise: R | { fact: F };
    },
  ) {
    this.compiled = rule.cases.map(([when, then]) => [compile(when), then] as const);
  }

  /** The rule as one SQL `CASE … END` expression. */
  sql(bindings: SqlBindings<F>): string {
    const operand = (o: Operand<F>): string => {
      if ('fact' in o) return bindings.facts[o.fact];
      if ('param' in o) {
        const bound = bindings.params?.[o.param];
        if (bound === undefined) throw new Error(`No SQL given for parameter ${o.param}`);
        return bound;
      }
      return typeof o.literal === 'number' ? String(o.literal) : sqlString(o.literal);
    };
    const condition = (c: Condition<F>): string => {
      if ('holds' in c) return `(${bindings.facts[c.holds]})`;
      if ('isNull' in c) return `${bindings.facts[c.isNull]} IS NULL`;
      if ('not' in c) return 'isNull' in c.not ? `${bindings.facts[c.not.isNull]} IS NOT NULL` : `NOT ${condition(c.not)}`;
      if ('all' in c) return `(${c.all.map(condition).join(' AND ')})`;
      if ('any' in c) return `(${c.any.map(condition).join(' OR ')})`;
      return `${operand(c.left)} ${c.compare} ${operand(c.right)}`;
    };
    const result = (r: R | { fact: F }) => (typeof r === 'string' ? sqlString(r) : bindings.facts[r.fact]);
    const whens = this.rule.cases.map(([when, then]) => `WHEN ${condition(when)} THEN ${result(then)}`);
    return `CASE ${whens.join(' ')} ELSE ${result(this.rule.otherwise)} END`;
  }

  /** The rule applied to one record's facts. */
  evaluate(values: Values<F>): R {
    for (const [holds, then] of this.compiled) if (holds(values) === true) return then;
    const otherwise = this.rule.otherwise;
    return typeof otherwise === 'string' ? otherwise : (values.facts[otherwise.fact] as R);
  }
}

type Evaluator<F extends string> = (values: Values<F>) => boolean | null;
type OperandEvaluator<F extends string> = (values: Values<F>) => FactValue;

function compileOperand<F extends string>(o: Operand<F>): OperandEvaluator<F> {
  if ('fact' in o) return (values) => values.facts[o.fact];
  if ('param' in o)
    return (values) => {
      const bound = values.params?.[o.param];
      if (bound === undefined) throw new Error(`No value given for parameter ${o.param}`);
      return bound;
    };
  return () => o.literal;
}

function compile<F extends string>(c: Condition<F>): Evaluator<F> {
  if ('holds' in c) return (values) => truth(values.facts[c.holds]);
  if ('isNull' in c) return (values) => values.facts[c.isNull] === null;
  if ('not' in c) {
    const inner = compile(c.not);
    return (values) => {
      const result = inner(values);
      return result === null ? null : !result;
    };
  }
  if ('all' in c) {
    const parts = c.all.map(compile);
    return (values) => {
      let unknown = false;
      for (const part of parts) {
        const result = part(values);
        if (result === false) return false;
        if (result === null) unknown = true;
      }
      return unknown ? null : true;
    };
  }
  if ('any' in c) {
    const parts = c.any.map(compile);
    return (values) => {
      let unknown = false;
      for (const part of parts) {
        const result = part(values);
        if (result === true) return true;
        if (result === null) unknown = true;
      }
      return unknown ? null : false;
    };
  }
  const left = compileOperand(c.left);
  const right = compileOperand(c.right);
  return (values) => compare(c.compare, left(values), right(values));
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function truth(value: FactValue): boolean | null {
  if (value === null) return null;
  if (typeof value !== 'boolean') throw new TypeError(`A condition fact must be a boolean or null, not ${typeof value}`);
  return value;
}

/** SQL's comparison: unknown when either side is NULL; numbers of either kind compared exactly, text with text. */
function compare(op: Comparison, left: FactValue, right: FactValue): boolean | null {
  if (left === null || right === null) return null;
  let order: number;
  if (typeof left === 'string' && typeof right === 'string') order = left < right ? -1 : left > right ? 1 : 0;
  else if ((typeof left === 'number' || typeof left === 'bigint') && (typeof right === 'number' || typeof right === 'bigint')) {
    const a = BigInt(left);
    const b = BigInt(right);
    order = a < b ? -1 : a > b ? 1 : 0;
  } else throw new TypeError(`Cannot compare ${typeof left} with ${typeof right}`);
  switch (op) {
    case '=':
      return order === 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}
