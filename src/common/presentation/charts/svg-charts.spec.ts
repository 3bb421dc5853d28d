import { describe, expect, it } from '@jest/globals';
import { MEANING_PALETTE, escapeXml, governmentVsForeignChart, prioritiesChart, type GovernmentVsForeignInput, type PriorityChartRow } from './svg-charts';

/** Average advance per character of the system sans-serif at each size the charts use (bold where they use it). */
const CHAR_WIDTH: Record<string, number> = { '11': 6.2, '12': 6.8, '12-bold': 7.4, '13-bold': 8 };

/** Each text element with where it starts and roughly where it ends. */
function texts(svg: string): Array<{ content: string; size: number; x: number; right: number }> {
  return [...svg.matchAll(/<text x="([0-9.]+)"[^>]*?font-size="([0-9.]+)"([^>]*)>([^<]*)<\/text>/g)].map((m) => {
    const size = Number(m[2]);
    const bold = /font-weight="(600|700)"/.test(m[3]);
    const width = CHAR_WIDTH[bold && size >= 12 ? `${size}-bold` : String(size)] ?? size * 0.62;
    const content = m[4].replace(/&[a-z]+;/g, '_');
    const anchor = /text-anchor="middle"/.test(m[0]) ? (content.length * width) / 2 : content.length * width;
    return { content, size, x: Number(m[1]), right: Number(m[1]) + anchor };
  });
}

const PRIORITY_TITLES = [
  'Direct financial donations',
  'Mine Victim Assistance',
  'Technical Surveys and Feasibility Studies',
  'Data Management and Technological Advancements',
  'Support for Female Demining Teams',
  'Mechanical Demining Enhancement',
  'Mine Detection Dogs (MDD) Training',
  'Explosive Containment Chambers',
  'Explosive Materials Transportation Vehicles',
  'Ground Penetrating Radar (GPR) mounted on drones, with logging and mapping software',
  'Demarcation and Fencing',
  'Explosive Ordnance Risk Education (EORE)',
];

function makePriorityRow(overrides: Partial<PriorityChartRow> = {}): PriorityChartRow {
  return { code: 'P01', title: 'Direct financial donations', pledged: '0.00', disbursed: '0.00', target: null, gap: null, ...overrides };
}

/** The twelve priorities with nothing pledged and no targets, as a fresh ledger has them. */
function makePriorityRows(): PriorityChartRow[] {
  return PRIORITY_TITLES.map((title, index) => makePriorityRow({ code: `P${String(index + 1).padStart(2, '0')}`, title }));
}

function makeGovernmentVsForeign(overrides: Partial<GovernmentVsForeignInput> = {}): GovernmentVsForeignInput {
  return {
    currency: 'USD',
    government: '464117647.06',
    foreignPledged: '14230000.00',
    foreignDisbursed: '3000000.00',
    reportedForeignTotal: '23300000.00',
    itemised: '14230000.00',
    notItemised: '9070000.00',
    ...overrides,
  };
}

function count(markup: string, fragment: string): number {
  return markup.split(fragment).length - 1;
}

function ariaLabel(svg: string): string {
  const match = /aria-label="([^"]*)"/.exec(svg);
  if (!match) throw new Error('no aria-label');
  return match[1];
}

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
  });
});

