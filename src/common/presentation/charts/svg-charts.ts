import { formatCompact, formatCompactNumber, formatMoneyExact, signOfDecimal } from '../format';

/**
 * Server-drawn SVG charts for the funding-gap page: plain markup strings, no JavaScript, no
 * external resources, readable when printed in greyscale.
 *
 * Amounts arrive as decimal strings. They become floats only to place pixels; every printed
 * figure (labels, tooltips, aria-label) comes from the string formatters in `../format`.
 */

/**
 * The three meanings used everywhere (page, print, email). Based on Paul Tol's "high contrast"
 * scheme, built to survive colour blindness and greyscale: government is dark, foreign is light,
 * the gap is in between and always hatched. `fill` paints areas; `ink` is the darker shade for
 * outlines, hatching and text, with at least 4.5:1 contrast on white; `tint` paints the pale part
 * of a bar (foreign money pledged but not yet received).
 */
export const MEANING_PALETTE = {
  government: { label: 'Government money', fill: '#004488', tint: '#C7D6E8', ink: '#004488' },
  foreign: { label: 'Foreign money', fill: '#DDAA33', tint: '#F7EBCB', ink: '#7A5700' },
  gap: { label: 'Unfunded gap', fill: '#BB5566', tint: '#F6E1E5', ink: '#993344' },
} as const;

/** Neutral colours of the charts: text, secondary text, gridlines, target markers. */
export const CHART_INK = { text: '#1A1A1A', muted: '#595959', grid: '#D4D4D4', target: '#1A1A1A' } as const;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const ROW_LABEL_X = 8;
const LEGEND_LINE_HEIGHT = 18;

/**
 * Each chart is drawn twice: `wide` (720 units) for screens and paper, `narrow` (340 units) for a
 * phone, where the wide one would shrink its 11 px text to about 6 px. The stylesheet shows one of
 * them. In the narrow one labels sit above their bars and long text wraps, so drawn at its own
 * width (up to the 358 px a 390 px phone leaves) no text is smaller than 11 px.
 */
export type ChartLayout = 'wide' | 'narrow';
const CHART_WIDTHS: Record<ChartLayout, number> = { wide: 720, narrow: 340 };
const APPROXIMATE_CHAR_WIDTH_13PX_BOLD = 8;
/** Average advance of the system sans-serif fonts, to keep labels apart without measuring text. */
const APPROXIMATE_CHAR_WIDTH_11PX = 6.2;
const APPROXIMATE_CHAR_WIDTH_12PX = 6.8;
const APPROXIMATE_CHAR_WIDTH_12PX_BOLD = 7.4;

type AttributeValue = string | number | undefined;

function attributeText(attributes: Record<string, AttributeValue>): string {
  return Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(typeof value === 'number' ? pixel(value) : value)}"`)
    .join('');
}

/** One SVG element. Attribute values are always escaped; children are markup built here. */
function element(name: string, attributes: Record<string, AttributeValue>, children: readonly string[] = []): string {
  const attributeMarkup = attributeText(attributes);
  return children.length === 0 ? `<${name}${attributeMarkup}/>` : `<${name}${attributeMarkup}>${children.join('')}</${name}>`;
}

/** A text node: the only way input text enters the markup, always escaped. */
function text(content: string, attributes: Record<string, AttributeValue>): string {
  return `<text${attributeText(attributes)}>${escapeXml(content)}</text>`;
}

/** A hover tooltip for the element that contains it. */
function tooltip(content: string): string {
  return `<title>${escapeXml(content)}</title>`;
}

