import { describe, expect, it } from '@jest/globals';
import { MEANING_PALETTE, escapeXml, governmentVsForeignChart, prioritiesChart, type GovernmentVsForeignInput, type PriorityChartRow } from './svg-charts';

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
    expect(svg).toContain('>464.1M USD</text>');
    expect(svg).toContain('>23.3M USD</text>');
    expect(svg).toContain('>14.2M USD pledged</text>');
    expect(svg).toContain('>of which received 3.0M USD</text>');
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
    expect(svg).toContain('not yet itemised 9.1M USD (hatched)');
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
    expect(svg).toContain('the ledger exceeds the reported figure by 4.2M USD');
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
    expect(svg).toContain('>14.2M USD pledged, 3.0M USD received</text>');
    expect(svg).toContain('>Gap 25.8M USD of 40.0M USD target</text>');
    expect(svg).toContain('>Target 800.0K USD reached</text>');
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
