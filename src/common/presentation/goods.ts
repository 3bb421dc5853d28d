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

/** Goods in their own units, as people say it: "20 mine detection dogs delivered; up to 30 more still to come". */
export function goodsText(q: GoodsFigures): string {
  const parts: string[] = [];
  if (q.delivered > 0) parts.push(`${formatQuantity(String(q.delivered))} ${q.unit} delivered`);
  if (q.toCome > 0) parts.push(`${q.toComeUpTo ? 'up to ' : ''}${formatQuantity(String(q.toCome))} ${q.delivered > 0 ? 'more' : q.unit} still to come`);
  if (parts.length === 0) parts.push(`${formatQuantity(String(q.pledged))} ${q.unit} pledged, none delivered`);
  return parts.join('; ');
}
