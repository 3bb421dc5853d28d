/** The currencies every pledge and receipt is valued in, and so the ones the funding engine reports in. */
export const REPORTING_CURRENCIES = ['USD', 'EUR', 'AZN'] as const;
export type ReportingCurrency = (typeof REPORTING_CURRENCIES)[number];
