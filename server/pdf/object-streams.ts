import { rememberedDeflate } from './remembered-deflate.ts';

/**
 * pdfkit's PDF written again with its objects in one object stream and a cross-reference stream
 * (ISO 32000-1 §7.5.7, §7.5.8; PDF 1.5), which pdfkit cannot write: the dictionaries (pages, the
 * structure tree, the fonts' descriptors) are deflated together, about a fifth of a draft's bytes.
 *
 * pdfkit writes one revision with a classic table, every object at the offset the table gives, as
 * `n 0 obj` ... `endobj`; each object is taken from there byte for byte, so nothing is parsed but the
 * table and the trailer. Streams stay where they are (a stream cannot go into an object stream); every
 * other object goes into the object stream under its own number. pdf-lib could do the same from a
 * full parse, at ten times the cost and most of a warm draft's garbage. The streams (fonts, pages)
 * are copied as bytes, never through a string. Deterministic: the same file gives the same bytes.
 */
export function withObjectStreams(pdf: Buffer): Buffer {
  const startXref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(pdf.toString('latin1', Math.max(0, pdf.length - 64)))?.[1]);
  const table = Number.isInteger(startXref)
    ? /^xref\s+0 (\d+)\s+([\s\S]*?)trailer\s*<<([\s\S]*?)>>\s*startxref/.exec(pdf.toString('latin1', startXref))
    : null;
  if (!table) throw new Error('not a PDF as pdfkit writes it: no classic cross-reference table at startxref');
  const size = Number(table[1]);
  const offsets = [...table[2]!.matchAll(/(\d{10}) (\d{5}) ([nf])/g)].map(([, offset, , kind]) => (kind === 'n' ? Number(offset) : null));
  if (offsets.length !== size) throw new Error(`the cross-reference table lists ${offsets.length} objects, not ${size}`);
  const trailer = table[3]!.replace(/\/Size\s+\d+/, '').trim();

  // Each object's bytes: from its offset to the next object's (or the table), its "n 0 obj" and "endobj" cut off.
  const objects = offsets.flatMap((offset, number) => (offset === null ? [] : [{ number, offset }])).sort((a, b) => a.offset - b.offset);
  const streams: { number: number; bytes: Buffer }[] = [];
  const packed: { number: number; body: string }[] = [];
  objects.forEach(({ number, offset }, index) => {
    let end = objects[index + 1]?.offset ?? startXref;
    while (end > offset && isWhitespace(pdf[end - 1]!)) end -= 1;
    const header = `${number} 0 obj`;
    if (pdf.toString('latin1', offset, offset + header.length) !== header || pdf.toString('latin1', end - ENDOBJ.length, end) !== ENDOBJ)
      throw new Error(`object ${number} is not where the table says`);
    let bodyEnd = end - ENDOBJ.length;
    while (bodyEnd > offset && isWhitespace(pdf[bodyEnd - 1]!)) bodyEnd -= 1;
    if (pdf.toString('latin1', bodyEnd - ENDSTREAM.length, bodyEnd) === ENDSTREAM)
      streams.push({ number, bytes: pdf.subarray(offset, end) });
    else packed.push({ number, body: pdf.toString('latin1', offset + header.length, bodyEnd).trim() });
  });
  // In the order of their numbers, as the table lists them.
  streams.sort((a, b) => a.number - b.number);
  packed.sort((a, b) => a.number - b.number);

  const head = pdf.subarray(0, objects[0]?.offset ?? startXref);
  const parts: Buffer[] = [head];
  let position = head.length;
  const write = (part: Buffer | string) => {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
    parts.push(bytes);
    position += bytes.length;
  };
  const entries = new Map<number, [type: number, field2: number, field3: number]>();
  for (const { number, bytes } of streams) {
    entries.set(number, [1, position, 0]);
    write(bytes);
    write('\n');
  }

  // The object stream: "number offset" pairs, then the objects, each offset from the first.
  const objectStream = size;
  let contents = '';
  const index: string[] = [];
  packed.forEach(({ number, body }, at) => {
    index.push(`${number} ${contents.length}`);
    contents += `${body}\n`;
    entries.set(number, [2, objectStream, at]);
  });
  const prefix = `${index.join(' ')}\n`;
  // Remembered: a new version mostly has the same pages, fonts and structure as the last.
  const compressed = rememberedDeflate(Buffer.from(prefix + contents, 'latin1'));
  entries.set(objectStream, [1, position, 0]);
  write(
    `${objectStream} 0 obj\n<< /Type /ObjStm /N ${packed.length} /First ${prefix.length} /Filter /FlateDecode /Length ${compressed.length} >>\nstream\n`,
  );
  write(compressed);
  write('\nendstream\nendobj\n');

  // The cross-reference stream: type, offset (or object stream), generation (or index), 1 + 4 + 2 bytes.
  const xref = size + 1;
  const xrefOffset = position;
  entries.set(xref, [1, xrefOffset, 0]);
  const rows = Buffer.alloc((size + 2) * 7);
  for (let number = 0; number < size + 2; number += 1) {
    const [type, field2, field3] = entries.get(number) ?? [0, 0, number === 0 ? 0xffff : 0];
    rows.writeUInt8(type, number * 7);
    rows.writeUInt32BE(field2, number * 7 + 1);
    rows.writeUInt16BE(field3, number * 7 + 5);
  }
  // Remembered too: a version whose pages keep their lengths has the last one's offsets.
  const xrefData = rememberedDeflate(rows);
  write(
    `${xref} 0 obj\n<< /Type /XRef /Size ${size + 2} /W [1 4 2] ${trailer.replace(/\s+/g, ' ')} /Filter /FlateDecode /Length ${xrefData.length} >>\nstream\n`,
  );
  write(xrefData);
  write(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`);
  return Buffer.concat(parts, position);
}

const ENDOBJ = 'endobj';
const ENDSTREAM = 'endstream';
/** PDF white-space characters (ISO 32000-1 §7.2.2): NUL, HT, LF, FF, CR, SP. */
const isWhitespace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x0c || byte === 0x00;
