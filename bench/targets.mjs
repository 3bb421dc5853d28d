/**
 * The performance issue's targets, each read from one benchmark's result file
 * (bench/results/<name>-<database>.json). Ratios are against baselines measured in the same run.
 */
const pct = (x) => `${(100 * x).toFixed(0)}%`;
const num = (x, unit = '') => `${Math.round(x).toLocaleString('en-US')}${unit}`;

export const TARGETS = [
  {
    figure: '/api/health requests/s (baseline)',
    result: (db) => `core-${db}`,
    value: (d) => d.healthRps,
    show: (v) => num(v),
    target: 'baseline',
    met: () => true,
  },
  {
    figure: 'funding-gap requests/s vs health, report data',
    result: (db) => `core-${db}`,
    value: (d) => d.seedGapToHealthRatio,
    show: pct,
    target: '≥ 50%',
    met: (v) => v >= 0.5,
  },
  {
    figure: 'funding-gap requests/s vs health, 10-year ledger',
    result: (db) => `funding-gap-${db}`,
    value: (d) => d.gapToHealthRatio,
    show: pct,
    target: '≥ 50%',
    met: (v) => v >= 0.5,
  },
  {
    figure: 'funding-gap p50 vs raw SQL aggregate',
    result: (db) => `funding-gap-${db}`,
    value: (d) => d.servedToRawLatencyRatio,
    show: (v) => `${v.toFixed(2)}×`,
    target: '≤ 1×',
    met: (v) => v <= 1,
  },
  {
    figure: 'funding-gap p99 latency',
    result: (db) => `funding-gap-${db}`,
    value: (d) => d.gapP99Ms,
    show: (v) => num(v, ' ms'),
    target: 'reported',
    met: () => true,
  },
  {
    figure: 'page / requests/s vs health',
    result: (db) => `funding-gap-${db}`,
    value: (d) => d.pageToHealthRatio,
    show: pct,
    target: 'reported',
    met: () => true,
  },
  {
    figure: 'pledge POST requests/s vs health',
    result: (db) => `core-${db}`,
    value: (d) => d.pledgePostRatio,
    show: pct,
    target: '≥ 25% (SQLite)',
    met: (v) => v >= 0.25,
  },
  {
    figure: 'CSV import rows/s',
    result: (db) => `csv-import-${db}`,
    value: (d) => d.importRowsPerSecond,
    show: (v) => num(v),
    target: '≥ 50,000',
    met: (v) => v >= 50_000,
  },
  {
    figure: 'CSV import vs raw multi-row insert',
    result: (db) => `csv-import-${db}`,
    value: (d) => d.ratioToRaw,
    show: pct,
    target: 'reported',
    met: () => true,
  },
  {
    figure: 'digest run: queue vs render alone',
    result: (db) => `digests-${db}`,
    value: (d) => d.queueOverheadRatio,
    show: (v) => `${v.toFixed(2)}×`,
    target: '≤ 2×',
    met: (v) => v <= 2,
  },
  {
    figure: 'digest delivery to local SMTP msg/s',
    result: (db) => `digests-${db}`,
    value: (d) => d.deliveryPerSecond,
    show: (v) => num(v),
    target: 'reported',
    met: () => true,
  },
  {
    figure: 'peak RSS of the app',
    result: (db) => `core-${db}`,
    value: (d) => d.peakRssMb,
    show: (v) => num(v, ' MB'),
    target: '≤ 256 MB',
    met: (v) => v <= 256,
  },
  {
    figure: 'start to first answer, existing db',
    result: (db) => `core-${db}`,
    value: (d) => d.coldStartMs,
    show: (v) => num(v, ' ms'),
    target: '≤ 2,000 ms',
    met: (v) => v <= 2000,
  },
];
