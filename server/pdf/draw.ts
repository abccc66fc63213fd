import PDFDocument from 'pdfkit';
import type { DocumentMetadata } from './document-model.ts';
import type { Layout, PositionedBox } from './compose.ts';
import { fonts, type FontId } from './fonts.ts';

/**
 * The draw stage, the only code that calls pdfkit: it paints the boxes the layout positioned and
 * nothing else. The creation date comes from the document, so equal input gives equal bytes.
 */
export async function drawPdf(layout: Layout, metadata: DocumentMetadata): Promise<Buffer> {
  const document = new PDFDocument({
    size: [...layout.pageSize],
    margin: 0,
    autoFirstPage: false,
    pdfVersion: '1.7',
    lang: metadata.lang,
    displayTitle: true,
    info: {
      Title: metadata.title,
      Subject: metadata.subject,
      Keywords: metadata.keywords,
      Author: 'Bilateral',
      Creator: 'Bilateral',
      Producer: 'Bilateral (pdfkit)',
      CreationDate: metadata.creationDate,
      ModDate: metadata.creationDate,
    },
  });
  for (const font of Object.values(fonts())) document.registerFont(font.id, font.data);

  const finished = collect(document);
  for (const page of layout.pages) {
    document.addPage({ size: [...layout.pageSize], margin: 0 });
    if (layout.watermark) drawWatermark(document, layout.watermark, layout.pageSize);
    for (const box of page.boxes) drawBox(document, box);
  }
  document.end();
  return finished;
}

function drawBox(document: PDFKit.PDFDocument, box: PositionedBox): void {
  if (box.kind === 'rule') {
    document.save().lineWidth(0.5).strokeColor('#333333').moveTo(box.x, box.y).lineTo(box.x + box.width, box.y).stroke().restore();
    return;
  }
  document
    .font(box.font satisfies FontId)
    .fontSize(box.size)
    .fillColor(box.role === 'artifact' ? '#555555' : '#000000')
    // No width: pdfkit must not wrap or re-align what the layout already broke and positioned.
    .text(box.text, box.x, box.y, { lineBreak: false, wordSpacing: box.wordSpacing });
}

/** A diagonal mark across the page, light enough to read the text through it. */
function drawWatermark(document: PDFKit.PDFDocument, text: string, [width, height]: readonly [number, number]): void {
  const size = 28;
  document.save();
  document.rotate(-Math.atan2(height, width) * (180 / Math.PI), { origin: [width / 2, height / 2] });
  document
    .font('serif-bold')
    .fontSize(size)
    .fillColor('#b00000')
    .fillOpacity(0.14)
    .text(text, 0, height / 2 - size / 2, { width, align: 'center', lineBreak: false });
  document.restore();
}

function collect(document: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
}
