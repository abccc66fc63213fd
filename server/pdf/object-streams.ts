import { PDFDocument, ParseSpeeds } from '@cantoo/pdf-lib';

/**
 * The PDF written again with its objects in object streams and a cross-reference stream (PDF 1.5),
 * which pdfkit cannot write: the dictionaries (pages, the structure tree, fonts' descriptors) are
 * deflated together, about a fifth of a draft's bytes. Streams (contents, font programs) are copied as
 * they are; the Info dictionary is kept as pdfkit wrote it, so equal input still gives equal bytes.
 */
export async function withObjectStreams(pdf: Buffer): Promise<Buffer> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  const bytes = await document.save({
    useObjectStreams: true,
    objectsPerTick: Infinity,
    addDefaultPage: false,
    updateFieldAppearances: false,
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