function pixel(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Pixel geometry only: never printed. Negative amounts draw as nothing. */
function toPixels(amount: string, scale: LinearScale): number {
  return Math.max(0, Number(amount)) * scale.pixelsPerUnit;
}

interface LinearScale {
  readonly x0: number;
  readonly width: number;
  readonly pixelsPerUnit: number;
  /** Tick values as exact decimal strings, from 0 to the axis maximum. */
  readonly ticks: readonly string[];
  readonly axisMaximum: number;
}

/** A decimal string for `units × 10^power`, exact for any power. */
function scaledDecimal(units: bigint, power: number): string {
  if (power >= 0) return (units * 10n ** BigInt(power)).toString();
  const digits = units.toString().padStart(1 - power, '0');
  return `${digits.slice(0, power)}.${digits.slice(power)}`.replace(/\.?0+$/, '');
}

/**
 * A scale whose axis ends on a round number (1, 2, 2.5 or 5 × 10^n steps, at most five of them)
 * so tick labels read "0, 100M, 200M…".
 */
function linearScale(maximum: number, x0: number, width: number): LinearScale {
  if (!(maximum > 0)) return { x0, width, pixelsPerUnit: 0, ticks: ['0'], axisMaximum: 0 };
  const power = Math.floor(Math.log10(maximum / 5)) - 1;
  const base = 10 ** power;
  // Step mantissas in units of 10^power: 10, 20, 25, 50, 100.
  const stepUnits = [10, 20, 25, 50, 100].find((units) => maximum / (units * base) <= 5) ?? 100;
  const stepCount = Math.ceil(maximum / (stepUnits * base) - 1e-9);
  const ticks = Array.from({ length: stepCount + 1 }, (_, index) => scaledDecimal(BigInt(index * stepUnits), power));
  const axisMaximum = stepCount * stepUnits * base;
  return { x0, width, pixelsPerUnit: width / axisMaximum, ticks, axisMaximum };
}

function tickLabel(tick: string): string {
  return formatCompactNumber(tick);
}

/** Vertical gridlines with tick labels underneath, and the currency as the axis unit. */
function axis(scale: LinearScale, gridTop: number, gridBottom: number, currency: string): string {
  const parts = scale.ticks.map((tick) => {
    const x = scale.x0 + toPixels(tick, scale);
    return (
      element('line', { x1: x, x2: x, y1: gridTop, y2: gridBottom, stroke: CHART_INK.grid, 'stroke-width': 1 }) +
      text(tickLabel(tick), { x, y: gridBottom + 13, 'text-anchor': 'middle', fill: CHART_INK.muted, 'font-size': 11 })
    );
  });
  const lastTick = scale.ticks[scale.ticks.length - 1];
  const unitLabel = text(currency, {
    x: scale.x0 + toPixels(lastTick, scale) + (tickLabel(lastTick).length * APPROXIMATE_CHAR_WIDTH_11PX) / 2 + 6,
    y: gridBottom + 13,
    'text-anchor': 'start',
    fill: CHART_INK.muted,
    'font-size': 11,
  });
  return element('g', { class: 'axis', 'aria-hidden': 'true' }, [...parts, unitLabel]);
}

/** Diagonal hatching; the two hatched meanings lean opposite ways so they differ without colour. */
function hatchPattern(id: string, ink: string, background: string, angle: 45 | -45): string {
  return element('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: `rotate(${angle})` }, [
    element('rect', { width: 6, height: 6, fill: background }),
    element('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: ink, 'stroke-width': 2.5 }),
  ]);
}

interface LegendEntry {
  readonly label: string;
  readonly swatch: (x: number, y: number) => string;
}

/** Entries side by side, wrapping onto a new line where the chart's width ends; returns the markup and the lines used. */
function legend(entries: readonly LegendEntry[], y: number, width: number): { markup: string; lines: number } {
  let x = ROW_LABEL_X;
  let line = 0;
  const parts = entries.map((entry) => {
    const entryWidth = 20 + entry.label.length * APPROXIMATE_CHAR_WIDTH_12PX;
    if (x > ROW_LABEL_X && x + entryWidth > width - ROW_LABEL_X) {
      line += 1;
      x = ROW_LABEL_X;
    }
    const top = y + line * LEGEND_LINE_HEIGHT;
    const markup = entry.swatch(x, top) + text(entry.label, { x: x + 20, y: top + 10, fill: CHART_INK.text, 'font-size': 12 });
    x += entryWidth + 16;
    return markup;
  });
  return { markup: element('g', { class: 'legend' }, parts), lines: line + 1 };
}

function swatch(fill: string, stroke: string, className?: string): (x: number, y: number) => string {
  return (x, y) => element('rect', { class: className, x, y, width: 14, height: 12, fill, stroke, 'stroke-width': 1 });
}

function targetSwatch(x: number, y: number): string {
  return element('line', { x1: x + 7, x2: x + 7, y1: y - 2, y2: y + 14, stroke: CHART_INK.target, 'stroke-width': 2.5 });
}

function svgDocument(className: string, layout: ChartLayout, height: number, label: string, body: readonly string[]): string {
  return element(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: `chart ${className} chart--${layout}`,
      viewBox: `0 0 ${CHART_WIDTHS[layout]} ${pixel(height)}`,
      width: CHART_WIDTHS[layout],
      height,
      role: 'img',
      'aria-label': label,
      'font-family': FONT_STACK,
      // Tabular figures come from the stylesheet (.chart): a style attribute breaks the page's CSP (no 'unsafe-inline').
    },
    [tooltip(label), ...body],
  );
}

