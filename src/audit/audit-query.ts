import { isIsoDate, addDays } from '../common/dates';
import { InvalidInputError } from '../common/errors/domain-errors';
import { parseIdText } from '../common/ids';
import { APP_TIME_ZONE } from '../common/presentation/format';

/** The audit log's filters as asked (page and API alike), every one optional. */
export interface AuditFilter {
  /** Record type: pledge, disbursement, donor, donor_contact, user, priority… */
  entityType?: string;
  /** Record id as stored: a number, or a code (P05) or a month (2025-03) for some types. */
  entityId?: string;
  /** The user who acted. */
  actorId?: number;
  /** An action code: pledge.cancel, disbursement.create… */
  action?: string;
  /** First and last day, YYYY-MM-DD, read in the app's time zone. */
  from?: string;
  to?: string;
  /** Oldest first (the API's order since version 1) or newest first (the page's). */
  order: 'oldest' | 'newest';
}

function text(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw InvalidInputError.field(name, `${name} is given once, as text`);
  return value;
}

/** Reads the filters from a query string; a bad one is a 400 naming its field. */
export function parseAuditFilter(query: Record<string, unknown>, defaultOrder: 'oldest' | 'newest'): AuditFilter {
  const filter: AuditFilter = { order: defaultOrder };
  const entityType = text(query, 'entityType');
  if (entityType !== undefined) {
    if (!/^[a-z_]{1,40}$/.test(entityType)) throw InvalidInputError.field('entityType', 'entityType is a word such as pledge or donor');
    filter.entityType = entityType;
  }
  const entityId = text(query, 'entityId');
  if (entityId !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(entityId)) throw InvalidInputError.field('entityId', 'entityId is a record number (or a code such as P05)');
    filter.entityId = entityId;
  }
  const actorId = text(query, 'actorId');
  if (actorId !== undefined) {
    const id = parseIdText(actorId);
    if (id === null) throw InvalidInputError.field('actorId', 'actorId is the id of a user');
    filter.actorId = id;
  }
  const action = text(query, 'action');
  if (action !== undefined) {
    if (!/^[a-z_]{1,30}\.[a-z_]{1,30}$/.test(action)) throw InvalidInputError.field('action', 'action is an action code such as pledge.cancel');
    filter.action = action;
  }
  for (const name of ['from', 'to'] as const) {
    const day = text(query, name);
    if (day === undefined) continue;
    if (!isIsoDate(day)) throw InvalidInputError.field(name, `${name} must be a date written YYYY-MM-DD`);
    filter[name] = day;
  }
  if (filter.from && filter.to && filter.from > filter.to) throw InvalidInputError.field('to', 'to must be the same day as from or later');
  const order = text(query, 'order');
  if (order !== undefined) {
    if (order !== 'oldest' && order !== 'newest') throw InvalidInputError.field('order', 'order is oldest or newest');
    filter.order = order;
  }
  return filter;
}

/**
 * The instant a calendar day starts in a time zone: 2025-06-01 in Baku (UTC+4) starts at
 * 2025-05-31T20:00:00Z. The zone's offset is read at that day's UTC midnight.
 */
export function startOfDayIn(date: string, timeZone: string = APP_TIME_ZONE): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(utcMidnight))
      .map((p) => [p.type, Number(p.value)]),
  );
  const zoneClock = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  return new Date(utcMidnight - (zoneClock - utcMidnight));
}

/** The filter's days as instants: from the start of `from` up to (not including) the start of the day after `to`. */
export function auditTimeRange(filter: Pick<AuditFilter, 'from' | 'to'>): { since?: Date; before?: Date } {
  return {
    since: filter.from ? startOfDayIn(filter.from) : undefined,
    before: filter.to ? startOfDayIn(addDays(filter.to, 1)) : undefined,
  };
}
