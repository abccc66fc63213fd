import { inflateSync } from 'node:zlib';
import { expect } from 'chai';
import { PDFArray, PDFDict, PDFDocument, PDFName, type PDFRawStream, type PDFRef, decodePDFRawStream } from '@cantoo/pdf-lib';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { COOPERATION, DEMO_ORIGINALS, executeDemoAgreement, storedOriginal } from '../support/execute-demo.ts';
import { libreOfficeSignatures, tempFile, tool } from '../support/pdf-tools.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { byteRanges, revisionEnds } from './tampering.ts';

/** The object numbers a cross-reference section (a classic table or a stream) lists in use, and its trailer's /Size and /Prev. */
function crossReferenceSection(pdf: Buffer, offset: number): { numbers: number[]; size: number; previous?: number } {
  const text = pdf.toString('latin1', offset);
  const trailerEntry = (trailer: string, key: string) => {
    const match = new RegExp(`/${key} (\\d+)`).exec(trailer);
    return match ? Number(match[1]) : undefined;
  };
  const numbers: number[] = [];
  if (text.startsWith('xref')) {
    const trailer = text.slice(text.indexOf('trailer'));
    const lines = text.slice(4, text.indexOf('trailer')).trim().split(/\r?\n/);
    for (let index = 0; index < lines.length; ) {
      const [first, count] = lines[index]!.trim().split(' ').map(Number) as [number, number];
      for (let entry = 0; entry < count; entry++) if (lines[index + 1 + entry]!.trim().endsWith('n')) numbers.push(first + entry);
      index += count + 1;
    }
    return { numbers, size: trailerEntry(trailer, 'Size')!, previous: trailerEntry(trailer, 'Prev') };
  }
  // A cross-reference stream (ISO 32000-1 §7.5.8): rows of /W bytes for the object numbers /Index names; types 1 and 2 are in use.
  const header = /^\d+ \d+ obj\s*<<([\s\S]*?)>>\s*stream\r?\n/.exec(text);
  if (!header) throw new Error(`no cross-reference section at ${offset}`);
  const dictionary = header[1]!;
  const widths = /\/W \[\s*(\d+) (\d+) (\d+)\s*\]/.exec(dictionary)!.slice(1, 4).map(Number) as [number, number, number];
  const size = trailerEntry(dictionary, 'Size')!;
  const listed = /\/Index \[([\d\s]+)\]/.exec(dictionary)?.[1];
  const index = listed ? listed.trim().split(/\s+/).map(Number) : [0, size];
  const start = offset + header[0].length;
  const rows = inflateSync(pdf.subarray(start, start + trailerEntry(dictionary, 'Length')!));
  const rowLength = widths[0] + widths[1] + widths[2];
  let row = 0;
  for (let at = 0; at < index.length; at += 2) {
    for (let entry = 0; entry < index[at + 1]!; entry++, row++) {
      const type = widths[0] === 0 ? 1 : rows.readUIntBE(row * rowLength, widths[0]);
      if (type === 1 || type === 2) numbers.push(index[at]! + entry);
    }
  }
  return { numbers, size, previous: trailerEntry(dictionary, 'Prev') };
}

/** The object numbers the last xref section of `pdf` (re)defines, each with whether it existed in the revision before. */
function lastRevisionObjects(pdf: Buffer): { changed: number[]; added: number[] } {
  const text = pdf.toString('latin1');
  const last = crossReferenceSection(pdf, Number(/startxref\s+(\d+)\s*%%EOF\s*$/.exec(text)![1]));
  const previousSize = crossReferenceSection(pdf, last.previous!).size;
  return {
    changed: last.numbers.filter((number) => number < previousSize),
    added: last.numbers.filter((number) => number >= previousSize),
  };
}

/** The signature widgets of the form, by field name, with their object numbers. */
async function signatureWidgets(pdf: Buffer): Promise<{ name: string; objectNumber: number; signed: boolean; page: number }[]> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  const fields = document.catalog.lookup(PDFName.of('AcroForm'), PDFDict).lookup(PDFName.of('Fields'), PDFArray);
  const pages = document.getPages();
  return fields.asArray().map((ref) => {
    const widget = document.context.lookup(ref, PDFDict);
    const pageRef = widget.get(PDFName.of('P'));
    return {
      name: widget.lookup(PDFName.of('T'))!.toString(),
      objectNumber: (ref as PDFRef).objectNumber,
      signed: widget.lookup(PDFName.of('V')) !== undefined,
      page: pages.findIndex((page) => page.ref === pageRef),
    };
  });
}

/** The font sizes (`Tf`) of each signature widget's normal appearance. */
async function appearanceFontSizes(pdf: Buffer): Promise<number[][]> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  const fields = document.catalog.lookup(PDFName.of('AcroForm'), PDFDict).lookup(PDFName.of('Fields'), PDFArray);
  return fields.asArray().map((ref) => {
    const appearance = document.context.lookup(ref, PDFDict).lookup(PDFName.of('AP'), PDFDict).lookup(PDFName.of('N')) as PDFRawStream;
    const content = Buffer.from(decodePDFRawStream(appearance).decode()).toString('latin1');
    return [...content.matchAll(/\/F1 ([\d.]+) Tf/g)].map((match) => Number(match[1]));
  });
}