export interface GovernmentVsForeignInput {
  currency: string;
  government: string;
  foreignPledged: string;
  foreignDisbursed: string;
  /** The headline foreign total as a source document states it; null when none is recorded. */
  reportedForeignTotal: string | null;
  /** Foreign money itemised in the ledger (the part of the headline that has records). */
  itemised: string;
  /** reportedForeignTotal − itemised; null when there is no reported total. */
  notItemised: string | null;
}

const GVF = {
  notItemisedPattern: 'gvf-not-itemised',
  barHeight: 20,
  /** Where the bars start and how long the longest may be; on a phone the labels move above the bars. */
  bars: { wide: { x: 190, width: 370 }, narrow: { x: ROW_LABEL_X, width: 290 } },
} as const;

/** Lines of `content` that fit `width` units at a character width, at most `maxLines`. */
function fitLines(content: string, width: number, charWidth: number, maxLines = 3): string[] {
  return wrapText(content, Math.floor((width - 2 * ROW_LABEL_X) / charWidth), maxLines);
}

/**
 * Government against foreign money for demining.
 *
 * Government spend is about twenty times foreign funding, so on one scale the foreign bars are a
 * sliver. The chart therefore has two panels: A puts government and foreign on one scale (the
 * honest proportion), B repeats foreign money alone on its own, enlarged scale, with the
 * enlargement factor in the panel heading and each panel carrying its own labelled axis. B shows
 * the reported headline split into itemised and not-yet-itemised (hatched), and the itemised
 * ledger with its received part.
 */
