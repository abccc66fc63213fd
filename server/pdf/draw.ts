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
  let mark: PDFKit.PDFKitReference | undefined;
  let sliceStart = performance.now();
  for (const page of layout.pages) {
    // A long document is drawn in slices, so the other requests are served between its pages.
    if (performance.now() - sliceStart > DRAW_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    document.addPage({ size: [...pageSize], margin: 0 });
    painter.startPage();
    if (watermark)
      asArtifact(document, 'Pagination', () => drawWatermark(document, (mark ??= watermarkForm(document, watermark, pageSize))));
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
    .lineWidth(box.thickness ?? 0.5)
    .strokeColor(box.color ?? '#333333')
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
 * The outlines are one form XObject that every page draws: written once, not once a page (they were
 * a quarter of a draft's bytes and most of its drawing time).
 */
function drawWatermark(document: PDFKit.PDFDocument, form: PDFKit.PDFKitReference): void {
  (document.page.xobjects as Record<string, PDFKit.PDFKitReference>)[WATERMARK_NAME] ??= form;
  document.addContent(`/${WATERMARK_NAME} Do`);
}

const WATERMARK_NAME = 'DraftMark';
const MAX_REMEMBERED_MARKS = 64;
/** The mark's content by text and page size: the same draft version renders its originals again and again. */
const markContents = new Map<string, Buffer>();

/** The marks' contents so far, to store (typesetting-cache.ts); and stored ones taken back. */
export function markContentsMemo(): [string, string][] {
  return [...markContents].map(([key, content]) => [key, content.toString('latin1')]);
}
export function restoreMarkContents(entries: readonly [string, string][]): void {
  for (const [key, content] of entries) if (markContents.size < MAX_REMEMBERED_MARKS) markContents.set(key, Buffer.from(content, 'latin1'));
}

function watermarkForm(document: PDFKit.PDFDocument, text: string, pageSize: readonly [number, number]): PDFKit.PDFKitReference {
  const [width, height] = pageSize;
  const form = document.ref({
    Type: 'XObject',
    Subtype: 'Form',
    // Drawn in pdfkit's page space (y down), which the form's space is too.
    BBox: [0, 0, width, height],
    Resources: { ExtGState: { Light: { Type: 'ExtGState', ca: 0.14 } } },
  });
  const key = `${width}x${height}|${text}`;
  let content = markContents.get(key);
  if (content === undefined) {
    content = Buffer.from(watermarkContent(text, pageSize), 'latin1');
    if (markContents.size >= MAX_REMEMBERED_MARKS) markContents.clear();
    markContents.set(key, content);
  }
  form.end(content);
  return form;
}

/** The mark's outlines as content operators: rotated along the diagonal, centred, in font units with y up. */
function watermarkContent(text: string, [width, height]: readonly [number, number]): string {
  const size = 28;
  const { font } = fonts()['serif-bold'];
  const run = shape('serif-bold', text);
  const scale = size / font.unitsPerEm;
  const angle = -Math.atan2(height, width);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const [cx, cy] = [width / 2, height / 2];
  const operators: string[] = ['q', '/Light gs', '0.690196 0 0 rg'];
  // Rotation about the page's middle, then the run's start, then font units (y up).
  operators.push(`${n(cos)} ${n(sin)} ${n(-sin)} ${n(cos)} ${n(cx - cos * cx + sin * cy)} ${n(cy - sin * cx - cos * cy)} cm`);
  operators.push(`${n(scale)} 0 0 ${n(-scale)} ${n((width - run.advanceWidth * scale) / 2)} ${n(height / 2 + size * 0.35)} cm`);
  let penX = 0;
  run.glyphs.forEach(({ id }, index) => {
    const glyph = font.getGlyph(id);
    const position = run.positions[index]!;
    const [dx, dy] = [penX + position.xOffset, position.yOffset];
    let [lastX, lastY] = [0, 0];
    for (const { command, args } of glyph.path.commands) {
      const points = args.map((value, at) => value + (at % 2 === 0 ? dx : dy));
      if (command === 'moveTo') operators.push(`${n(points[0]!)} ${n(points[1]!)} m`);
      else if (command === 'lineTo') operators.push(`${n(points[0]!)} ${n(points[1]!)} l`);
      else if (command === 'bezierCurveTo') operators.push(`${points.map(n).join(' ')} c`);
      else if (command === 'quadraticCurveTo') {
        // A quadratic Bézier as the cubic with control points two thirds of the way to its one.
        const [qx, qy, x, y] = points as [number, number, number, number];
        const c1 = [lastX + (2 / 3) * (qx - lastX), lastY + (2 / 3) * (qy - lastY)];
        const c2 = [x + (2 / 3) * (qx - x), y + (2 / 3) * (qy - y)];
        operators.push(`${[...c1, ...c2, x, y].map(n).join(' ')} c`);
      } else if (command === 'closePath') operators.push('h');
      if (points.length >= 2) [lastX, lastY] = [points.at(-2)!, points.at(-1)!];
    }
    penX += position.xAdvance;
  });
  operators.push('f', 'Q');
  return `${operators.join('\n')}\n`;
}

/** Three decimals, of font units or of points: below any visible difference. */
const n = (value: number) => String(Math.round(value * 1000) / 1000);

function collect(document: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
}
