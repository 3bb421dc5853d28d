/**
 * Active ISO 4217 currency codes with their minor-unit digits.
 * Source: ISO 4217 list one, as published by SIX Financial Information (maintenance agency),
 * amendment 177 (2024). Funds codes and precious metals (XAU, XDR…) are left out: money in the
 * ledger is always a spendable currency.
 */
const DIGITS: Record<string, number> = {};
const groups: Array<[number, string]> = [
  [0, 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'],
  [3, 'BHD IQD JOD KWD LYD OMR TND'],
  [4, 'CLF UYW'],
  [
    2,
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD ' +
      'CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD ' +
      'GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD ' +
      'MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP ' +
      'PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS ' +
      'TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD XCG YER ZAR ZMW ZWG',
  ],
];
for (const [digits, codes] of groups) for (const code of codes.split(' ')) DIGITS[code] = digits;

/** Whether `code` is one of these codes. Not a type guard: a string that is not a code is still a string. */
export function isCurrencyCode(code: unknown): boolean {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(DIGITS, code);
}

export function minorDigits(code: string): number {
  const digits = DIGITS[code];
  if (digits === undefined) throw new RangeError(`Unknown currency ${code}`);
  return digits;
}

export const CURRENCY_CODES: readonly string[] = Object.keys(DIGITS).sort();