export function governmentVsForeignChart(input: GovernmentVsForeignInput, layout: ChartLayout = 'wide'): string {
  const { currency } = input;
  const width = CHART_WIDTHS[layout];
  const narrow = layout === 'narrow';
  const pattern = narrow ? `${GVF.notItemisedPattern}-narrow` : GVF.notItemisedPattern;
  const money = (amount: string) => formatMoneyExact(amount, currency);
  const compact = (amount: string) => formatCompact(amount, currency);
  const foreignHeadline = input.reportedForeignTotal ?? input.itemised;
  const barsAt = GVF.bars[layout];
  /** Room above each bar for its label when the labels cannot sit beside it. */
  const labelAbove = narrow ? 16 : 0;

  const bar = (scale: LinearScale, y: number, amount: string, x = scale.x0, attributes: Record<string, AttributeValue> = {}) =>
    element('rect', { x, y, width: toPixels(amount, scale), height: GVF.barHeight, ...attributes });
  const labelStyle = { fill: CHART_INK.text, 'font-size': 12, 'font-weight': 600 } as const;
  /** Beside the bar on a wide chart; above it, with its figure, on a narrow one. */
  const rowLabel = (label: string, y: number, figure?: string) =>
    narrow
      ? text(figure ? `${label}: ${figure}` : label, { x: ROW_LABEL_X, y: y - 5, ...labelStyle })
      : text(label, { x: ROW_LABEL_X, y: y + 14, ...labelStyle });
  const valueLabel = (scale: LinearScale, y: number, amount: string, suffix = '') =>
    narrow ? '' : text(`${compact(amount)}${suffix}`, { x: scale.x0 + toPixels(amount, scale) + 6, y: y + 14, ...labelStyle });
  const captionLines = (content: string) => (narrow ? fitLines(content, width, APPROXIMATE_CHAR_WIDTH_11PX) : [content]);
  const caption = (scale: LinearScale, y: number, lines: readonly string[]) =>
    lines.map((line, index) => text(line, { x: scale.x0, y: y + GVF.barHeight + 13 + index * 13, fill: CHART_INK.muted, 'font-size': 11 })).join('');
  const heading = (content: string, y: number) => {
    const lines = narrow ? fitLines(content, width, APPROXIMATE_CHAR_WIDTH_13PX_BOLD) : [content];
    const markup = lines
      .map((line, index) => text(line, { x: ROW_LABEL_X, y: y + index * 16, fill: CHART_INK.text, 'font-size': 13, 'font-weight': 700 }))
      .join('');
    return { markup, extra: (lines.length - 1) * 16 };
  };

  /**
   * The headline's length split into itemised and the not-yet-itemised remainder (hatched). When
   * the ledger exceeds the headline the bar keeps the headline's length; the caption says by how much.
   */
  const headlineBar = (scale: LinearScale, y: number) => {
    const itemisedShown = Number(input.itemised) > Number(foreignHeadline) ? foreignHeadline : input.itemised;
    const itemisedBar = bar(scale, y, itemisedShown, scale.x0, {
      fill: MEANING_PALETTE.foreign.tint,
      stroke: MEANING_PALETTE.foreign.ink,
    });
    const notItemised = input.notItemised;
    if (notItemised === null || signOfDecimal(notItemised) <= 0) return itemisedBar;
    return (
      itemisedBar +
      bar(scale, y, notItemised, scale.x0 + toPixels(input.itemised, scale), {
        class: 'not-itemised',
        fill: `url(#${pattern})`,
        stroke: MEANING_PALETTE.foreign.ink,
      })
    );
  };

  const parts: string[] = [];
  parts.push(element('defs', {}, [hatchPattern(pattern, MEANING_PALETTE.foreign.ink, MEANING_PALETTE.foreign.tint, 45)]));
  const key = legend(
    [
      { label: 'Government', swatch: swatch(MEANING_PALETTE.government.fill, MEANING_PALETTE.government.ink) },
      { label: 'Foreign, received', swatch: swatch(MEANING_PALETTE.foreign.fill, MEANING_PALETTE.foreign.ink) },
      { label: 'Foreign, pledged (itemised)', swatch: swatch(MEANING_PALETTE.foreign.tint, MEANING_PALETTE.foreign.ink) },
      ...(input.reportedForeignTotal === null
        ? []
        : [{ label: 'Reported, not yet itemised', swatch: swatch(`url(#${pattern})`, MEANING_PALETTE.foreign.ink) }]),
    ],
    2,
    width,
  );
  parts.push(key.markup);

  // Panel A: one scale for both.
  const scaleA = linearScale(Math.max(Number(input.government), Number(foreignHeadline)), barsAt.x, barsAt.width);
  const panelATop = 16 + key.lines * LEGEND_LINE_HEIGHT;
  const headingA = heading(`A  Government and foreign money on one scale (${currency})`, panelATop + 4);
  const governmentY = panelATop + 18 + headingA.extra + labelAbove;
  const foreignY = governmentY + 30 + labelAbove;
  parts.push(
    headingA.markup,
    axis(scaleA, governmentY - 4 - labelAbove, foreignY + GVF.barHeight + 4, currency),
    element('g', { class: 'bar government' }, [
      tooltip(`Government: ${money(input.government)}`),
      rowLabel('Government', governmentY, compact(input.government)),
      bar(scaleA, governmentY, input.government, scaleA.x0, {
        fill: MEANING_PALETTE.government.fill,
        stroke: MEANING_PALETTE.government.ink,
      }),
      valueLabel(scaleA, governmentY, input.government),
    ]),
    element('g', { class: 'bar foreign' }, [
      tooltip(`Foreign${input.reportedForeignTotal === null ? ', itemised' : ', reported'}: ${money(foreignHeadline)}`),
      rowLabel('Foreign', foreignY, compact(foreignHeadline)),
      headlineBar(scaleA, foreignY),
      valueLabel(scaleA, foreignY, foreignHeadline),
    ]),
  );

  // Panel B: foreign money alone, enlarged.
  const scaleB = linearScale(Math.max(Number(foreignHeadline), Number(input.itemised), Number(input.foreignPledged)), barsAt.x, barsAt.width);
  const scaleRatio = scaleB.axisMaximum > 0 ? scaleA.axisMaximum / scaleB.axisMaximum : 1;
  const enlargement = Number.isInteger(scaleRatio) ? `×${scaleRatio}` : `about ×${Math.round(scaleRatio)}`;
  const panelBHeading = scaleRatio > 1 ? `B  Foreign money only, scale enlarged ${enlargement} (${currency})` : `B  Foreign money only (${currency})`;
  const panelBTop = foreignY + GVF.barHeight + 46;
  const headingB = heading(panelBHeading, panelBTop + 4);
  const reportedY = panelBTop + 18 + headingB.extra + labelAbove;
  const reportedCaption = captionLines(notItemisedCaption(input, compact));
  const ledgerY = reportedY + 46 + labelAbove + (reportedCaption.length - 1) * 13;
  const ledgerCaption = captionLines(
    signOfDecimal(input.foreignDisbursed) === 0 ? 'nothing received yet' : `of which received ${compact(input.foreignDisbursed)}`,
  );
  const ledgerBottom = ledgerY + GVF.barHeight + (ledgerCaption.length - 1) * 13;
  const reportedRow =
    input.reportedForeignTotal === null
      ? element('g', { class: 'bar reported' }, [
          rowLabel('Reported headline', reportedY),
          text('No reported figure recorded', { x: scaleB.x0, y: reportedY + 14, fill: CHART_INK.muted, 'font-size': 12 }),
        ])
      : element('g', { class: 'bar reported' }, [
          tooltip(
            `Reported foreign total: ${money(input.reportedForeignTotal)}; itemised ${money(input.itemised)}` +
              (input.notItemised === null ? '' : `; not yet itemised ${money(input.notItemised)}`),
          ),
          rowLabel('Reported headline', reportedY, compact(input.reportedForeignTotal)),
          headlineBar(scaleB, reportedY),
          valueLabel(scaleB, reportedY, input.reportedForeignTotal),
          caption(scaleB, reportedY, reportedCaption),
        ]);
  parts.push(
    headingB.markup,
    axis(scaleB, reportedY - 4 - labelAbove, ledgerBottom + 20, currency),
    reportedRow,
    element('g', { class: 'bar ledger' }, [
      tooltip(`Itemised ledger: pledged ${money(input.foreignPledged)}; received ${money(input.foreignDisbursed)}`),
      rowLabel('Itemised ledger', ledgerY, `${compact(input.foreignPledged)} pledged`),
      bar(scaleB, ledgerY, input.foreignPledged, scaleB.x0, {
        fill: MEANING_PALETTE.foreign.tint,
        stroke: MEANING_PALETTE.foreign.ink,
      }),
      bar(scaleB, ledgerY + 4, input.foreignDisbursed, scaleB.x0, {
        height: GVF.barHeight - 8,
        fill: MEANING_PALETTE.foreign.fill,
        stroke: MEANING_PALETTE.foreign.ink,
      }),
      valueLabel(scaleB, ledgerY, input.foreignPledged, ' pledged'),
      caption(scaleB, ledgerY, ledgerCaption),
    ]),
  );

  return svgDocument('chart--government-vs-foreign', layout, ledgerBottom + 40, governmentVsForeignLabel(input, money), parts);
}

