import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseXml, runRuleset, select, stringValue, xpath, type Ruleset } from '../support/iati-rulesets';

/**
 * The evaluator of the IATI rulesets (test/support/iati-rulesets.ts) on small snippets: for each
 * rule type standard.json uses, a failing and a passing activity, so the export test's "no
 * failures" means something. The rules are the real ones from schemas/iati-rulesets/standard.json,
 * picked by their IATI rule id.
 */
const STANDARD = JSON.parse(readFileSync(join(process.cwd(), 'schemas', 'iati-rulesets', 'standard.json'), 'utf8')) as Ruleset;
const NOW = new Date('2025-06-15T12:00:00Z');

/** standard.json reduced to the cases of one rule id (loops kept whole when they hold it). */
function only(ruleId: string, type: string): Ruleset {
  const out: Ruleset = {};
  for (const [context, rules] of Object.entries(STANDARD)) {
    const cases = (rules[type]?.cases ?? []).filter(
      (c) =>
        c.ruleInfo?.id === ruleId ||
        Object.values((c.do as Record<string, { cases: Array<{ ruleInfo?: { id: string } }> }>) ?? {}).some((d) =>
          d.cases.some((x) => x.ruleInfo?.id === ruleId),
        ),
    );
    if (cases.length) out[context] = { [type]: { cases } };
  }
  expect(Object.keys(out)).not.toHaveLength(0);
  return out;
}

/** A minimal activity that passes every rule; `body` replaces its optional part, `attrs` its attributes. */
function activity(body: string, attrs = 'xml:lang="en" default-currency="EUR" last-updated-datetime="2025-01-01T00:00:00Z"', id = 'AZ-ANAMA-pledge-1'): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<iati-activities version="2.03">',
    `<iati-activity ${attrs}>`,
    `<iati-identifier>${id}</iati-identifier>`,
    '<reporting-org ref="AZ-ANAMA" type="10"><narrative>ANAMA</narrative></reporting-org>',
    '<title><narrative>A title &amp; more</narrative></title>',
    body,
    '</iati-activity>',
    '</iati-activities>',
  ].join('\n');
}

const PASSING_DATES = '<activity-date iso-date="2024-01-01" type="1"/>';
const SECTOR = '<sector vocabulary="1" code="15250" percentage="100"/>';
const COUNTRY = '<recipient-country code="AZ" percentage="100"/>';

function failuresOf(ruleId: string, type: string, xml: string): string[] {
  return runRuleset(only(ruleId, type), xml, { now: NOW }).failures.map((f) => `${f.rule} ${f.activity}`);
}

