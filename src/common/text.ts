/**
 * What the ledger accepts as text, for every text field of every route, form and import: one rule
 * so the API, the pages and the CSV import refuse the same input.
 *
 * - Control characters are refused: NUL (which PostgreSQL cannot store at all), the other C0 and
 *   C1 controls and DEL. A multi-line field (notes, reasons, descriptions) may hold tabs and line
 *   breaks; a single-line field (names, titles, units, references) may not, nor U+2028/U+2029.
 * - Unpaired UTF-16 surrogates are refused: they cannot be stored as UTF-8 without being altered.
 * - Lengths count characters (code points, as PostgreSQL's varchar(n) does) of the trimmed text,
 *   so "   " is empty and a required field refuses it.
 */
export interface TextRule {
  /** Fewest characters once trimmed; 1 or more makes an all-blank value a refusal. */
  min?: number;
  /** Most characters once trimmed. */
  max: number;
  /** Tabs and line breaks allowed (notes, descriptions, reasons). */
  multiLine?: boolean;
}

/** The refusal of text holding half of a UTF-16 surrogate pair: the field rule's and the ValidationPipe's (which checks every string of a body first). */
export const ILL_FORMED_TEXT = 'must be well-formed Unicode (an unpaired surrogate)';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/** The text as stored: outer white space removed. Anything else is returned as it is. */
export function trimText<T>(value: T): T | string {
  return typeof value === 'string' ? value.trim() : value;
}

/**
 * Scans text once: the first character it may not hold (a phrase), or its length in characters.
 * Nothing is trimmed here.
 */
export function scanText(text: string, multiLine = false): { problem: string } | { characters: number } {
  let characters = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    characters++;
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) {
      if (unit === TAB || unit === LF || unit === CR) {
        if (!multiLine) return { problem: unit === TAB ? 'must not contain tabs' : 'must be a single line (no line breaks)' };
        continue;
      }
      return {
        problem: unit === 0 ? 'must not contain NUL characters' : `must not contain control characters (U+${unit.toString(16).toUpperCase().padStart(4, '0')})`,
      };
    }
    if (unit === 0x2028 || unit === 0x2029) {
      if (!multiLine) return { problem: 'must be a single line (no line breaks)' };
      continue;
    }
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return { problem: ILL_FORMED_TEXT };
      i++;
    }
  }
  return { characters };
}

/** Why a value is not acceptable text under the rule (a phrase without the field name), or null when it is. */
export function textProblem(value: unknown, rule: TextRule): string | null {
  if (typeof value !== 'string') return 'must be text (a JSON string)';
  const scanned = scanText(value.trim(), rule.multiLine);
  if ('problem' in scanned) return scanned.problem;
  const { characters } = scanned;
  const min = rule.min ?? 0;
  if (characters < min) return characters === 0 ? 'must not be empty or blank' : `must be at least ${min} characters`;
  if (characters > rule.max) return `must be at most ${rule.max} characters`;
  return null;
}
