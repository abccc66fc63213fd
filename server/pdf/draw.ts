import { deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import type { DocumentMetadata } from './document-model.ts';
import { colorOperator, deflatedStream, TextPainter } from './draw-text.ts';
import { decimal } from './font-subsets.ts';
import { fontMetrics, fontTable, fontTablePart, nominalGlyph, shape } from './fonts.ts';
import type { Layout, RuleBox, StructureElement, TextBox } from './layout-model.ts';
import { rememberedDeflate } from './remembered-deflate.ts';
import { glyphContours, type OutlinePoint } from './truetype-subset.ts';

/**
 * The draw stage, the only code that calls pdfkit: it paints the boxes the layout positioned and
 * nothing else, and tags them: every line is marked content of its structure element (all lines of
 * a paragraph make one P, across pages; its lines on one page one content item), furniture is an
 * artifact. The creation date comes from the
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
  const sink = new ContentSink(document);
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
    const content = new PageContent(document, sink, painter, contents);
    if (watermark) content.graphics('Pagination', drawWatermark(document, (mark ??= watermarkForm(document, watermark, pageSize))));
    for (const box of page.boxes) {
      if (box.kind === 'rule') content.graphics('Layout', ruleOperators(box));
      else content.text(box.element ?? 'Pagination', box);
    }
    content.end();
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

function ruleOperators(box: RuleBox): string {
  const [x, y] = [decimal(box.x), decimal(box.y)];
  return `q\n${decimal(box.thickness ?? 0.5)} w\n${colorOperator(box.color ?? '#333333', 'stroke')}\n${x} ${y} m\n${decimal(box.x + box.width)} ${y} l\nS\nQ\n`;
}

/** Furniture a screen reader skips: running header, page number and draft mark (pagination), rules (layout). */
type ArtifactType = 'Pagination' | 'Layout';

/**
 * One page's content, as marked-content sequences: the boxes drawn one after the other for the same
 * structure element (a paragraph's lines on the page), or as artifacts of the same type, are one
 * sequence, one content item of the element. The text between two graphics (a rule, the draft mark)
 * is one text object, its sequences inside it (BT and ET nest with BDC and EMC, ISO 32000-1 §14.6).
 * pdfkit numbers the structure's content items (MCIDs) as it writes their start, into the same sink.
 */
class PageContent {
  private open: StructureElement | ArtifactType | null = null;
  private inText = false;

  constructor(
    private readonly document: PDFKit.PDFDocument,
    private readonly sink: ContentSink,
    private readonly painter: TextPainter,
    private readonly contents: Map<StructureElement, PDFKit.PDFStructureContent>,
  ) {}

  /** Draws `box` as content of `mark`: a structure element, or an artifact of this type. */
  text(mark: StructureElement | ArtifactType, box: TextBox): void {
    if (!this.inText) {
      this.close();
      this.sink.write(this.painter.beginText());
      this.inText = true;
    }
    this.enter(mark);
    this.sink.write(this.painter.paint(box));
  }

  /** Draws operators that are not text (outside a text object) as content of `mark`. */
  graphics(mark: StructureElement | ArtifactType, operators: string): void {
    if (this.inText) {
      this.close();
      this.sink.write(this.painter.endText());
      this.inText = false;
    }
    this.enter(mark);
    this.sink.write(operators);
  }

  /** Ends the page's content: nothing is drawn on the page after this. */
  end(): void {
    this.close();
    if (this.inText) this.sink.write(this.painter.endText());
    this.sink.endPage(this.document.page);
    deflatePageContent(this.document.page);
  }

  private enter(mark: StructureElement | ArtifactType): void {
    if (mark === this.open) return;
    this.close();
    if (typeof mark === 'string') this.sink.write(`/Artifact <</Type /${mark}>> BDC\n`);
    else {
      const content = this.document.markStructureContent(mark.type);
      const earlier = this.contents.get(mark);
      if (earlier) earlier.push(content);
      else this.contents.set(mark, content);
    }
    this.open = mark;
  }

  private close(): void {
    if (this.open === null) return;
    if (typeof this.open === 'string') this.sink.write('EMC\n');
    else this.document.endMarkedContent();
    this.open = null;
  }
}

/**
 * What is drawn on the page, gathered as one string and handed to pdfkit as bytes when the page ends:
 * the operators are all Latin-1, and pdfkit would copy each string it is given into bytes of its own,
 * character by character. pdfkit's own writes (its page transform, marked content) are gathered here
 * too, in their order, through the document's `addContent`, which all of them go through (pdfkit 0.20).
 */
class ContentSink {
  /** The page's operators so far, joined once when it ends: concatenated one by one they were a deep rope to flatten, and garbage. */
  private readonly parts: string[] = [];

  constructor(document: PDFKit.PDFDocument) {
    if (typeof document.addContent !== 'function')
      throw new Error("pdfkit's document is not the one draw.ts was written for: no addContent");
    document.addContent = (data: string | Uint8Array) => {
      // pdfkit ends each string it writes with a line break.
      this.write(typeof data === 'string' ? `${data}\n` : Buffer.from(data).toString('latin1'));
      return document;
    };
  }

  write(operators: string): void {
    this.parts.push(operators);
  }

  endPage(page: PDFKit.PDFPage): void {
    page.write(Buffer.from(this.parts.join(''), 'latin1'));
    this.parts.length = 0;
  }
}

/**
 * Deflates the page's content stream here, remembered by its bytes (remembered-deflate.ts), instead of
 * in pdfkit, which deflates every page of every rendering. pdfkit writes a stream as it is given when
 * it is not to compress it; its content so far is read from the buffer it keeps (pdfkit 0.20).
 */
function deflatePageContent(page: PDFKit.PDFPage): void {
  const stream = page.content as PDFKit.PDFKitReference & { buffer?: unknown };
  if (!stream.compress || !Array.isArray(stream.buffer))
    throw new Error("pdfkit's page content is not the buffered, compressed stream draw.ts was written for");
  stream.buffer = [rememberedDeflate(Buffer.concat(stream.buffer as Uint8Array[]))];
  stream.compress = false;
  (stream.data as Record<string, unknown>).Filter = 'FlateDecode';
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
 * a quarter of a draft's bytes and most of its drawing time). Returns the operator that draws it.
 */
function drawWatermark(document: PDFKit.PDFDocument, form: PDFKit.PDFKitReference): string {
  (document.page.xobjects as Record<string, PDFKit.PDFKitReference>)[WATERMARK_NAME] ??= form;
  return `/${WATERMARK_NAME} Do\n`;
}

const WATERMARK_NAME = 'DraftMark';
const MAX_REMEMBERED_MARKS = 64;
const MAX_REMEMBERED_OUTLINES = 1024;
/**
 * The mark's content by text and page size, deflated: the same draft version renders its originals
 * again and again, and deflating the outlines took longer than drawing a page.
 */
const markContents = new Map<string, Buffer>();
/** The bold font's glyph outlines by glyph id: a new version's mark draws the glyphs of the last one. */
const glyphOutlines = new Map<number, string>();
const OUTLINE_KEY = 'glyph:';

/** The marks' contents and their glyphs' outlines so far, to store (typesetting-cache.ts); and stored ones taken back. */
export function markContentsMemo(): [string, string][] {
  return [
    ...[...markContents].map(([key, content]): [string, string] => [key, content.toString('base64')]),
    ...[...glyphOutlines].map(([id, outline]): [string, string] => [`${OUTLINE_KEY}${id}`, outline]),
  ];
}
export function restoreMarkContents(entries: readonly [string, string][]): void {
  for (const [key, content] of entries) {
    if (key.startsWith(OUTLINE_KEY)) {
      if (glyphOutlines.size < MAX_REMEMBERED_OUTLINES) glyphOutlines.set(Number(key.slice(OUTLINE_KEY.length)), content);
    } else if (markContents.size < MAX_REMEMBERED_MARKS) markContents.set(key, Buffer.from(content, 'base64'));
  }
}

/**
 * Fits the outlines of the glyphs the mark's characters map to (the font's cmap: HarfBuzz, which
 * shapes the mark, may still be loading), one glyph between two turns of the event loop, for as long
 * as `waiting()` holds: a fresh process's first draft has the thread to itself while HarfBuzz loads,
 * and fitting is most of drawing its mark. The outlines are remembered by glyph id, as drawing them
 * remembers them: a glyph the shaping gives instead is fitted when the mark is drawn.
 */
export async function outlineMarkWhile(text: string, waiting: () => boolean): Promise<void> {
  for (const character of new Set(text)) {
    const id = nominalGlyph('serif-bold', character.codePointAt(0)!);
    if (id === 0 || glyphOutlines.has(id)) continue;
    if (glyphOutlines.size >= MAX_REMEMBERED_OUTLINES) glyphOutlines.clear();
    glyphOutlines.set(id, glyphOutline(id));
    await new Promise((resolve) => setImmediate(resolve));
    if (!waiting()) return;
  }
}

function watermarkForm(document: PDFKit.PDFDocument, text: string, pageSize: readonly [number, number]): PDFKit.PDFKitReference {
  const [width, height] = pageSize;
  const key = `${width}x${height}|${text}`;
  let content = markContents.get(key);
  if (content === undefined) {
    content = deflateSync(watermarkContent(text, pageSize));
    if (markContents.size >= MAX_REMEMBERED_MARKS) markContents.clear();
    markContents.set(key, content);
  }
  return deflatedStream(
    document,
    {
      Type: 'XObject',
      Subtype: 'Form',
      // Drawn in pdfkit's page space (y down), which the form's space is too.
      BBox: [0, 0, width, height],
      Resources: { ExtGState: { Light: { Type: 'ExtGState', ca: 0.14 } } },
    },
    content,
  );
}

/**
 * The mark's outlines as content operators: rotated along the diagonal, centred, in font units with
 * y up. Each glyph is drawn in its own place by its own outlines in whole font units (at 28 pt a unit
 * is a hundredth of a millimetre), so a glyph the mark repeats is the same bytes again, which deflate
 * takes as a repetition. The glyphs of the mark's text do not overlap, so filling them one by one
 * paints what one fill of them all painted.
 */
function watermarkContent(text: string, [width, height]: readonly [number, number]): string {
  const size = 28;
  const run = shape('serif-bold', text);
  const scale = size / fontMetrics('serif-bold').unitsPerEm;
  const angle = -Math.atan2(height, width);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const [cx, cy] = [width / 2, height / 2];
  const operators: string[] = ['q', '/Light gs', '0.69 0 0 rg'];
  // Rotation about the page's middle, then the run's start, then font units (y up).
  operators.push(`${n(cos)} ${n(sin)} ${n(-sin)} ${n(cos)} ${n(cx - cos * cx + sin * cy)} ${n(cy - sin * cx - cos * cy)} cm`);
  operators.push(`${n(scale)} 0 0 ${n(-scale)} ${n((width - run.advanceWidth * scale) / 2)} ${n(height / 2 + size * 0.35)} cm`);
  let penX = 0;
  run.glyphs.forEach(({ id }, index) => {
    const position = run.positions[index]!;
    let outline = glyphOutlines.get(id);
    if (outline === undefined) {
      if (glyphOutlines.size >= MAX_REMEMBERED_OUTLINES) glyphOutlines.clear();
      glyphOutlines.set(id, (outline = glyphOutline(id)));
    }
    if (outline !== '')
      operators.push(`q 1 0 0 1 ${Math.round(penX + position.xOffset)} ${Math.round(position.yOffset)} cm`, outline, 'f Q');
    penX += position.xAdvance;
  });
  operators.push('Q');
  return `${operators.join('\n')}\n`;
}

/**
 * A glyph's outlines as path operators from its origin, in whole font units, read from the font's glyf
 * table. TrueType draws curves as runs of quadratic segments, several where the type designer drew one
 * cubic; a run that one cubic follows to within a font unit is written as that cubic, a third of the
 * operators. A contour starts at its first point on the curve (at the last, or halfway between the two,
 * when the first is a control point), and two control points in a row have an implied point on the
 * curve halfway between them.
 */
function glyphOutline(id: number): string {
  const operators: string[] = [];
  let run: Quadratic[] = [];
  const endRun = () => {
    for (let start = 0; start < run.length; ) {
      let [end, controls] = [start, cubicOf(run[start]!)];
      for (
        let next = start + 1;
        next < Math.min(run.length, start + MAX_SEGMENTS_PER_CUBIC) && isSmoothJoin(run[next - 1]!, run[next]!);
        next += 1
      ) {
        const fitted = cubicThrough(run.slice(start, next + 1));
        if (fitted === null) break;
        [end, controls] = [next, fitted];
      }
      operators.push(`${point(controls[0])} ${point(controls[1])} ${point(run[end]![2])} c`);
      start = end + 1;
    }
    run = [];
  };
  const contours = glyphContours(
    (tag) => fontTable('serif-bold', tag),
    id,
    (start, end) => fontTablePart('serif-bold', 'glyf', start, end),
  );
  for (const contour of contours) {
    const [first, last] = [contour[0]!, contour.at(-1)!];
    const origin: Point =
      first.onCurve || last.onCurve ? xy(first.onCurve ? first : last) : [(first.x + last.x) / 2, (first.y + last.y) / 2];
    operators.push(`${point(origin)} m`);
    let current = origin;
    let control: Point | null = null;
    let previous: OutlinePoint = { x: origin[0], y: origin[1], onCurve: true };
    for (let index = first.onCurve ? 1 : 0; index < contour.length; index += 1) {
      const at = contour[index]!;
      if (previous.onCurve && at.onCurve) {
        endRun();
        operators.push(`${point((current = xy(at)))} l`);
      } else if (at.onCurve) {
        run.push([current, control!, (current = xy(at))]);
        control = null;
      } else {
        if (!previous.onCurve) run.push([current, xy(previous), (current = [(previous.x + at.x) / 2, (previous.y + at.y) / 2])]);
        control = xy(at);
      }
      previous = at;
    }
    if (control !== null) run.push([current, control, origin]);
    endRun();
    operators.push('h');
  }
  return operators.join('\n');
}

type Point = readonly [x: number, y: number];
type Quadratic = readonly [start: Point, control: Point, end: Point];

const xy = ({ x, y }: OutlinePoint): Point => [x, y];
const point = ([x, y]: Point) => `${Math.round(x)} ${Math.round(y)}`;
const along = (from: Point, to: Point, share: number): Point => [from[0] + share * (to[0] - from[0]), from[1] + share * (to[1] - from[1])];

/** A quadratic Bézier's control points as the cubic's: two thirds of the way to its one. */
const cubicOf = ([start, control, end]: Quadratic): [Point, Point] => [along(start, control, 2 / 3), along(end, control, 2 / 3)];

/** The curve goes on in the same direction where two segments meet (TrueType's implied on-curve points do). */
function isSmoothJoin([, before, join]: Quadratic, [, after]: Quadratic): boolean {
  const [ux, uy, vx, vy] = [join[0] - before[0], join[1] - before[1], after[0] - join[0], after[1] - join[1]];
  return Math.abs(ux * vy - uy * vx) <= 1e-9 * Math.hypot(ux, uy) * Math.hypot(vx, vy) && ux * vx + uy * vy > 0;
}

/** How far, in font units, a merged curve may leave the outline it replaces: as far as rounding to whole units moves it. */
const FIT_TOLERANCE = 1;
const SAMPLES_PER_SEGMENT = 8;
/** Least-squares fits, each after the samples' parameters moved nearer the last fit's curve. */
const FIT_ROUNDS = 3;
/** A designer's cubic is a few quadratic segments in TrueType; longer runs are not tried, which keeps the fitting linear. */
const MAX_SEGMENTS_PER_CUBIC = 6;

/**
 * The control points of one cubic from the run's start to its end, leaving each along the run's own
 * tangent, that passes within FIT_TOLERANCE of every sampled point of the run; null if none is found.
 * The tangents' lengths are fitted by least squares over the samples, each sample's parameter found
 * again on the fitted curve (a Newton step) and the fit repeated: Schneider's method, Graphics Gems
 * (1990), without its splitting. Flat arrays and plain loops: it runs for every glyph of a new mark.
 */
function cubicThrough(run: readonly Quadratic[]): [Point, Point] | null {
  // Scalars only, no destructuring: a first draft runs this in V8's interpreter, where each destructured
  // pair was an array made and iterated, most of the fitting's time.
  const count = run.length * SAMPLES_PER_SEGMENT + 1;
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  const ts = new Float64Array(count);
  let at = 0;
  for (let segment = 0; segment < run.length; segment += 1) {
    const quadratic = run[segment]!;
    const x0 = quadratic[0][0];
    const y0 = quadratic[0][1];
    const x1 = quadratic[1][0];
    const y1 = quadratic[1][1];
    const x2 = quadratic[2][0];
    const y2 = quadratic[2][1];
    for (let step = 0; step < SAMPLES_PER_SEGMENT; step += 1, at += 1) {
      const t = step / SAMPLES_PER_SEGMENT;
      const u = 1 - t;
      xs[at] = u * u * x0 + 2 * u * t * x1 + t * t * x2;
      ys[at] = u * u * y0 + 2 * u * t * y1 + t * t * y2;
    }
  }
  const firstSegment = run[0]!;
  const lastSegment = run[run.length - 1]!;
  const sx = firstSegment[0][0];
  const sy = firstSegment[0][1];
  const lx = lastSegment[1][0];
  const ly = lastSegment[1][1];
  const ex = lastSegment[2][0];
  const ey = lastSegment[2][1];
  xs[at] = ex;
  ys[at] = ey;
  // Chord length gives the first parameters.
  for (let index = 1; index < count; index += 1)
    ts[index] = ts[index - 1]! + Math.sqrt((xs[index]! - xs[index - 1]!) ** 2 + (ys[index]! - ys[index - 1]!) ** 2);
  for (let index = 1; index < count; index += 1) ts[index]! /= ts[count - 1]!;
  const fx = firstSegment[1][0] - sx;
  const fy = firstSegment[1][1] - sy;
  const leaveX = fx / Math.sqrt(fx * fx + fy * fy);
  const leaveY = fy / Math.sqrt(fx * fx + fy * fy);
  const bx = lx - ex;
  const by = ly - ey;
  const arriveX = bx / Math.sqrt(bx * bx + by * by);
  const arriveY = by / Math.sqrt(bx * bx + by * by);
  const tangentsDot = leaveX * arriveX + leaveY * arriveY;
  // The least-squares sums of a round, over the samples' parameters: the first round's here, each
  // next one's while the round before moves the parameters, from the same basis as the distances.
  let aa = 0;
  let ab = 0;
  let bb = 0;
  let ar = 0;
  let br = 0;
  for (let index = 0; index < count; index += 1) {
    const t = ts[index]!;
    const u = 1 - t;
    const b0 = u * u * u;
    const b1 = 3 * u * u * t;
    const b2 = 3 * u * t * t;
    const b3 = t * t * t;
    const restX = xs[index]! - sx * (b0 + b1) - ex * (b2 + b3);
    const restY = ys[index]! - sy * (b0 + b1) - ey * (b2 + b3);
    aa += b1 * b1;
    ab += b1 * b2 * tangentsDot;
    bb += b2 * b2;
    ar += b1 * (leaveX * restX + leaveY * restY);
    br += b2 * (arriveX * restX + arriveY * restY);
  }
  for (let round = 0; round < FIT_ROUNDS; round += 1) {
    // The tangents' lengths by least squares.
    const determinant = aa * bb - ab * ab;
    if (Math.abs(determinant) < 1e-12) return null;
    const first = (ar * bb - br * ab) / determinant;
    const second = (aa * br - ab * ar) / determinant;
    if (!(first > 0 && second > 0)) return null;
    const c1x = sx + first * leaveX;
    const c1y = sy + first * leaveY;
    const c2x = ex + second * arriveX;
    const c2y = ey + second * arriveY;
    const isLast = round === FIT_ROUNDS - 1;
    [aa, ab, bb, ar, br] = [0, 0, 0, 0, 0];
    // The control points' differences the derivatives are made of, the same for every sample; and
    // below, each product shared by a sample's point and derivatives computed once: in V8's
    // interpreter every intermediate number is an allocation.
    const ax = c1x - sx;
    const ay = c1y - sy;
    const mx = c2x - c1x;
    const my = c2y - c1y;
    const zx = ex - c2x;
    const zy = ey - c2y;
    const qx = c2x - 2 * c1x + sx;
    const qy = c2y - 2 * c1y + sy;
    const rx = ex - 2 * c2x + c1x;
    const ry = ey - 2 * c2y + c1y;
    // Each sample's parameter one Newton step nearer its point of the curve, and how far it is from there.
    let worst = 0;
    let ordered = true;
    let previous = 0;
    for (let index = 0; index < count; index += 1) {
      const x = xs[index]!;
      const y = ys[index]!;
      let t = ts[index]!;
      let u = 1 - t;
      const uuu = u * u * u;
      const ttt = t * t * t;
      const uu3 = 3 * u * u;
      const on1 = uu3 * t;
      const on2 = 3 * u * t * t;
      const px = uuu * sx + on1 * c1x + on2 * c2x + ttt * ex;
      const py = uuu * sy + on1 * c1y + on2 * c2y + ttt * ey;
      const u6 = 6 * u;
      const t6 = 6 * t;
      const ut6 = u6 * t;
      const tt3 = 3 * t * t;
      const d1x = uu3 * ax + ut6 * mx + tt3 * zx;
      const d1y = uu3 * ay + ut6 * my + tt3 * zy;
      const d2x = u6 * qx + t6 * rx;
      const d2y = u6 * qy + t6 * ry;
      const dx = px - x;
      const dy = py - y;
      const denominator = d1x * d1x + d1y * d1y + dx * d2x + dy * d2y;
      if (denominator !== 0) t = Math.min(1, Math.max(0, t - (dx * d1x + dy * d1y) / denominator));
      ts[index] = t;
      u = 1 - t;
      const b0 = u * u * u;
      const b1 = 3 * u * u * t;
      const b2 = 3 * u * t * t;
      const b3 = t * t * t;
      const distance = Math.sqrt((b0 * sx + b1 * c1x + b2 * c2x + b3 * ex - x) ** 2 + (b0 * sy + b1 * c1y + b2 * c2y + b3 * ey - y) ** 2);
      if (distance > worst) worst = distance;
      if (index > 0 && t < previous) ordered = false;
      previous = t;
      // After the last round nothing moves again: the first sample too far decides.
      if (isLast) {
        if (!(worst <= FIT_TOLERANCE && ordered)) return null;
        continue;
      }
      const start = b0 + b1;
      const end = b2 + b3;
      const restX = x - sx * start - ex * end;
      const restY = y - sy * start - ey * end;
      aa += b1 * b1;
      ab += b1 * b2 * tangentsDot;
      bb += b2 * b2;
      ar += b1 * (leaveX * restX + leaveY * restY);
      br += b2 * (arriveX * restX + arriveY * restY);
    }
    if (worst <= FIT_TOLERANCE && ordered)
      return [
        [c1x, c1y],
        [c2x, c2y],
      ];
  }
  return null;
}

/** Three decimals, of points: below any visible difference. */
const n = (value: number) => String(Math.round(value * 1000) / 1000);

/**
 * The document's bytes. pdfkit writes each object's every line as a stream chunk of its own, made
 * byte by byte from the string (a warm draft's most frequent work after layout); here what it writes
 * after its header is gathered as strings and turned into bytes once per run between two streams' data.
 * The header comes through the stream as usual: pdfkit wrote it in its constructor. Relies on pdfkit
 * 0.20's `_write` and `_offset`, which it checks.
 */
function collect(document: PDFKit.PDFDocument): Promise<Buffer> {
  const internals = document as unknown as { _write: (data: string | Uint8Array) => void; _offset: number };
  if (typeof internals._write !== 'function' || typeof internals._offset !== 'number')
    throw new Error("pdfkit's document is not the one draw.ts was written for: no _write and _offset");
  const written: Uint8Array[] = [];
  let lines = '';
  internals._write = (data) => {
    if (data instanceof Uint8Array) {
      if (lines !== '') written.push(Buffer.from(lines, 'latin1'));
      lines = '';
      written.push(data);
      internals._offset += data.length;
    } else {
      // pdfkit's own _write keeps the low byte of each character, as latin1 does.
      lines += `${data}\n`;
      internals._offset += data.length + 1;
    }
  };
  return new Promise((resolve, reject) => {
    const header: Buffer[] = [];
    document.on('data', (chunk: Buffer) => header.push(chunk));
    document.on('end', () => resolve(Buffer.concat([...header, ...written, Buffer.from(lines, 'latin1')])));
    document.on('error', reject);
  });
}
