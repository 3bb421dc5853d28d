import { InvalidInputError } from '../errors/domain-errors';
import { parseIdText } from '../ids';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  /** Return rows with id greater than this. */
  afterId: number;
}

/** `?limit=` (default 50, max 500) and an opaque `?cursor=` (the last id seen, base64url). */
export function parsePageRequest(limit: unknown, cursor: unknown): PageRequest {
  let parsedLimit = 50;
  if (limit !== undefined && limit !== '') {
    if (typeof limit !== 'string' || !/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 500) {
      throw InvalidInputError.field('limit', 'limit must be a whole number from 1 to 500');
    }
    parsedLimit = Number(limit);
  }
  let afterId = 0;
  if (cursor !== undefined && cursor !== '') {
    // A cursor is the last id of a page, so it is an id, within the databases' integer range.
    const id = typeof cursor === 'string' ? parseIdText(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
    if (id === null) throw InvalidInputError.field('cursor', 'cursor is not one this API gave out');
    afterId = id;
  }
  return { limit: parsedLimit, afterId };
}

/** Callers fetch `limit + 1` rows; the extra row only tells whether there is a next page. */
export function toPage<T, R extends { id: number }>(rows: R[], request: PageRequest, map: (row: R) => T): Page<T> {
  const hasMore = rows.length > request.limit;
  const pageRows = hasMore ? rows.slice(0, request.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: hasMore && last ? Buffer.from(String(last.id)).toString('base64url') : null,
  };
}
