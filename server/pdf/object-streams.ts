import { deflateSync } from 'node:zlib';

/**
 * pdfkit's PDF written again with its objects in one object stream and a cross-reference stream
 * (ISO 32000-1 §7.5.7, §7.5.8; PDF 1.5), which pdfkit cannot write: the dictionaries (pages, the
 * structure tree, the fonts' descriptors) are deflated together, about a fifth of a draft's bytes.
 *
 * pdfkit writes one revision with a classic table, every object at the offset the table gives, as
 * `n 0 obj` ... `endobj`; each object is taken from there byte for byte, so nothing is parsed but the
 * table and the trailer. Streams stay where they are (a stream cannot go into an object stream); every
 * other object goes into the object stream under its own number. pdf-lib could do the same from a
 * full parse, at ten times the cost and most of a warm draft's garbage. Deterministic: the same file
 * gives the same bytes.
 */
export function withObjectStreams(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const startXref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  const table = /^xref\s+0 (\d+)\s+([\s\S]*?)trailer\s*<<([\s\S]*?)>>\s*startxref/.exec(text.slice(startXref));
  if (!Number.isInteger(startXref) || !table)
    throw new Error('not a PDF as pdfkit writes it: no classic cross-reference table at startxref');
  const size = Number(table[1]);
  const offsets = [...table[2]!.matchAll(/(\d{10}) (\d{5}) ([nf])/g)].map(([, offset, , kind]) => (kind === 'n' ? Number(offset) : null));
  if (offsets.length !== size) throw new Error(`the cross-reference table lists ${offsets.length} objects, not ${size}`);
  const trailer = table[3]!.replace(/\/Size\s+\d+/, '').trim();

  // Each object's bytes: from its offset to the next object's (or the table), its "n 0 obj" and "endobj" cut off.
  const starts = offsets.flatMap((offset) => (offset === null ? [] : [offset])).sort((a, b) => a - b);
  const end = (offset: number) => starts.find((start) => start > offset) ?? startXref;
  const streams: { number: number; bytes: string }[] = [];
  const packed: { number: number; body: string }[] = [];
  offsets.forEach((offset, number) => {
    if (offset === null) return;
    const object = text.slice(offset, end(offset)).trimEnd();
    const header = `${number} 0 obj`;
    if (!object.startsWith(header) || !object.endsWith('endobj')) throw new Error(`object ${number} is not where the table says`);
    const body = object.slice(header.length, -'endobj'.length).trim();
    if (body.endsWith('endstream')) streams.push({ number, bytes: object });
    else packed.push({ number, body });
  });

  const header = text.slice(0, starts[0] ?? startXref);
  const parts: string[] = [header];
  let position = header.length;
  const write = (part: string) => {
    parts.push(part);
    position += part.length;
  };
  const entries = new Map<number, [type: number, field2: number, field3: number]>();
  for (const { number, bytes } of streams) {
    entries.set(number, [1, position, 0]);
    write(`${bytes}\n`);
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
  const compressed = deflateSync(Buffer.from(prefix + contents, 'latin1'));
  entries.set(objectStream, [1, position, 0]);
  write(
    `${objectStream} 0 obj\n<< /Type /ObjStm /N ${packed.length} /First ${prefix.length} /Filter /FlateDecode /Length ${compressed.length} >>\nstream\n`,
  );
  write(`${compressed.toString('latin1')}\nendstream\nendobj\n`);

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
  const xrefData = deflateSync(rows);
  write(
    `${xref} 0 obj\n<< /Type /XRef /Size ${size + 2} /W [1 4 2] ${trailer.replace(/\s+/g, ' ')} /Filter /FlateDecode /Length ${xrefData.length} >>\nstream\n`,
  );
  write(`${xrefData.toString('latin1')}\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`);
  return Buffer.from(parts.join(''), 'latin1');
}