function signerInfos(pdf: Buffer): pkijs.SignerInfo[] {
  return byteRanges(pdf).map(([, holeStart, holeEnd]) => {
    const der = Buffer.from(pdf.toString('latin1', holeStart + 1, holeEnd - 1), 'hex');
    const contentInfo = new pkijs.ContentInfo({ schema: asn1js.fromBER(der).result });
    return new pkijs.SignedData({ schema: contentInfo.content }).signerInfos[0]!;
  });
}

describe('readers agree on the executed originals (mutool, LibreOffice, poppler)', () => {
  let server: TestServer;
  let originals: Map<string, Buffer>;
  let frozen: Buffer;

  before(async () => {
    server = await startTestServer();
    originals = await executeDemoAgreement(server);
    frozen = await storedOriginal(server, COOPERATION, 'sverdlovsk', 1);
  });
  after(async () => server?.close());

  it('when the original is frozen, then it is one revision that already holds both signature fields, empty, on the signature page', async () => {
    expect(revisionEnds(frozen)).to.deep.equal([frozen.length]);
    const widgets = await signatureWidgets(frozen);
    expect(widgets.map(({ name, signed }) => [name, signed])).to.deep.equal([
      ['(Signature1)', false],
      ['(Signature2)', false],
    ]);
    expect(new Set(widgets.map(({ page }) => page)).size).to.equal(1);
    expect((await tool('qpdf', ['--check', tempFile('frozen.pdf', frozen)])).code).to.equal(0);
  });

  for (const party of DEMO_ORIGINALS) {
    it(`when the ${party} original is signed twice, then the second signature's revision changes no earlier object but its field's widget`, async () => {
      const pdf = originals.get(party)!;
      const frozenWidgets = await signatureWidgets(await storedOriginal(server, COOPERATION, party, 1));
      // Each original lists its own party first (alternat); Gyeonggi signs second.
      const gyeonggiField = frozenWidgets[party === 'gyeonggi' ? 0 : 1]!;
      const { changed, added } = lastRevisionObjects(pdf);
      expect(changed).to.deep.equal([gyeonggiField.objectNumber]);
      expect(added.length).to.be.greaterThan(0);
      expect((await signatureWidgets(pdf)).map(({ objectNumber, signed }) => [objectNumber, signed])).to.deep.equal(
        frozenWidgets.map(({ objectNumber }) => [objectNumber, true]),
      );
    });
  }

  it('when mutool checks each original, then both digests are good and the last signature reports the document unchanged', async () => {
    for (const party of DEMO_ORIGINALS) {
      const { stdout } = await tool('mutool', ['sign', '-v', tempFile(`${party}.pdf`, originals.get(party)!)]);
      expect(stdout).to.not.match(/Digest error/);
      // mupdf calls every signature followed by any revision "edited"; what the revision may change is judged by /api/verify.
      expect(stdout.match(/The signature is valid but there have been edits since signing\./g)).to.have.length(1);
      expect(stdout.match(/The document is unchanged since signing\./g)).to.have.length(1);
    }
  });

  it('when every /ByteRange is read, then it ends after its revision’s end-of-line, so the last covers the file to its last byte', () => {
    for (const party of DEMO_ORIGINALS) {
      const pdf = originals.get(party)!;
      const ends = byteRanges(pdf).map(([, , holeEnd, tail]) => holeEnd + tail);
      expect(ends).to.deep.equal(revisionEnds(pdf).slice(1));
      for (const end of ends) expect(pdf.toString('latin1', end - 6, end)).to.equal('%%EOF\n');
      expect(ends.at(-1)).to.equal(pdf.length);
    }
  });

  it('when LibreOffice checks the originals, then every signature is valid and none is partial', async () => {
    const files = DEMO_ORIGINALS.map((party) => tempFile(`${party}.pdf`, originals.get(party)!));
    expect(await libreOfficeSignatures(files)).to.deep.equal(
      DEMO_ORIGINALS.map(() => [
        { valid: true, partial: false },
        { valid: true, partial: false },
      ]),
    );
  });

  it('when the appearance is read, then it is set at 7 pt or more and says name in both scripts, time, title and party in words, no DN', async () => {
    const pdf = originals.get('gyeonggi')!;
    for (const sizes of await appearanceFontSizes(pdf)) for (const size of sizes) expect(size).to.be.at.least(7);
    const page = (await signatureWidgets(pdf))[0]!.page + 1;
    const { stdout } = await tool('pdftotext', ['-f', `${page}`, '-l', `${page}`, tempFile('signed.pdf', pdf), '-']);
    expect(stdout).to.include('Андрей Соболев · Andrei Sobolev');
    expect(stdout).to.include('박정의 · Jeong Eui Park');
    expect(stdout).to.match(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(stdout).to.include('경기도');
    expect(stdout).to.not.match(/CN=|O=|\\,/);
  });

  it('when the CMS is parsed, then the RSA digest and signature algorithm identifiers carry NULL parameters (RFC 4055)', () => {
    for (const party of DEMO_ORIGINALS) {
      for (const signerInfo of signerInfos(originals.get(party)!)) {
        expect(signerInfo.signatureAlgorithm.algorithmId).to.equal('1.2.840.113549.1.1.11');
        expect(signerInfo.signatureAlgorithm.algorithmParams).to.be.instanceOf(asn1js.Null);
        expect(signerInfo.digestAlgorithm.algorithmParams).to.be.instanceOf(asn1js.Null);
      }
    }
  });
});
