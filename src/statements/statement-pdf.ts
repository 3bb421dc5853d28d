import type { StatementNarrative } from './statement-narrative';

/**
 * A statement as a PDF: A4, the PDF's own standard fonts (Helvetica, nothing embedded), the as-of
 * line and "Page N of M" at the foot of every page. Written here in about a hundred lines rather
 * than with a browser (production has no Chromium) or a new dependency: the statement is text and
 * simple tables, which the PDF format's text operators draw directly.
 */
const PAGE = { width: 595.28, height: 841.89, margin: 56 };
const FOOT_Y = 32;

interface Line {
  text: string;
  size: number;
  bold: boolean;
  /** Space before the line, in points. */
  gap: number;
}

/** Average Helvetica advance as a share of the font size; wrapping a little early is safe. */
const AVERAGE_WIDTH = 0.52;

function wrap(text: string, size: number): string[] {
  const perLine = Math.floor((PAGE.width - 2 * PAGE.margin) / (size * AVERAGE_WIDTH));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word.length > perLine ? word.slice(0, perLine) : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Characters outside Latin-1 that WinAnsiEncoding has (its 0x80-0x9F range), by their byte there. */
const WIN_ANSI_EXTRA: Record<string, number> = {
  '€': 0x80,
  '…': 0x85,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  Š: 0x8a,
  š: 0x9a,
  Ž: 0x8e,
  ž: 0x9e,
  Œ: 0x8c,
  œ: 0x9c,
};

/** Letters of Azerbaijani and neighbouring alphabets without a WinAnsi form, and the letter the PDF shows instead. */
const NEAREST: Record<string, string> = { ə: 'ä', Ə: 'Ä', ı: 'i', İ: 'I', '→': '->' };

/**
 * One character as WinAnsi (the standard fonts' encoding): Latin-1 and the typographic marks kept,
 * a letter with a diacritic WinAnsi lacks ("ğ", "ş") shown as its base letter, "ə" as "ä", and
 * anything else as "?". The DOCX and the page keep every character.
 */
function winAnsi(c: string): string {
  if (c.charCodeAt(0) < 0x80 || (c.charCodeAt(0) >= 0xa0 && c.charCodeAt(0) < 0x100)) return c;
  if (WIN_ANSI_EXTRA[c] !== undefined) return String.fromCharCode(WIN_ANSI_EXTRA[c]);
  if (NEAREST[c] !== undefined) return NEAREST[c];
  const base = c.normalize('NFD')[0];
  return base !== c && base.charCodeAt(0) < 0x100 ? base : '?';
}

/** A PDF string literal in WinAnsi (see winAnsi), bytes as Latin-1 code units. */
export function pdfString(text: string): string {
  const encoded = [...text].map(winAnsi).join('');
  return `(${encoded.replace(/\\/g, '\\\\').replace(/\(/g, '\\(').replace(/\)/g, '\\)')})`;
}

function linesOf(narrative: StatementNarrative): Line[] {
  const lines: Line[] = wrap(narrative.title, 16).map((text, i) => ({ text, size: 16, bold: true, gap: i === 0 ? 0 : 4 }));
  lines.push({ text: narrative.asOfLine, size: 10, bold: false, gap: 6 });
  for (const section of narrative.sections) {
    lines.push({ text: section.heading, size: 12, bold: true, gap: 16 });
    for (const paragraph of section.paragraphs) wrap(paragraph, 10).forEach((text, i) => lines.push({ text, size: 10, bold: false, gap: i === 0 ? 6 : 2 }));
    if (section.table) {
      lines.push({ text: section.table.head.join('  |  '), size: 9, bold: true, gap: 8 });
      for (const row of section.table.rows) wrap(row.join('  |  '), 9).forEach((text, i) => lines.push({ text, size: 9, bold: false, gap: i === 0 ? 4 : 1 }));
    }
  }
  return lines;
}

export function statementPdf(narrative: StatementNarrative): Buffer {
  // Lay the lines out on pages, top to bottom, leaving room for the foot.
  const pages: Array<Array<Line & { y: number }>> = [[]];
  let y = PAGE.height - PAGE.margin;
  for (const line of linesOf(narrative)) {
    const step = line.gap + line.size * 1.25;
    if (y - step < PAGE.margin + 20) {
      pages.push([]);
      y = PAGE.height - PAGE.margin;
    }
    y -= pages[pages.length - 1].length === 0 ? line.size : step;
    pages[pages.length - 1].push({ ...line, y });
  }

  const objects: string[] = [];
  const add = (body: string) => objects.push(body);
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add(''); // the page tree, once the pages' numbers are known
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const pageIds: number[] = [];
  pages.forEach((page, i) => {
    const text = page.map((l) => `BT /${l.bold ? 'F2' : 'F1'} ${l.size} Tf ${PAGE.margin} ${l.y.toFixed(2)} Td ${pdfString(l.text)} Tj ET`);
    const foot = `Page ${i + 1} of ${pages.length}`;
    text.push(`BT /F1 8 Tf ${PAGE.margin} ${FOOT_Y} Td ${pdfString(narrative.asOfLine)} Tj ET`);
    text.push(`BT /F1 8 Tf ${(PAGE.width - PAGE.margin - foot.length * 8 * AVERAGE_WIDTH).toFixed(2)} ${FOOT_Y - 11} Td ${pdfString(foot)} Tj ET`);
    const stream = text.join('\n');
    add(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
    const contentId = objects.length;
    add(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${contentId} 0 R >>`,
    );
    pageIds.push(objects.length);
  });
  objects[1] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;

  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info << /Title ${pdfString(narrative.title)} /Producer (Mine Action Funding Tracker) >> >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
