import PDFDocument from 'pdfkit';
import type { DocumentMetadata } from './document-model.ts';
import { TextPainter } from './draw-text.ts';
import { fonts, shape } from './fonts.ts';
import type { Layout, RuleBox, StructureElement, TextBox } from './layout-model.ts';

/**
 * The draw stage, the only code that calls pdfkit: it paints the boxes the layout positioned and
 * nothing else, and tags them: every line is marked content of its structure element (all lines of
 * a paragraph make one P, across pages), furniture is an artifact. The creation date comes from the
 * document, so equal input gives equal bytes.
 */
/** How long drawing may hold the event loop before it lets other work run; an ordinary agreement draws in one slice. */
const DRAW_SLICE_MS = 20;

export async function drawPdf(layout: Layout, metadata: DocumentMetadata): Promise<Buffer> {
  const document = new PDFDocument({
    size: [...layout.pageSize],
    margin: 0,
    autoFirstPage: false,
    pdfVersion: '1.7',
    tagged: true,
    lang: metadata.lang,
    displayTitle: true,
    // No default font: all text is set in the embedded subsets (draw-text.ts), and pdfkit would parse
    // Helvetica's metrics for every document.
    font: '',
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

  const finished = collect(document);
  const painter = new TextPainter(
    document,
    layout.pages.flatMap((page) => page.boxes.filter((box): box is TextBox => box.kind === 'text')),
  );
  const contents = new Map<StructureElement, PDFKit.PDFStructureContent>();
  const { watermark, pageSize } = layout;
  let sliceStart = performance.now();
  for (const page of layout.pages) {
    // A long document is drawn in slices, so the other requests are served between its pages.
    if (performance.now() - sliceStart > DRAW_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    document.addPage({ size: [...pageSize], margin: 0 });
    painter.startPage();
    if (watermark) asArtifact(document, 'Pagination', () => drawWatermark(document, watermark, pageSize));
    for (const box of page.boxes) {
      if (box.kind === 'rule') asArtifact(document, 'Layout', () => drawRule(document, box));
      else if (box.element) markAsContentOf(document, box.element, contents, () => painter.paint(box));
      else asArtifact(document, 'Pagination', () => painter.paint(box));
    }
  }
  const root = document.struct(
    'Document',
    {},
    layout.structure.flatMap((element) => structureOf(document, element, contents)),
  );
  document.addStructure(root);
  document.end();
  return finished;
}

function drawRule(document: PDFKit.PDFDocument, box: RuleBox): void {
  document
    .save()
    .lineWidth(0.5)
    .strokeColor('#333333')
    .moveTo(box.x, box.y)
    .lineTo(box.x + box.width, box.y)
    .stroke()
    .restore();
}

/** Marks what `draw` paints as content of `element`; an element's pieces become one content item. */
function markAsContentOf(
  document: PDFKit.PDFDocument,
  element: StructureElement,
  contents: Map<StructureElement, PDFKit.PDFStructureContent>,
  draw: () => void,
): void {
  const content = document.markStructureContent(element.type);
  draw();
  document.endMarkedContent();
  const earlier = contents.get(element);
  if (earlier) earlier.push(content);
  else contents.set(element, content);
}

/** Furniture a screen reader skips: running header, page number and draft mark (pagination), rules (layout). */
function asArtifact(document: PDFKit.PDFDocument, type: 'Pagination' | 'Layout', draw: () => void): void {
  document.markContent('Artifact', { type });
  draw();
  document.endMarkedContent();
}

/** The PDF structure element for a layout element; an element with nothing drawn in it is left out. */
function structureOf(
  document: PDFKit.PDFDocument,
  element: StructureElement,
  contents: ReadonlyMap<StructureElement, PDFKit.PDFStructureContent>,
): PDFKit.PDFStructureElement[] {
  const children: PDFKit.PDFStructureElementChild[] = element.children.flatMap((child) => structureOf(document, child, contents));
  const content = contents.get(element);
  if (content) children.push(content);
  if (children.length === 0) return [];
  return [document.struct(element.type, element.lang === null ? {} : { lang: element.lang }, children)];
}

/**
 * A diagonal mark across the page, light enough to read the text through it. It is painted as glyph
 * outlines, not text, so extracting, searching or copying a column gives the agreement's text only.
 */
function drawWatermark(document: PDFKit.PDFDocument, text: string, [width, height]: readonly [number, number]): void {
  const size = 28;
  const { font } = fonts()['serif-bold'];
  const run = shape('serif-bold', text);
  const scale = size / font.unitsPerEm;
  document.save();
  document.rotate(-Math.atan2(height, width) * (180 / Math.PI), { origin: [width / 2, height / 2] });
  // Centred on the page's middle, in font units with y pointing up, as glyph outlines are drawn.
  document.translate((width - run.advanceWidth * scale) / 2, height / 2 + size * 0.35).scale(scale, -scale);
  let penX = 0;
  run.glyphs.forEach((glyph, index) => {
    const position = run.positions[index]!;
    document.path(glyph.path.translate(penX + position.xOffset, position.yOffset).toSVG());
    penX += position.xAdvance;
  });
  document.fillColor('#b00000').fillOpacity(0.14).fill();
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
