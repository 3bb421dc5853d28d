import Decimal from 'decimal.js';

/**
 * Our own evaluator for the IATI Standard's rulesets (IATI/IATI-Rulesets, `rulesets/standard.json`,
 * copied to schemas/iati-rulesets/ with its source named there): the rules the IATI validator
 * applies beyond the schema. The rule types follow that project's SPEC.rst (JS edition); their
 * XPath is the small part of XPath 1.0 the rules use, evaluated here on a small DOM:
 *   location paths of child steps, `@attr`, `text()`, `.`, `..`, a leading `/` or `//`, `|`;
 *   predicates; `or`, `and`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `+`, `-`; the functions `count()`,
 *   `not()`, `string()`, `number()`, `boolean()`, `true()`, `false()`. Anything else (another
 *   function, an axis name, a variable) throws, so a new rule that needs more fails loudly rather
 *   than passing by being skipped.
 * No package in the project evaluates XPath on Node (xmllint-wasm validates only), hence this file.
 */

// ---------------------------------------------------------------- a small DOM

export interface XNode {
  kind: 'root' | 'element' | 'attribute' | 'text';
  name: string;
  value: string;
  parent: XNode | null;
  attributes: XNode[];
  children: XNode[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    const known = ENTITIES[name];
    if (known === undefined) throw new Error(`unknown XML entity ${whole}`);
    return known;
  });
}

const node = (kind: XNode['kind'], name: string, value: string, parent: XNode | null): XNode => ({ kind, name, value, parent, attributes: [], children: [] });

/** Parses well-formed XML without a DTD (what the export writes); anything else throws. */
export function parseXml(xml: string): XNode {
  const root = node('root', '', '', null);
  let current = root;
  const tag = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let at = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const between = xml.slice(at, m.index);
    if (between.includes('<')) throw new Error(`malformed XML near offset ${at}`);
    if (between && current !== root) current.children.push(node('text', '', decode(between), current));
    at = tag.lastIndex;
    if (m[1] !== undefined) current.children.push(node('text', '', m[1], current));
    else if (m[2] !== undefined) {
      if (current.name !== m[2]) throw new Error(`</${m[2]}> closes <${current.name}>`);
      current = current.parent as XNode;
    } else if (m[3] !== undefined) {
      const element = node('element', m[3], '', current);
      for (const a of m[4].matchAll(/([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
        element.attributes.push(node('attribute', a[1], decode(a[2] ?? a[3]), element));
      current.children.push(element);
      if (m[5] !== '/') current = element;
    }
  }
  if (current !== root || xml.slice(at).trim()) throw new Error('XML ends inside an element');
  return root;
}

export function stringValue(n: XNode): string {
  if (n.kind === 'attribute' || n.kind === 'text') return n.value;
  return n.children.map(stringValue).join('');
}

// ---------------------------------------------------------------- XPath (the subset)

type Value = XNode[] | number | string | boolean;

type Expr =
  | { op: 'path'; absolute: '' | '/' | '//'; steps: Step[] }
  | { op: 'literal'; value: string | number }
  | { op: 'call'; name: string; args: Expr[] }
  | { op: 'binary'; operator: string; left: Expr; right: Expr }
  | { op: 'negate'; operand: Expr }
  | { op: 'union'; parts: Expr[] };

interface Step {
  descendant: boolean;
  axis: 'child' | 'attribute' | 'self' | 'parent';
  test: string; // a name, '*', 'text()' or 'node()'
  predicates: Expr[];
}

const TOKEN =
  /\s*(\/\/|\/|\.\.|\.|@|\[|\]|\(|\)|\||!=|<=|>=|=|<|>|\+|-|,|\*|"[^"]*"|'[^']*'|\d+(?:\.\d*)?|\.\d+|[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?|\$\d+)/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) {
      if (!source.slice(start).trim()) break;
      throw new Error(`XPath: cannot read ${JSON.stringify(source.slice(start))} in ${JSON.stringify(source)}`);
    }
    tokens.push(m[1]);
  }
  return tokens;
}