describe('governmentVsForeignChart', () => {
  it('is an accessible image whose label carries the exact figures', () => {
    const svg = governmentVsForeignChart(makeGovernmentVsForeign());
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('role="img"');
    expect(ariaLabel(svg)).toBe(
      'Government money 464,117,647.06 USD. ' +
        'Foreign money itemised in the ledger: pledged 14,230,000.00 USD, received 3,000,000.00 USD. ' +
        'Reported foreign total 23,300,000.00 USD, of which itemised 14,230,000.00 USD and not yet itemised 9,070,000.00 USD.',
    );
    expect(svg).toContain(`<title>${ariaLabel(svg)}</title>`);
  });

  it('labels the bars with compact figures and keeps the exact ones in tooltips', () => {
    const svg = governmentVsForeignChart(makeGovernmentVsForeign());
    expect(svg).toContain('>464M USD</text>');
    expect(svg).toContain('>23.3M USD</text>');
    expect(svg).toContain('>14.2M USD pledged</text>');
    expect(svg).toContain('>of which received 3M USD</text>');
    expect(svg).toContain('<title>Government: 464,117,647.06 USD</title>');
  });

  it('draws foreign money again on an enlarged scale and says by how much', () => {
    const svg = governmentVsForeignChart(makeGovernmentVsForeign());
    // Panel A's axis runs to 500M, panel B's to 25M.
    expect(svg).toContain('>500M</text>');
    expect(svg).toContain('>25M</text>');
    expect(svg).toContain('B  Foreign money only, scale enlarged ×20 (USD)');
  });

  it('hatches the reported but not yet itemised part, in both panels', () => {
    const svg = governmentVsForeignChart(makeGovernmentVsForeign());
    expect(count(svg, 'class="not-itemised"')).toBe(2);
    expect(svg).toContain('not yet itemised 9.07M USD (hatched)');
  });

  it('says so when no reported total is recorded', () => {
    const svg = governmentVsForeignChart(makeGovernmentVsForeign({ reportedForeignTotal: null, notItemised: null }));
    expect(svg).toContain('No reported figure recorded');
    expect(count(svg, 'class="not-itemised"')).toBe(0);
    expect(ariaLabel(svg)).toContain('No reported foreign total recorded.');
  });

  it('names the difference when the ledger exceeds the reported total, and an inexact enlargement', () => {
    const svg = governmentVsForeignChart(
      makeGovernmentVsForeign({
        reportedForeignTotal: '10000000.00',
        itemised: '14230000.00',
        notItemised: '-4230000.00',
        foreignDisbursed: '0.00',
      }),
    );
    expect(count(svg, 'class="not-itemised"')).toBe(0);
    expect(svg).toContain('B  Foreign money only, scale enlarged about ×33 (USD)');
    expect(svg).toContain('>nothing received yet</text>');
    expect(svg).toContain('the ledger exceeds the reported figure by 4.23M USD');
  });

  it('escapes the currency it is given', () => {
    const svg = governmentVsForeignChart(makeGovernmentVsForeign({ currency: '<b>' }));
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;');
  });
});

