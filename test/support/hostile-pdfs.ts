import { deflateSync } from 'node:zlib';

/** PDFs built to cost a reader unbounded memory or time: the attacks of the hardening review, made in code. */

/** A PDF of the given objects (numbered from 1, object 1 the catalog), with no xref: readers rebuild it. */
function rawPdf(objects: readonly (string | Buffer)[], trailer = ''): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  objects.forEach((object, index) => {
    parts.push(
      Buffer.from(`${index + 1} 0 obj\n`),
      Buffer.isBuffer(object) ? object : Buffer.from(object, 'latin1'),
      Buffer.from('\nendobj\n'),
    );
  });
  parts.push(Buffer.from(`trailer\n<< /Root 1 0 R /Size ${objects.length + 1} ${trailer}>>\n%%EOF\n`));
  return Buffer.concat(parts);
}

function stream(dictionary: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`<< ${dictionary} /Length ${data.length} >>\nstream\n`), data, Buffer.from('\nendstream')]);
}

const PAGES = '<< /Type /Pages /Kids [] /Count 0 >>';

function catalogWithFields(fields: string): string {
  return `<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [${fields}] >> >>`;
}

/** 256 MB of zeros deflated to about 250 KB, packed as the object stream pdf-lib inflates at load. */
function objectStreamBomb(): Buffer {
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    PAGES,
    stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', deflateSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 })),
  ]);
}

/** Fields whose /Kids point 2,000 times at the same field, three levels deep: 8e9 paths in 37 KB. */
export function kidsFanOut(): Buffer {
  const fanOut = (ref: number) => Array.from({ length: 2000 }, () => `${ref} 0 R`).join(' ');
  return rawPdf([
    catalogWithFields(fanOut(3)),
    PAGES,
    `<< /T (a) /Kids [${fanOut(4)}] >>`,
    `<< /T (b) /Kids [${fanOut(5)}] >>`,
    '<< /T (c) /FT /Sig >>',
  ]);
}

/** A 514-byte kind of file: an xref stream that claims 2^31 entries and holds none. */
export function xrefStreamClaim(): Buffer {
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    PAGES,
    stream('/Type /XRef /Size 2147483647 /W [1 4 2] /Root 1 0 R', Buffer.alloc(0)),
  ]);
}

/** A /Kids tree 22 levels deep, each level listing the next twice: 4 million paths in 2 KB. */
function deepKids(): Buffer {
  const levels = 22;
  const objects = [catalogWithFields('3 0 R 3 0 R'), PAGES];
  for (let level = 0; level < levels; level += 1) {
    const next = level + 4;
    objects.push(level === levels - 1 ? `<< /T (l${level}) /FT /Sig >>` : `<< /T (l${level}) /Kids [${next} 0 R ${next} 0 R] >>`);
  }
  return rawPdf(objects);
}

/** Fields nested one inside the other, each its own object, past any real form's depth. */
export function deepFieldChain(): Buffer {
  const depth = 200;
  const objects = [catalogWithFields('3 0 R'), PAGES];
  for (let level = 0; level < depth; level += 1) {
    objects.push(level === depth - 1 ? `<< /T (f${level}) /FT /Sig >>` : `<< /T (f${level}) /Kids [${level + 4} 0 R] >>`);
  }
  return rawPdf(objects);
}

/** Arrays nested 100,000 deep in the catalog: a recursive parser's stack. */
function deeplyNestedArrays(): Buffer {
  return rawPdf([`<< /Type /Catalog /Pages 2 0 R /X ${'['.repeat(100_000)}${']'.repeat(100_000)} >>`, PAGES]);
}

/**
 * A hex string of 8 MB of zeros, as a signature's /Contents placeholder holds tens of thousands of them:
 * a scan for object headers that retried every shorter run of digits would take hours over it.
 */
function longRunOfDigits(): Buffer {
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    PAGES,
    Buffer.concat([Buffer.from('<'), Buffer.alloc(8 * 1024 * 1024, '0'), Buffer.from('>')]),
  ]);
}

export interface HostilePdf {
  readonly name: string;
  readonly build: () => Buffer;
  readonly status: number;
  /** The limit the problem document names (its `limit` member). */
  readonly limit?: string;
}

export const HOSTILE_PDFS: readonly HostilePdf[] = [
  { name: 'an object stream that inflates to 256 MB', build: objectStreamBomb, status: 422, limit: '16 MB inflated per object stream' },
  { name: 'form /Kids fanning out 2,000 x 2,000 x 2,000', build: kidsFanOut, status: 422, limit: 'one parent per form field' },
  { name: 'an xref stream claiming 2^31 entries', build: xrefStreamClaim, status: 422, limit: 'as many xref entries as the stream holds' },
  { name: 'a /Kids tree 22 levels deep, each listing the next twice', build: deepKids, status: 422, limit: 'one parent per form field' },
  { name: 'a chain of 200 nested fields', build: deepFieldChain, status: 422, limit: '32 levels of form fields' },
  { name: 'arrays nested 100,000 deep', build: deeplyNestedArrays, status: 400 },
  // Read to the end (no signature in it), not cut off by the verification thread's time budget.
  { name: 'a run of 8 MB of digits', build: longRunOfDigits, status: 200 },
];