const FUNCTIONS = new Set(['count', 'not', 'string', 'number', 'boolean', 'true', 'false']);

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: string[],
    private readonly source: string,
  ) {}

  parse(): Expr {
    const e = this.or();
    if (this.i < this.tokens.length) this.fail(`unexpected ${this.tokens[this.i]}`);
    return e;
  }

  private fail(why: string): never {
    throw new Error(`XPath ${JSON.stringify(this.source)}: ${why}`);
  }
  private peek(offset = 0): string | undefined {
    return this.tokens[this.i + offset];
  }
  private take(expected?: string): string {
    const t = this.tokens[this.i++];
    if (t === undefined || (expected !== undefined && t !== expected)) this.fail(`expected ${expected ?? 'more'}, found ${t ?? 'the end'}`);
    return t;
  }
  private binary(next: () => Expr, operators: string[]): Expr {
    let left = next();
    while (operators.includes(this.peek() ?? '')) {
      const operator = this.take();
      left = { op: 'binary', operator, left, right: next() };
    }
    return left;
  }
  private or = (): Expr => this.binary(this.and, ['or']);
  private and = (): Expr => this.binary(this.equality, ['and']);
  private equality = (): Expr => this.binary(this.relational, ['=', '!=']);
  private relational = (): Expr => this.binary(this.additive, ['<', '<=', '>', '>=']);
  private additive = (): Expr => this.binary(this.unary, ['+', '-']);
  private unary = (): Expr => (this.peek() === '-' ? (this.take(), { op: 'negate', operand: this.unary() }) : this.union());
  private union = (): Expr => {
    const parts = [this.pathOrPrimary()];
    while (this.peek() === '|') {
      this.take();
      parts.push(this.pathOrPrimary());
    }
    return parts.length === 1 ? parts[0] : { op: 'union', parts };
  };

  private pathOrPrimary(): Expr {
    const t = this.peek();
    if (t === undefined) this.fail('expected an expression');
    if (/^["']/.test(t)) return { op: 'literal', value: this.take().slice(1, -1) };
    if (/^\.?\d/.test(t)) return { op: 'literal', value: Number(this.take()) };
    if (t === '(') {
      this.take();
      const inner = this.or();
      this.take(')');
      return this.predicates().length ? this.fail('predicates on a parenthesised expression are not supported') : inner;
    }
    if (/^[A-Za-z_]/.test(t) && this.peek(1) === '(' && t !== 'text' && t !== 'node') {
      if (!FUNCTIONS.has(t)) this.fail(`function ${t}() is not supported by this evaluator`);
      this.take();
      this.take('(');
      const args: Expr[] = [];
      while (this.peek() !== ')') {
        args.push(this.or());
        if (this.peek() === ',') this.take();
      }
      this.take(')');
      return { op: 'call', name: t, args };
    }
    let absolute: '' | '/' | '//' = '';
    if (t === '/' || t === '//') absolute = this.take() as '/' | '//';
    const steps: Step[] = [];
    if (absolute !== '/' || this.startsStep()) steps.push(this.step(absolute === '//'));
    while (this.peek() === '/' || this.peek() === '//') steps.push(this.step(this.take() === '//'));
    return { op: 'path', absolute: absolute === '//' ? '/' : absolute, steps };
  }

  private startsStep(): boolean {
    const t = this.peek();
    return t !== undefined && (t === '@' || t === '.' || t === '..' || t === '*' || /^[A-Za-z_]/.test(t));
  }

  private step(descendant: boolean): Step {
    const t = this.take();
    if (t === '.') return { descendant, axis: 'self', test: 'node()', predicates: [] };
    if (t === '..') return { descendant, axis: 'parent', test: 'node()', predicates: [] };
    let axis: Step['axis'] = 'child';
    let name = t;
    if (t === '@') {
      axis = 'attribute';
      name = this.take();
    }
    if ((name === 'text' || name === 'node') && this.peek() === '(') {
      this.take('(');
      this.take(')');
      name = `${name}()`;
    } else if (name !== '*' && !/^[A-Za-z_]/.test(name)) this.fail(`expected a name, found ${name}`);
    return { descendant, axis, test: name, predicates: this.predicates() };
  }

  private predicates(): Expr[] {
    const list: Expr[] = [];
    while (this.peek() === '[') {
      this.take();
      list.push(this.or());
      this.take(']');
    }
    return list;
  }
}

const compiled = new Map<string, Expr>();
function compile(source: string): Expr {
  let e = compiled.get(source);
  if (!e) {
    e = new Parser(tokenize(source), source).parse();
    compiled.set(source, e);
  }
  return e;
}

function descendantsOrSelf(n: XNode, out: XNode[] = []): XNode[] {
  out.push(n);
  for (const c of n.children)
    if (c.kind !== 'text') descendantsOrSelf(c, out);
    else out.push(c);
  return out;
}

function stepFrom(n: XNode, s: Step): XNode[] {
  switch (s.axis) {
    case 'self':
      return [n];
    case 'parent':
      return n.parent ? [n.parent] : [];
    case 'attribute':
      return n.attributes.filter((a) => s.test === '*' || s.test === 'node()' || a.name === s.test);
    case 'child':
      return n.children.filter((c) =>
        s.test === 'node()' ? true : s.test === 'text()' ? c.kind === 'text' : c.kind === 'element' && (s.test === '*' || c.name === s.test),
      );
  }
}

function unique(nodes: XNode[]): XNode[] {
  return [...new Set(nodes)];
}

const toBoolean = (v: Value): boolean =>
  Array.isArray(v) ? v.length > 0 : typeof v === 'number' ? v !== 0 && !Number.isNaN(v) : typeof v === 'string' ? v.length > 0 : v;
const toStr = (v: Value): string => (Array.isArray(v) ? (v[0] ? stringValue(v[0]) : '') : String(v));
const toNumber = (v: Value): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = toStr(v).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN;
};

