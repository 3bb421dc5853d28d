import { describe, expect, it } from '@jest/globals';
import { pdfString } from './statement-pdf';

const bytes = (literal: string) => [...literal].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');

describe('pdfString (WinAnsi for the PDF standard fonts)', () => {
  it('keeps Latin-1 and writes typographic marks at their WinAnsi bytes', () => {
    expect(pdfString('Füzuli, 5 €')).toBe('(Füzuli, 5 \u0080)');
    expect(bytes(pdfString('ANAMA’s “report” – p. 11…'))).toBe(bytes('(ANAMA\u0092s \u0093report\u0094 \u0096 p. 11\u0085)'));
  });

  it('shows Azerbaijani letters WinAnsi lacks as their nearest letter, never as "?"', () => {
    expect(pdfString('Ağdam, Şuşa, Xocavənd, Qazax İlisu, Kəlbəcər')).toBe('(Agdam, Susa, Xocavänd, Qazax Ilisu, Kälbäcär)');
  });

  it('escapes the characters a PDF string literal reserves, and marks what has no form', () => {
    expect(pdfString('a (b) \\ c')).toBe('(a \\(b\\) \\\\ c)');
    expect(pdfString('地雷')).toBe('(??)');
  });
});