function notItemisedCaption(input: GovernmentVsForeignInput, compact: (amount: string) => string): string {
  const itemised = `of which itemised ${compact(input.itemised)}`;
  if (input.notItemised === null) return itemised;
  if (signOfDecimal(input.notItemised) < 0) {
    return `${itemised}: the ledger exceeds the reported figure by ${compact(input.notItemised.replace(/^-/, ''))}`;
  }
  return `${itemised}, not yet itemised ${compact(input.notItemised)} (hatched)`;
}

function governmentVsForeignLabel(input: GovernmentVsForeignInput, money: (amount: string) => string): string {
  const sentences = [
    `Government money ${money(input.government)}.`,
    `Foreign money itemised in the ledger: pledged ${money(input.foreignPledged)}, received ${money(input.foreignDisbursed)}.`,
  ];
  if (input.reportedForeignTotal === null) {
    sentences.push('No reported foreign total recorded.');
  } else {
    sentences.push(
      `Reported foreign total ${money(input.reportedForeignTotal)}, of which itemised ${money(input.itemised)}` +
        (input.notItemised === null ? '.' : ` and not yet itemised ${money(input.notItemised)}.`),
    );
  }
  return sentences.join(' ');
}

export interface PriorityChartRow {
  code: string;
  title: string;
  pledged: string;
  disbursed: string;
  target: string | null;
  gap: string | null;
  /** Goods pledged in their own units, when any ("38 mine detection dogs (20 delivered)"). */
  inKind?: string | null;
}

