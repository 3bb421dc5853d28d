import { formatQuantity } from './format';

/** Goods of one unit: pledged, delivered by the date shown, and still to come pledge by pledge. */
export interface GoodsFigures {
  unit: string;
  pledged: number;
  delivered: number;
  toCome: number;
  /** Some pledge with goods still to come is a ceiling ("up to 30"). */
  toComeUpTo: boolean;
}

/**
 * Goods in their own units, as people say it: "20 mine detection dogs delivered; up to 30 more
 * pledged, not yet delivered", or "4 demining teams pledged, none delivered yet". It says nothing
 * of when the rest will come: the sources rarely do.
 */
export function goodsText(q: GoodsFigures): string {
  const upTo = q.toComeUpTo ? 'up to ' : '';
  const toCome = formatQuantity(String(q.toCome));
  if (q.delivered === 0) return `${upTo}${toCome} ${q.unit} pledged, none delivered yet`;
  const delivered = `${formatQuantity(String(q.delivered))} ${q.unit} delivered`;
  return q.toCome > 0 ? `${delivered}; ${upTo}${toCome} more pledged, not yet delivered` : delivered;
}