describe('IATI rulesets evaluator: one failing and one passing snippet per rule type', () => {
  const base = `${PASSING_DATES}${COUNTRY}${SECTOR}`;
  const cases: Array<{ rule: string; type: string; failing: string; passing: string }> = [
    { rule: '6.11.1', type: 'atleast_one', failing: activity(`${COUNTRY}${SECTOR}`), passing: activity(base) },
    {
      rule: '107.1.2',
      type: 'no_more_than_one',
      failing: activity(`${base}<default-aid-type code="A01"/><default-aid-type code="A02" vocabulary="1"/>`),
      passing: activity(`${base}<default-aid-type code="A01"/>`),
    },
    { rule: '1.1.3', type: 'unique', failing: activity(base, undefined, 'AZ-ANAMA'), passing: activity(base) },
    { rule: '1.1.21', type: 'startswith', failing: activity(base, undefined, 'XM-OTHER-1'), passing: activity(base) },
    {
      rule: '4.1.1',
      type: 'one_or_all',
      failing: activity(base, 'default-currency="EUR" last-updated-datetime="2025-01-01T00:00:00Z"'),
      passing: activity(base.replace('<title>', ''), 'default-currency="EUR" last-updated-datetime="2025-01-01T00:00:00Z"').replace(
        /<narrative>/g,
        '<narrative xml:lang="en">',
      ),
    },
    {
      rule: '7.8.1',
      type: 'one_or_all',
      failing: activity(
        `${base}<budget><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/><value value-date="2024-01-01">5</value></budget>`,
        'xml:lang="en"',
      ),
      passing: activity(
        `${base}<budget><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/><value currency="EUR" value-date="2024-01-01">5</value></budget>`,
        'xml:lang="en"',
      ),
    },
    { rule: '11.1.1', type: 'date_now', failing: activity(base, 'xml:lang="en" last-updated-datetime="2025-06-16T00:00:00Z"'), passing: activity(base) },
    {
      rule: '11.1.2',
      type: 'date_order',
      failing: activity(`${base}<activity-date iso-date="2023-12-31" type="3"/>`),
      passing: activity(`${base}<activity-date iso-date="2024-01-01" type="3"/>`),
    },
    {
      rule: '11.2.1',
      type: 'date_order',
      failing: activity(
        `${base}<transaction><transaction-type code="1"/><transaction-date iso-date="2025-06-16"/><value value-date="2025-01-01">1</value></transaction>`,
      ),
      passing: activity(
        `${base}<transaction><transaction-type code="1"/><transaction-date iso-date="2025-06-15"/><value value-date="2025-01-01">1</value></transaction>`,
      ),
    },
    {
      rule: '8.6.3',
      type: 'date_order',
      failing: activity(
        `${base}<planned-disbursement type="1"><period-start iso-date="2025-02-01"/><period-end iso-date="2025-01-31"/></planned-disbursement>`,
      ),
      passing: activity(
        `${base}<planned-disbursement type="1"><period-start iso-date="2025-02-01"/><period-end iso-date="2025-02-01"/></planned-disbursement>`,
      ),
    },
    { rule: '1.3.13', type: 'regex_matches', failing: activity(base, undefined, 'AZ-ANAMA-pledge/1'), passing: activity(base) },
    { rule: '1.3.1', type: 'no_spaces', failing: activity(base, undefined, 'AZ-ANAMA-pledge-1 '), passing: activity(base) },
    {
      rule: '2.1.2',
      type: 'strict_sum',
      failing: activity(`${PASSING_DATES}${COUNTRY}<sector code="15250" percentage="60"/><sector code="15110" percentage="30"/>`),
      passing: activity(`${PASSING_DATES}${COUNTRY}<sector code="15250" percentage="60"/><sector code="15110" percentage="40"/>`),
    },
    {
      rule: '3.4.2',
      type: 'loop',
      failing: activity(`${PASSING_DATES}${SECTOR}<recipient-country code="AZ" percentage="50"/><recipient-region vocabulary="1" code="298" percentage="40"/>`),
      passing: activity(`${PASSING_DATES}${SECTOR}<recipient-country code="AZ" percentage="60"/><recipient-region vocabulary="1" code="298" percentage="40"/>`),
    },
    { rule: '12.3.1', type: 'range', failing: activity(`${PASSING_DATES}${COUNTRY}<sector code="15250" percentage="100.5"/>`), passing: activity(base) },
    {
      rule: '3.7.1',
      type: 'if_then',
      failing: activity(`${PASSING_DATES}${SECTOR}<transaction><transaction-type code="1"/></transaction>`),
      passing: activity(`${PASSING_DATES}${SECTOR}<transaction><transaction-type code="1"/><recipient-country code="AZ"/></transaction>`),
    },
    {
      rule: '6.9.1',
      type: 'atleast_one',
      failing: activity(`${base}<transaction><transaction-type code="1"/><provider-org type="10"/></transaction>`),
      passing: activity(`${base}<transaction><transaction-type code="1"/><provider-org type="10"><narrative>Donor</narrative></provider-org></transaction>`),
    },
    {
      rule: '4.4.1',
      type: 'atleast_one',
      failing: activity(`${base}<description type="1"><narrative></narrative></description>`),
      passing: activity(`${base}<description type="1"><narrative>Text</narrative></description>`),
    },
  ];

  it.each(cases)('$rule ($type): the failing snippet fails, the passing one passes', ({ rule, type, failing, passing }) => {
    expect(failuresOf(rule, type, failing)).toEqual([
      `${rule} ${failing.includes('AZ-ANAMA-pledge-1<') ? 'AZ-ANAMA-pledge-1' : (/<iati-identifier>(.*)<\/iati-identifier>/.exec(failing) as RegExpExecArray)[1]}`,
    ]);
    expect(failuresOf(rule, type, passing)).toEqual([]);
  });

  it('covers every rule type that standard.json applies to activities', () => {
    const used = new Set<string>();
    for (const [context, rules] of Object.entries(STANDARD)) if (!context.includes('iati-organisation')) for (const type of Object.keys(rules)) used.add(type);
    const tested = new Set(cases.map((c) => c.type));
    // time_limit only checks budgets (the export writes none); no_more_than_one under result indicators likewise.
    expect([...used].filter((t) => !tested.has(t)).sort()).toEqual(['time_limit']);
  });

  it('the whole standard ruleset runs on a passing activity with no failure, and refuses what it cannot evaluate', () => {
    const report = runRuleset(STANDARD, activity(`${PASSING_DATES}${COUNTRY}${SECTOR}`), { now: NOW });
    expect(report.failures).toEqual([]);
    expect(report.notEvaluated).toEqual([{ rule: '1.14.8', why: expect.stringContaining('org-id.guide') }]);
    expect(() => runRuleset({ '/iati-activities/iati-activity': { made_up: { cases: [{ paths: ['x'] }] } } }, activity(''), { now: NOW })).toThrow('made_up');
    expect(() => runRuleset({ '/iati-activities/iati-activity': { atleast_one: { cases: [{ paths: ['last(x)'] }] } } }, activity(''), { now: NOW })).toThrow(
      'last()',
    );
  });

  it('XPath 1.0 comparisons: node-sets compare by any member, numbers by value', () => {
    const doc = parseXml('<a><b v="1" p="60"/><b v="2" p="40.0"/><c>x &lt; y</c></a>');
    const a = select('/a', doc)[0];
    expect(xpath("b/@v = '2'", a)).toBe(true);
    expect(xpath('b/@v != 1', a)).toBe(true);
    expect(xpath("count(b[@v = '3'])", a)).toBe(0);
    expect(xpath('count(b) + count(c) > 2', a)).toBe(true);
    expect(xpath('b[@v=2]/@p = 40', a)).toBe(true);
    expect(xpath('not(d) and (c or d)', a)).toBe(true);
    expect(stringValue(select('//c/text()', doc)[0])).toBe('x < y');
    expect(() => parseXml('<a><b></a>')).toThrow();
  });
});