function compareAtoms(operator: string, a: Value, b: Value): boolean {
  if (operator === '=' || operator === '!=') {
    let equal: boolean;
    if (typeof a === 'boolean' || typeof b === 'boolean') equal = toBoolean(a) === toBoolean(b);
    else if (typeof a === 'number' || typeof b === 'number') equal = toNumber(a) === toNumber(b);
    else equal = toStr(a) === toStr(b);
    return operator === '=' ? equal : !equal;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  return operator === '<' ? x < y : operator === '<=' ? x <= y : operator === '>' ? x > y : x >= y;
}

/** XPath 1.0 comparison: a node-set compares true when some node's string value does. */
function compare(operator: string, a: Value, b: Value): boolean {
  const strings = (nodes: XNode[]) => nodes.map(stringValue);
  if (Array.isArray(a) && Array.isArray(b)) return strings(a).some((x) => strings(b).some((y) => compareAtoms(operator, x, y)));
  if (Array.isArray(a)) return typeof b === 'boolean' ? compareAtoms(operator, toBoolean(a), b) : strings(a).some((x) => compareAtoms(operator, x, b));
  if (Array.isArray(b)) return typeof a === 'boolean' ? compareAtoms(operator, a, toBoolean(b)) : strings(b).some((y) => compareAtoms(operator, a, y));
  return compareAtoms(operator, a, b);
}

function evaluate(e: Expr, context: XNode): Value {
  switch (e.op) {
    case 'literal':
      return e.value;
    case 'negate':
      return -toNumber(evaluate(e.operand, context));
    case 'union':
      return unique(e.parts.flatMap((p) => nodesOf(p, context)));
    case 'call': {
      const args = e.args.map((a) => evaluate(a, context));
      if (e.name === 'count') return Array.isArray(args[0]) ? args[0].length : NaN;
      if (e.name === 'not') return !toBoolean(args[0]);
      if (e.name === 'boolean') return toBoolean(args[0]);
      if (e.name === 'number') return toNumber(args[0] ?? [context]);
      if (e.name === 'string') return toStr(args[0] ?? [context]);
      return e.name === 'true';
    }
    case 'binary': {
      if (e.operator === 'or') return toBoolean(evaluate(e.left, context)) || toBoolean(evaluate(e.right, context));
      if (e.operator === 'and') return toBoolean(evaluate(e.left, context)) && toBoolean(evaluate(e.right, context));
      const left = evaluate(e.left, context);
      const right = evaluate(e.right, context);
      if (e.operator === '+') return toNumber(left) + toNumber(right);
      if (e.operator === '-') return toNumber(left) - toNumber(right);
      return compare(e.operator, left, right);
    }
    case 'path': {
      let nodes: XNode[] = [context];
      if (e.absolute === '/') {
        let top = context;
        while (top.parent) top = top.parent;
        nodes = [top];
      }
      for (const s of e.steps) {
        const from = s.descendant ? unique(nodes.flatMap((n) => descendantsOrSelf(n))) : nodes;
        nodes = unique(from.flatMap((n) => stepFrom(n, s)));
        for (const p of s.predicates) nodes = nodes.filter((n) => toBoolean(evaluate(p, n)));
      }
      return nodes;
    }
  }
}

function nodesOf(e: Expr, context: XNode): XNode[] {
  const v = evaluate(e, context);
  if (!Array.isArray(v)) throw new Error('XPath: expected a node-set');
  return v;
}

/** Evaluates an XPath (the subset above) with `context` as the context node. */
export function xpath(source: string, context: XNode): Value {
  return evaluate(compile(source), context);
}
export const select = (source: string, context: XNode): XNode[] => nodesOf(compile(source), context);

// ---------------------------------------------------------------- the rules

export interface RuleInfo {
  id: string;
  severity: string;
  category?: string;
  message: string;
}

type Case = Record<string, unknown> & { ruleInfo?: RuleInfo };
export type Ruleset = Record<string, Record<string, { cases: Case[] }>>;

export interface RuleFailure {
  rule: string;
  type: string;
  severity: string;
  message: string;
  /** The iati-identifier of the activity the failing element belongs to. */
  activity: string | null;
  /** What was found, to read the failure without opening the file. */
  found: string;
}

export interface RulesetOptions {
  /** The "current date" of NOW, date_now and the like: passed in, so a test decides it. */
  now: Date;
  /**
   * The IATI Registry's lists that `idCondition` and `prefix: ["ORG-ID-PREFIX"]` consult. ANAMA
   * publishes nothing yet, so NOT_EXISTING_ORG_ID(_PREFIX) holds for every identifier unless a list
   * is given; a rule that needs ORG-ID-PREFIX without the list is reported in `notEvaluated`.
   */
  existingOrgIds?: string[];
  orgIdPrefixes?: string[];
}

export interface RulesetReport {
  failures: RuleFailure[];
  /** Rule cases that applied to an element (context matched, condition held), by type. */
  evaluated: Record<string, number>;
  /** Rule ids that could not be evaluated offline, with why. */
  notEvaluated: Array<{ rule: string; why: string }>;
}

const DATE = /^(-?\d{4,})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?/;

function toTime(text: string): number | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? 'Z'}`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

function activityOf(n: XNode): string | null {
  for (let p: XNode | null = n; p; p = p.parent) {
    if (p.kind === 'element' && p.name === 'iati-activity') {
      const id = p.children.find((c) => c.kind === 'element' && c.name === 'iati-identifier');
      return id ? stringValue(id) : null;
    }
  }
  return null;
}

const SUPPORTED = new Set([
  'atleast_one',
  'no_more_than_one',
  'only_one_of',
  'one_or_all',
  'dependent',
  'sum',
  'strict_sum',
  'date_order',
  'date_now',
  'time_limit',
  'between_dates',
  'regex_matches',
  'regex_no_matches',
  'startswith',
  'unique',
  'if_then',
  'loop',
  'range',
  'no_spaces',
]);

/** Runs every rule of `ruleset` on the document `xml`. Unknown rule types throw: nothing is skipped silently. */
export function runRuleset(ruleset: Ruleset, xml: string | XNode, options: RulesetOptions): RulesetReport {
  const doc = typeof xml === 'string' ? parseXml(xml) : xml;
  const report: RulesetReport = { failures: [], evaluated: {}, notEvaluated: [] };
  const now = options.now.getTime();
  const existing = new Set(options.existingOrgIds ?? []);

  const fail = (type: string, c: Case, element: XNode, found: string) =>
    report.failures.push({
      rule: c.ruleInfo?.id ?? '(no id)',
      type,
      severity: c.ruleInfo?.severity ?? 'error',
      message: c.ruleInfo?.message ?? '',
      activity: activityOf(element),
      found,
    });
  const texts = (c: Case, element: XNode) => ((c.paths as string[] | undefined) ?? []).flatMap((p) => select(p, element)).map(stringValue);
  const dates = (path: string, element: XNode): number[] | null => {
    if (path === 'NOW') return [now];
    const found = select(path, element).map((n) => toTime(stringValue(n)));
    return found.length ? found.map((t) => t ?? NaN) : null;
  };

  function runCase(type: string, c: Case, element: XNode, ruleId?: string): void {
    if (!SUPPORTED.has(type)) throw new Error(`rule type ${type} is not supported by this evaluator`);
    if (typeof c.condition === 'string' && !toBoolean(xpath(c.condition, element))) return;
    if (c.idCondition === 'NOT_EXISTING_ORG_ID' || c.idCondition === 'NOT_EXISTING_ORG_ID_PREFIX') {
      const values = texts(c, element);
      const known = (v: string) => (c.idCondition === 'NOT_EXISTING_ORG_ID' ? existing.has(v) : [...existing].some((id) => v.startsWith(`${id}-`)));
      if (values.length && values.every(known)) return;
    } else if (c.idCondition !== undefined) throw new Error(`idCondition ${JSON.stringify(c.idCondition)} is not supported`);
    report.evaluated[type] = (report.evaluated[type] ?? 0) + 1;
    const paths = (c.paths as string[] | undefined) ?? [];
    const matches = paths.flatMap((p) => select(p, element));
    const values = matches.map(stringValue);
    switch (type) {
      case 'atleast_one':
        if (matches.length < 1) fail(type, c, element, `nothing at ${paths.join(' | ')}`);
        return;
      case 'no_more_than_one':
        if (matches.length > 1) fail(type, c, element, `${matches.length} at ${paths.join(' | ')}`);
        return;
      case 'dependent': {
        const counts = paths.map((p) => select(p, element).length);
        if (counts.some((n) => n > 0) && counts.some((n) => n === 0)) fail(type, c, element, `counts ${counts.join(', ')} at ${paths.join(', ')}`);
        return;
      }
      case 'only_one_of': {
        const excluded = ((c.excluded as string[]) ?? []).some((p) => select(p, element).length > 0);
        if (excluded ? matches.length > 0 : matches.length !== 1) fail(type, c, element, `${matches.length} at ${paths.join(' | ')}`);
        return;
      }
      case 'one_or_all': {
        if (select(c.one as string, element).length > 0) return;
        const all = c.all as string;
        let missing: XNode[];
        if (all === 'lang') missing = select('.//narrative', element).filter((n) => !n.attributes.some((a) => a.name === 'xml:lang'));
        else if (all === 'sector') missing = select('transaction', element).filter((t) => select('sector', t).length === 0);
        else if (all === 'currency')
          missing = select('.//value | .//forecast | .//loan-status', element).filter((v) => !v.attributes.some((a) => a.name === 'currency'));
        else throw new Error(`one_or_all: unknown "all" ${all}`);
        if (missing.length) fail(type, c, element, `no ${c.one as string}, and ${missing.length} ${missing[0].name} without ${all}`);
        return;
      }
      case 'sum':
      case 'strict_sum': {
        if (values.some((v) => !/^-?(\d+(\.\d*)?|\.\d+)$/.test(v.trim()))) {
          fail(type, c, element, `not a number among ${values.join(', ')}`);
          return;
        }
        const total = values.reduce((s, v) => s.plus(v.trim()), new Decimal(0));
        if (!total.equals(c.sum as number)) fail(type, c, element, `sum ${total.toString()} of ${paths.join(' | ')}, expected ${String(c.sum)}`);
        return;
      }
      case 'range':
        for (const v of values) {
          const n = toNumber(v);
          if (Number.isNaN(n) || (c.min !== undefined && n < (c.min as number)) || (c.max !== undefined && n > (c.max as number)))
            fail(type, c, element, `${v} at ${paths.join(' | ')}`);
        }
        return;
      case 'date_order': {
        // Stricter than one pair: every date at `less` must be on or before every date at `more`.
        const less = dates(c.less as string, element);
        const more = dates(c.more as string, element);
        if (!less || !more) return;
        if (less.some((a) => more.some((b) => !(a <= b)))) fail(type, c, element, `${c.less as string} after ${c.more as string}`);
        return;
      }
      case 'date_now': {
        const found = dates(c.date as string, element);
        if (found?.some((t) => !(t <= now))) fail(type, c, element, `${c.date as string} after now`);
        return;
      }
      case 'time_limit': {
        const start = dates(c.start as string, element);
        const end = dates(c.end as string, element);
        if (!start || !end) return;
        const limit = new Date(start[0]);
        limit.setUTCFullYear(limit.getUTCFullYear() + 1);
        if (!(end[0] <= limit.getTime())) fail(type, c, element, 'more than a year between start and end');
        return;
      }
      case 'between_dates': {
        const date = dates(c.date as string, element);
        const start = dates(c.start as string, element);
        const end = dates(c.end as string, element);
        if (!date || !start || !end) return;
        if (date.some((d) => !(start[0] <= d && d <= end[0]))) fail(type, c, element, `${c.date as string} outside its period`);
        return;
      }
      case 'regex_matches':
      case 'regex_no_matches': {
        const re = new RegExp(c.regex as string);
        for (const v of values) if (re.test(v) !== (type === 'regex_matches')) fail(type, c, element, JSON.stringify(v));
        return;
      }
      case 'startswith': {
        const prefixPaths = c.prefix as string[];
        let prefixes: string[];
        if (prefixPaths.includes('ORG-ID-PREFIX')) {
          if (!options.orgIdPrefixes) {
            report.evaluated[type] -= 1;
            if (!report.notEvaluated.some((n) => n.rule === ruleId))
              report.notEvaluated.push({
                rule: ruleId ?? '(no id)',
                why: 'needs the list of organisation identifier prefixes (org-id.guide), not held offline',
              });
            return;
          }
          prefixes = options.orgIdPrefixes;
        } else prefixes = prefixPaths.flatMap((p) => select(p, element)).map(stringValue);
        const separator = (c.separator as string | undefined) ?? '';
        for (const v of values)
          if (!prefixes.some((p) => v.startsWith(`${p}${separator}`)))
            fail(type, c, element, `${JSON.stringify(v)} starts with none of ${prefixes.join(', ')}`);
        return;
      }
      case 'unique': {
        const seen = new Set<string>();
        for (const v of values) {
          if (seen.has(v)) fail(type, c, element, `${JSON.stringify(v)} twice`);
          seen.add(v);
        }
        return;
      }
      case 'no_spaces':
        for (const v of values) if (v !== v.trim()) fail(type, c, element, JSON.stringify(v));
        return;
      case 'if_then':
        if (toBoolean(xpath(c.if as string, element)) && !toBoolean(xpath(c.then as string, element)))
          fail(type, c, element, `${c.if as string} but not ${c.then as string}`);
        return;
      case 'loop': {
        const values = [...new Set(select(c.foreach as string, element).map(stringValue))];
        for (const [innerType, inner] of Object.entries(c.do as Record<string, { cases: Case[] }>)) {
          for (const innerCase of inner.cases) {
            for (const value of values) {
              const substituted: Case = { ...innerCase };
              for (const key of c.subs as string[]) {
                const v = innerCase[key];
                substituted[key] = Array.isArray(v) ? v.map((x: string) => x.replaceAll('$1', value)) : (v as string).replaceAll('$1', value);
              }
              runCase(innerType, substituted, element, innerCase.ruleInfo?.id);
            }
          }
        }
        report.evaluated[type] -= 1; // a loop is counted by the cases it runs
        return;
      }
    }
  }

  for (const [context, rules] of Object.entries(ruleset)) {
    const elements = select(context, doc);
    for (const [type, { cases }] of Object.entries(rules)) {
      for (const c of cases) for (const element of elements) runCase(type, c, element, c.ruleInfo?.id);
    }
  }
  for (const [type, n] of Object.entries(report.evaluated)) if (n === 0) delete report.evaluated[type];
  return report;
}
