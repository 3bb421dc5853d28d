import { InvalidInputError } from '../common/errors/domain-errors';
import { parsePageRequest, PageRequest } from '../common/http/pagination';
import { ID_RULE, parseIdText } from '../common/ids';
import { isPriorityCode } from '../priorities/priority-code';
import { isCurrencyCode } from '../common/money/iso4217';
import { PLEDGE_STATUSES, PledgeStatus } from '../ledger/fulfilment';

export interface PledgeListQuery {
  donorId?: string;
  status?: string;
  priorityCode?: string;
  currency?: string;
  displayCurrency?: string;
  /** Words to find in a pledge's title, its source document or its donor's name. */
  q?: string;
  limit?: string;
  cursor?: string;
}

export function parseDisplayCurrency(raw: unknown, field = 'currency'): string | null {
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string' || !isCurrencyCode(raw)) throw InvalidInputError.field(field, `${field} must be an ISO 4217 code in upper case, such as USD`);
  return raw;
}

/** Query strings arrive as strings (or arrays, when repeated): each filter is checked and named when wrong. */
export function parsePledgeListQuery(query: PledgeListQuery): {
  filter: { donorId?: number; status?: PledgeStatus; priorityCode?: string; currency?: string; search?: string };
  page: PageRequest;
  displayCurrency: string | null;
} {
  const single = (name: keyof PledgeListQuery): string | undefined => {
    const value = query[name] as unknown;
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw InvalidInputError.field(name, `${name} must be given once`);
    return value;
  };
  const donorIdText = single('donorId');
  const donorId = donorIdText === undefined ? undefined : parseIdText(donorIdText);
  if (donorId === null) throw InvalidInputError.field('donorId', `donorId must be ${ID_RULE}`);
  const status = single('status');
  if (status !== undefined && !(PLEDGE_STATUSES as readonly string[]).includes(status)) {
    throw InvalidInputError.field('status', `status must be one of ${PLEDGE_STATUSES.join(', ')}`);
  }
  const priorityCode = single('priorityCode');
  if (priorityCode !== undefined && !isPriorityCode(priorityCode)) throw InvalidInputError.field('priorityCode', 'priorityCode looks like P01');
  const currency = single('currency');
  const q = single('q')?.trim();
  if (q !== undefined && (q.length > 100 || [...q].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127)))
    throw InvalidInputError.field('q', 'q is at most 100 characters of text on one line');
  return {
    filter: {
      donorId,
      status: status as PledgeStatus | undefined,
      priorityCode,
      currency: parseDisplayCurrency(currency) ?? undefined,
      search: q ? searchPattern(q) : undefined,
    },
    page: parsePageRequest(single('limit'), single('cursor')),
    displayCurrency: parseDisplayCurrency(single('displayCurrency'), 'displayCurrency'),
  };
}

/**
 * A LIKE pattern that finds `text` anywhere, case folded, with the pattern's own characters
 * (\\ % _) escaped: used with `ESCAPE '\\'`, so "10%" finds "10%" and nothing else.
 */
export function searchPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