describe('prioritiesChart', () => {
  it('renders one row per priority, zeros included', () => {
    const svg = prioritiesChart({ currency: 'USD', rows: makePriorityRows() });
    expect(count(svg, 'class="priority-row"')).toBe(12);
    expect(count(svg, '>Nothing pledged</text>')).toBe(12);
    const withGoods = prioritiesChart({
      currency: 'USD',
      rows: [{ code: 'P07', title: 'MDD', pledged: '0.00', disbursed: '0.00', target: null, gap: null, inKind: 'up to 38 dogs (20 delivered)' }],
    });
    expect(withGoods).toContain('>In kind: up to 38 dogs (20 delivered)</text>');
    expect(withGoods).not.toContain('Nothing pledged');
    expect(count(svg, '>No target set</text>')).toBe(12);
  });

  it('hatches the gap and marks the target only where a target exists', () => {
    const rows = makePriorityRows();
    rows[0] = { ...rows[0], pledged: '14230000.00', disbursed: '3000000.00', target: '40000000.00', gap: '25770000.00' };
    rows[1] = { ...rows[1], target: '10000000.00', gap: '10000000.00' };
    rows[6] = { ...rows[6], pledged: '950000.00', disbursed: '950000.00', target: '800000.00', gap: '-150000.00' };
    const svg = prioritiesChart({ currency: 'USD', rows });
    expect(count(svg, 'class="gap"')).toBe(2);
    expect(count(svg, 'class="target"')).toBe(3);
    expect(count(svg, '>No target set</text>')).toBe(9);
    expect(svg).toContain('>14.2M USD pledged, 3M USD received</text>');
    expect(svg).toContain('>Gap 25.8M USD of 40M USD target</text>');
    expect(svg).toContain('>Target 800K USD reached</text>');
  });

  it('puts every figure, exactly, in the aria-label', () => {
    const rows = makePriorityRows();
    rows[0] = { ...rows[0], pledged: '14230000.00', disbursed: '3000000.00', target: '40000000.00', gap: '25770000.00' };
    const label = ariaLabel(prioritiesChart({ currency: 'USD', rows }));
    expect(label).toContain(
      'Direct financial donations: pledged 14,230,000.00 USD, received 3,000,000.00 USD, target 40,000,000.00 USD, gap 25,770,000.00 USD.',
    );
    expect(label).toContain('Mine Victim Assistance: pledged 0.00 USD, received 0.00 USD, no target set.');
  });

  it('escapes titles and codes everywhere they appear', () => {
    const rows = makePriorityRows();
    rows[11] = { ...rows[11], code: '"><script>', title: '<script>alert("x")</script>' };
    const svg = prioritiesChart({ currency: 'USD', rows });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</text>');
    expect(svg).toContain('data-priority-code="&quot;&gt;&lt;script&gt;"');
  });

  it('wraps a long title onto a second line instead of running into the figures', () => {
    const svg = prioritiesChart({ currency: 'USD', rows: makePriorityRows() });
    expect(svg).toContain('>Ground Penetrating Radar (GPR) mounted on drones, with</text>');
    expect(svg).toContain('>logging and mapping software</text>');
  });

  it('uses the shared palette for the gap hatching', () => {
    const svg = prioritiesChart({ currency: 'USD', rows: makePriorityRows() });
    expect(svg).toContain(`stroke="${MEANING_PALETTE.gap.ink}"`);
  });
});

describe('the narrow layout, for a phone', () => {
  const rows = makePriorityRows();
  rows[0] = { ...rows[0], pledged: '14230000.00', disbursed: '3000000.00', target: '40000000.00', gap: '25770000.00' };
  rows[6] = { ...rows[6], inKind: '20 mine detection dogs delivered; up to 30 more pledged, not yet delivered' };
  const charts = [governmentVsForeignChart(makeGovernmentVsForeign(), 'narrow'), prioritiesChart({ currency: 'USD', rows }, 'narrow')];

  it('is 340 units wide, and no text in it is smaller than 11 units or runs past its edge', () => {
    for (const svg of charts) {
      expect(svg).toContain('viewBox="0 0 340 ');
      expect(svg).toContain('chart--narrow');
      const all = texts(svg);
      expect(all.length).toBeGreaterThan(20);
      expect(all.filter((t) => t.size < 11)).toEqual([]);
      expect(all.filter((t) => t.right > 340).map((t) => t.content)).toEqual([]);
    }
  });

  it('puts each label with its figure above the bar and wraps what is long', () => {
    const [gvf, priorities] = charts;
    expect(gvf).toContain('>Government: 464M USD</text>');
    expect(gvf).toContain('>Itemised ledger: 14.2M USD pledged</text>');
    expect(priorities).toContain('>In kind: 20 mine detection dogs delivered; up to 30</text>');
    expect(priorities).toContain('>more pledged, not yet delivered</text>');
  });

  it('names its hatching patterns apart from the wide chart on the same page', () => {
    expect(charts[0]).toContain('id="gvf-not-itemised-narrow"');
    expect(charts[1]).toContain('id="prio-gap-narrow"');
    expect(governmentVsForeignChart(makeGovernmentVsForeign())).not.toContain('-narrow');
  });

  it('keeps the wide chart within its 720 units too, long goods wrapped', () => {
    for (const svg of [governmentVsForeignChart(makeGovernmentVsForeign()), prioritiesChart({ currency: 'USD', rows })])
      expect(
        texts(svg)
          .filter((t) => t.right > 720)
          .map((t) => t.content),
      ).toEqual([]);
  });
});