export interface PrioritiesChartInput {
  currency: string;
  rows: PriorityChartRow[];
}

const PRIORITIES = {
  gapPattern: 'prio-gap',
  barsX: ROW_LABEL_X,
  /** Bars, and on a wide chart the figures beside them; on a narrow one the figures go under the bar. */
  barsWidth: { wide: 420, narrow: 290 },
  figuresX: 452,
  rowHeight: 46,
  titleLineHeight: 15,
  figureLineHeight: 13,
  /** Titles wrap before the figures column; past two lines (three on a phone) the rest is in the tooltip. */
  titleMaxLines: { wide: 2, narrow: 3 },
  barOffset: 18,
  barHeight: 14,
} as const;

/**
 * Pledged and received money per priority, in the order given (the page sorts unfunded first),
 * against its target. The gap is hatched only where a target exists; a row without one says
 * "No target set" in words instead of drawing a marker.
 */
export function prioritiesChart(input: PrioritiesChartInput, layout: ChartLayout = 'wide'): string {
  const { currency, rows } = input;
  const width = CHART_WIDTHS[layout];
  const narrow = layout === 'narrow';
  const pattern = narrow ? `${PRIORITIES.gapPattern}-narrow` : PRIORITIES.gapPattern;
  const money = (amount: string) => formatMoneyExact(amount, currency);
  const compact = (amount: string) => formatCompact(amount, currency);
  const scale = linearScale(
    Math.max(0, ...rows.flatMap((row) => [Number(row.pledged), Number(row.disbursed), Number(row.target ?? 0)])),
    PRIORITIES.barsX,
    PRIORITIES.barsWidth[layout],
  );
  const titleWidth = narrow ? width : PRIORITIES.figuresX - 16 + ROW_LABEL_X;
  const figuresWidth = narrow ? width : width - PRIORITIES.figuresX + ROW_LABEL_X;
  const figuresX = narrow ? ROW_LABEL_X : PRIORITIES.figuresX;
  const key = legend(
    [
      { label: 'Pledged', swatch: swatch(MEANING_PALETTE.foreign.tint, MEANING_PALETTE.foreign.ink) },
      { label: 'Received', swatch: swatch(MEANING_PALETTE.foreign.fill, MEANING_PALETTE.foreign.ink) },
      { label: 'Target', swatch: targetSwatch },
      { label: 'Unfunded gap', swatch: swatch(`url(#${pattern})`, MEANING_PALETTE.gap.ink) },
    ],
    2,
    width,
  );
  const rowsTop = 12 + key.lines * LEGEND_LINE_HEIGHT;
  let rowsBottom = rowsTop;

  const rowMarkup = rows.map((row) => {
    const titleLines = fitLines(row.title, titleWidth, APPROXIMATE_CHAR_WIDTH_12PX_BOLD, PRIORITIES.titleMaxLines[layout]);
    const extraTitleHeight = (titleLines.length - 1) * PRIORITIES.titleLineHeight;
    const [fundingLine, targetLine] = priorityFigures(row, compact);
    const fundingLines = fitLines(fundingLine, figuresWidth, APPROXIMATE_CHAR_WIDTH_11PX, 3);
    const top = rowsBottom;
    const barY = top + PRIORITIES.barOffset + extraTitleHeight;
    const figuresY = narrow ? barY + PRIORITIES.barHeight + 13 : barY + 4;
    const figureLines = fundingLines.length + 1;
    const figuresBottom = figuresY + (figureLines - 1) * PRIORITIES.figureLineHeight;
    rowsBottom = Math.max(top + PRIORITIES.rowHeight + extraTitleHeight, figuresBottom + (narrow ? 16 : 11));
    const bars: string[] = [
      element('rect', {
        x: scale.x0,
        y: barY,
        width: toPixels(row.pledged, scale),
        height: PRIORITIES.barHeight,
        fill: MEANING_PALETTE.foreign.tint,
        stroke: MEANING_PALETTE.foreign.ink,
      }),
      element('rect', {
        x: scale.x0,
        y: barY + 3,
        width: toPixels(row.disbursed, scale),
        height: PRIORITIES.barHeight - 6,
        fill: MEANING_PALETTE.foreign.fill,
        stroke: MEANING_PALETTE.foreign.ink,
      }),
    ];
    if (row.target !== null) {
      const targetX = scale.x0 + toPixels(row.target, scale);
      if (row.gap !== null && signOfDecimal(row.gap) > 0) {
        const gapWidth = toPixels(row.gap, scale);
        bars.push(
          element('rect', {
            class: 'gap',
            x: targetX - gapWidth,
            y: barY,
            width: gapWidth,
            height: PRIORITIES.barHeight,
            fill: `url(#${pattern})`,
            stroke: MEANING_PALETTE.gap.ink,
          }),
        );
      }
      bars.push(
        element('line', {
          class: 'target',
          x1: targetX,
          x2: targetX,
          y1: barY - 4,
          y2: barY + PRIORITIES.barHeight + 4,
          stroke: CHART_INK.target,
          'stroke-width': 2.5,
        }),
      );
    }
    return element('g', { class: 'priority-row', 'data-priority-code': row.code }, [
      tooltip(`${row.title}: ${priorityRowSentence(row, money)}`),
      ...titleLines.map((line, lineIndex) =>
        text(line, {
          x: ROW_LABEL_X,
          y: top + 13 + lineIndex * PRIORITIES.titleLineHeight,
          fill: CHART_INK.text,
          'font-size': 12,
          'font-weight': 600,
        }),
      ),
      ...bars,
      ...fundingLines.map((line, lineIndex) =>
        text(line, { x: figuresX, y: figuresY + lineIndex * PRIORITIES.figureLineHeight, fill: CHART_INK.text, 'font-size': 11 }),
      ),
      text(targetLine, {
        x: figuresX,
        y: figuresBottom,
        fill: row.target === null ? CHART_INK.muted : CHART_INK.text,
        'font-size': 11,
        'font-style': row.target === null ? 'italic' : undefined,
      }),
    ]);
  });

  const body = [
    element('defs', {}, [hatchPattern(pattern, MEANING_PALETTE.gap.ink, '#FFFFFF', -45)]),
    key.markup,
    axis(scale, rowsTop + 12, rowsBottom, currency),
    ...rowMarkup,
  ];
  const label = `Foreign money by priority, ${currency}. ` + rows.map((row) => `${row.title}: ${priorityRowSentence(row, money)}`).join(' ');
  return svgDocument('chart--priorities', layout, rowsBottom + 24, label, body);
}

