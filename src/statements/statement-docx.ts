import { AlignmentType, Document, Footer, HeadingLevel, Packer, PageNumber, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import type { StatementNarrative } from './statement-narrative';

/** A4 in twentieths of a point. */
const A4 = { width: 11906, height: 16838 };

/**
 * A statement as a Word document (the `docx` library), for staff to paste into the quarterly
 * report: headings, one paragraph per donor, the priorities as a table, and the as-of line with
 * "Page N of M" in the footer of every page.
 */
export function statementDocx(narrative: StatementNarrative): Promise<Buffer> {
  const children: Array<Paragraph | Table> = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(narrative.title)] }),
    new Paragraph({ children: [new TextRun({ text: narrative.asOfLine, italics: true })] }),
  ];
  for (const section of narrative.sections) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(section.heading)] }));
    for (const text of section.paragraphs) children.push(new Paragraph({ children: [new TextRun(text)] }));
    if (section.table) {
      const row = (cells: string[], bold: boolean) =>
        new TableRow({
          tableHeader: bold,
          children: cells.map(
            (text, i) =>
              new TableCell({
                children: [new Paragraph({ alignment: i === 0 ? AlignmentType.LEFT : AlignmentType.RIGHT, children: [new TextRun({ text, bold })] })],
              }),
          ),
        });
      children.push(
        new Table({
          width: { size: 100, type: WidthType.PERCENTAGE },
          rows: [row(section.table.head, true), ...section.table.rows.map((cells) => row(cells, false))],
        }),
      );
    }
  }
  const footer = new Footer({
    children: [
      new Paragraph({
        children: [
          new TextRun(`${narrative.asOfLine} · Page `),
          new TextRun({ children: [PageNumber.CURRENT] }),
          new TextRun(' of '),
          new TextRun({ children: [PageNumber.TOTAL_PAGES] }),
        ],
      }),
    ],
  });
  const document = new Document({
    title: narrative.title,
    creator: 'Mine Action Funding Tracker',
    sections: [{ properties: { page: { size: A4 } }, footers: { default: footer }, children }],
  });
  return Packer.toBuffer(document);
}