/** The two short lines printed beside a priority's bar. */
function priorityFigures(row: PriorityChartRow, compact: (amount: string) => string): [string, string] {
  const received = signOfDecimal(row.disbursed) === 0 ? 'nothing received' : `${compact(row.disbursed)} received`;
  const nothingInMoney = signOfDecimal(row.pledged) === 0;
  const fundingLine = nothingInMoney ? (row.inKind ? `In kind: ${row.inKind}` : 'Nothing pledged') : `${compact(row.pledged)} pledged, ${received}`;
  if (row.target === null) return [fundingLine, 'No target set'];
  if (row.gap === null) return [fundingLine, `Target ${compact(row.target)}`];
  if (signOfDecimal(row.gap) <= 0) return [fundingLine, `Target ${compact(row.target)} reached`];
  return [fundingLine, `Gap ${compact(row.gap)} of ${compact(row.target)} target`];
}

/** The exact figures of one priority, for tooltips and the aria-label. */
function priorityRowSentence(row: PriorityChartRow, money: (amount: string) => string): string {
  const funding = `pledged ${money(row.pledged)}, received ${money(row.disbursed)}`;
  if (row.target === null) return `${funding}, no target set.`;
  const gap = row.gap === null ? '' : `, gap ${money(row.gap)}`;
  return `${funding}, target ${money(row.target)}${gap}.`;
}

/** Greedy word wrap; a word longer than a line is cut, and text past the last line ends in "…". */
function wrapText(value: string, maxChars: number, maxLines: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of value.split(/\s+/).filter(Boolean)) {
    const candidate = current ? `${current} ${word}` : word;
    if (candidate.length <= maxChars) {
      current = candidate;
    } else {
      if (current) lines.push(current);
      current = word;
    }
  }
  if (current) lines.push(current);
  const shown = lines.slice(0, maxLines).map((line) => (line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line));
  if (lines.length > maxLines) {
    const last = shown[maxLines - 1];
    shown[maxLines - 1] = `${last.slice(0, maxChars - 1).replace(/…$/, '')}…`;
  }
  return shown.length ? shown : [''];
}
