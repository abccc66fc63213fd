import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { PDFDocument } from '@cantoo/pdf-lib';
import { DomainError } from '../../server/errors.ts';
import { verifyPdf, type PdfVerification, type TrustAnchor } from '../../server/signing/verify-pdf.ts';
import {
  COOPERATION,
  DEMO_ORIGINALS,
  LETTER_OF_INTENT,
  demoCertificateAuthorities,
  executeDemoAgreement,
  storedOriginal,
} from '../support/execute-demo.ts';
import { tempFile, tool } from '../support/pdf-tools.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  appendRevision,
  byteRanges,
  changeOneByteOfPageContent,
  changeOneByteOfTitle,
  changeSigningTime,
  flipByteInRevision,
  replacePageText,
  revisionEnds,
  signAsDemoSignatory,
  signUnderForeignCa,
  transplantLastSignature,
} from './tampering.ts';

const DIGEST_MISMATCH = /have changed since signing/;

/** The frozen original holds both fields, its own party's first (alternat): Signature1 is the original's party's. */
function fieldOf(original: string, signer: string): string {
  return original === signer ? 'Signature1' : 'Signature2';
}

async function expectRejected(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    expect((error as DomainError).code).to.equal(code);
    return;
  }
  expect.fail(`expected a ${code} error`);
}

describe('verifyPdf (server/signing/verify-pdf.ts) on the executed demo agreement of cooperation', () => {
  let server: TestServer;
  let originals: Map<string, Buffer>;
  let anchors: TrustAnchor[];
  let letterOfIntent: Buffer;

  before(async () => {
    server = await startTestServer();
    originals = await executeDemoAgreement(server);
    anchors = await demoCertificateAuthorities(server);
    letterOfIntent = await storedOriginal(server, LETTER_OF_INTENT, 'sverdlovsk');
  });
  after(async () => server?.close());

  const original = (party: string) => originals.get(party)!;

  for (const party of DEMO_ORIGINALS) {
    it(`when the ${party} original is verified, then both signatures are intact and trusted, one per party, the last covering the whole file`, async () => {
      const report = await verifyPdf(original(party), anchors);

      expect(report.valid).to.equal(true);
      expect(report.appendedAfterLastSignature).to.equal(false);
      expect(
        report.signatures.map((signature) => [signature.field, signature.party, signature.signer?.name, signature.signer?.email]),
      ).to.deep.equal([
        [fieldOf(party, 'sverdlovsk'), 'sverdlovsk', 'Андрей Соболев', 'signatory@sverdlovsk.example'],
        [fieldOf(party, 'gyeonggi'), 'gyeonggi', '박정의', 'signatory@gyeonggi.example'],
      ]);
      for (const signature of report.signatures) {
        expect(signature, JSON.stringify(signature)).to.include({ intact: true, trusted: true, subFilter: 'ETSI.CAdES.detached' });
        expect(signature.problems).to.deep.equal([]);
        expect(signature.chain).to.have.length(2);
        expect(signature.chain[1]).to.match(/Demo Signing CA$/);
        expect(signature.signingTime).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      }
      expect(report.signatures.map((signature) => signature.coversWholeFile)).to.deep.equal([false, true]);
      expect(report.revisions.map(({ number, signedBy, problems }) => ({ number, signedBy, problems }))).to.deep.equal([
        { number: 1, signedBy: null, problems: [] },
        { number: 2, signedBy: fieldOf(party, 'sverdlovsk'), problems: [] },
        { number: 3, signedBy: fieldOf(party, 'gyeonggi'), problems: [] },
      ]);
      expect(report.sha256).to.match(/^[0-9a-f]{64}$/);
    });
  }

  it('when the 2012 letter of intent is verified, then its chain is checked at its signing time and trusted', async () => {
    const report = await verifyPdf(letterOfIntent, anchors);

    expect(report.valid).to.equal(true);
    expect(report.signatures.map((signature) => signature.signingTime)).to.deep.equal([
      '2012-06-14T09:00:00.000Z',
      '2012-06-14T09:00:00.000Z',
    ]);
  });

  it('when no trust anchor is configured, then the signatures are intact but not trusted and belong to no party', async () => {
    const report = await verifyPdf(original('sverdlovsk'), []);

    expect(report.valid).to.equal(false);
    expect(report.signatures.map(({ intact, trusted, party }) => ({ intact, trusted, party }))).to.deep.equal([
      { intact: true, trusted: false, party: null },
      { intact: true, trusted: false, party: null },
    ]);
    expect(report.signatures[0]!.problems.join()).to.match(/not issued by any party's CA/);
    expect(report.signatures[0]!.problemFindings.map(({ code }) => code)).to.deep.equal(['unknownIssuer']);
  });

  it("when only Gyeonggi's CA is an anchor, then only the Gyeonggi signature is trusted", async () => {
    const report = await verifyPdf(
      original('gyeonggi'),
      anchors.filter((anchor) => anchor.party === 'gyeonggi'),
    );

    expect(report.signatures.map(({ trusted, party }) => [trusted, party])).to.deep.equal([
      [false, null],
      [true, 'gyeonggi'],
    ]);
  });

  it('when one byte of the Info title is changed, then neither signature is intact', async () => {
    const { pdf } = changeOneByteOfTitle(original('sverdlovsk'));

    const report = await verifyPdf(pdf, anchors);

    expect(report.valid).to.equal(false);
    expect(report.signatures.map((signature) => signature.intact)).to.deep.equal([false, false]);
    for (const signature of report.signatures) {
      expect(signature.problems.join()).to.match(DIGEST_MISMATCH);
      // The findings say the same as the words, in the same order, each with its code.
      expect(signature.problemFindings.map(({ message }) => message)).to.deep.equal(signature.problems);
      expect(signature.problemFindings.map(({ code }) => code)).to.include('changed');
    }
  });

  it('when one byte of a page content stream is changed, then neither signature is intact', async () => {
    const { pdf } = changeOneByteOfPageContent(original('gyeonggi'));

    const report = await verifyPdf(pdf, anchors);

    expect(report.valid).to.equal(false);
    expect(report.signatures.map((signature) => signature.intact)).to.deep.equal([false, false]);
  });

  it('when a revision is appended after the last signature, then the signatures stay intact but none covers the file and it is not valid', async () => {
    const pdf = await appendRevision(original('sverdlovsk'));

    const report = await verifyPdf(pdf, anchors);

    expect(report.valid).to.equal(false);
    expect(report.appendedAfterLastSignature).to.equal(true);
    expect(report.signatures.map(({ intact, trusted, coversWholeFile }) => ({ intact, trusted, coversWholeFile }))).to.deep.equal([
      { intact: true, trusted: true, coversWholeFile: false },
      { intact: true, trusted: true, coversWholeFile: false },
    ]);
  });

  it("when the letter of intent's Gyeonggi signature is copied into the agreement's Gyeonggi slot, then that signature is not intact", async () => {
    const pdf = transplantLastSignature(original('sverdlovsk'), letterOfIntent);

    const report = await verifyPdf(pdf, anchors);

    expect(report.valid).to.equal(false);
    // The copied signature is genuine and its certificate trusted; it just signed other bytes.
    expect(report.signatures.map(({ intact, trusted, party }) => ({ intact, trusted, party }))).to.deep.equal([
      { intact: true, trusted: true, party: 'sverdlovsk' },
      { intact: false, trusted: true, party: 'gyeonggi' },
    ]);
    expect(report.signatures[1]!.problems.join()).to.match(DIGEST_MISMATCH);
    // The slot's /M is still the agreement's own: only the CMS inside was swapped.
    const untouched = await verifyPdf(original('sverdlovsk'), anchors);
    expect(report.signatures[1]!.signingTime).to.equal(untouched.signatures[1]!.signingTime);
  });

  it("when the Sverdlovsk signatory's certificate comes from a CA that only copies the name of Sverdlovsk's CA, then it is not trusted and has no party", async () => {
    const frozen = await storedOriginal(server, COOPERATION, 'sverdlovsk', 1);
    const fields = JSON.parse(
      (await server.db('originals').where({ agreement_id: COOPERATION, party_key: 'sverdlovsk', revision: 1 }).first()).signature_fields,
    );
    const pdf = await signUnderForeignCa(server, frozen, fields);

    const report = await verifyPdf(pdf, anchors);

    expect(report.valid).to.equal(false);
    expect(report.signatures.map(({ intact, trusted, party }) => ({ intact, trusted, party }))).to.deep.equal([
      { intact: true, trusted: false, party: null },
      { intact: true, trusted: true, party: 'gyeonggi' },
    ]);
    const forged = report.signatures[0]!;
    expect(forged.signer?.name).to.equal('Андрей Соболев');
    expect(forged.chain).to.deep.equal([forged.signer?.subject]);
    expect(forged.problems.join()).to.match(/names sverdlovsk's CA as its issuer but does not chain to it/);
    expect(forged.problemFindings.map(({ code, values }) => ({ code, values }))).to.deep.equal([
      { code: 'impersonated', values: { party: 'sverdlovsk' } },
    ]);
  });

  describe('revision analysis (DocMDP P 2)', () => {
    it('when a revision replacing the text of page 1 is appended and left unsigned, then that revision is named with what it changes and the file is not valid', async () => {
      const pdf = await replacePageText(original('sverdlovsk'), 0, 'Nothing was agreed.');

      const report = await verifyPdf(pdf, anchors);

      expect(report.valid).to.equal(false);
      expect(report.revisions).to.have.length(4);
      expect(report.revisions[3]!.signedBy).to.equal(null);
      expect(report.revisions[3]!.problems.join('; ')).to.match(/\/Contents of page 1/);
      expect(report.revisions[3]!.problemFindings.map(({ message }) => message)).to.deep.equal(report.revisions[3]!.problems);
      expect(new Set(report.revisions[3]!.problemFindings.map(({ code }) => code))).to.deep.equal(new Set(['revisionStructure']));
    });

    it('when that revision is then signed by a genuine signatory with a trusted certificate, then every signature is intact and trusted and still the file is not valid', async () => {
      const pdf = await signAsDemoSignatory(server, await replacePageText(original('sverdlovsk'), 0, 'Nothing was agreed.'), 'gyeonggi');

      const report = await verifyPdf(pdf, anchors);

      expect(report.signatures.map(({ intact, trusted, problems }) => ({ intact, trusted, problems }))).to.deep.equal(
        Array(3).fill({ intact: true, trusted: true, problems: [] }),
      );
      expect(report.appendedAfterLastSignature).to.equal(false);
      expect(report.valid).to.equal(false);
      expect(report.revisions.map(({ signedBy }) => signedBy)).to.deep.equal([null, 'Signature1', 'Signature2', null, 'Signature3']);
      expect(report.revisions[3]!.problems.join('; ')).to.match(/\/Contents of page 1/);
      expect(report.revisions[4]!.problems).to.deep.equal([]);
    });

    it('when a signed revision only adds a signature field and fills it, then it is permitted (the analysis is not merely suspicious of every revision)', async () => {
      const pdf = await signAsDemoSignatory(server, original('gyeonggi'), 'sverdlovsk');

      const report = await verifyPdf(pdf, anchors);

      expect(report.revisions.map(({ problems }) => problems)).to.deep.equal([[], [], [], []]);
      expect(report.valid).to.equal(true);
    });

    for (const revision of [0, 1, 2]) {
      it(`when one byte of revision ${revision + 1} is flipped, then every signature covering it is not intact and the file is not valid`, async () => {
        const { pdf, offset } = flipByteInRevision(original('sverdlovsk'), revision);

        const report = await verifyPdf(pdf, anchors);

        expect(report.valid).to.equal(false);
        const covering = byteRanges(original('sverdlovsk')).map(([, , holeEnd, tail]) => offset < holeEnd + tail);
        expect(report.signatures.map((signature) => signature.intact)).to.deep.equal(covering.map((covers) => !covers));
      });
    }

    it("when the first signature's /M is changed, then that signature is not intact", async () => {
      const report = await verifyPdf(changeSigningTime(original('sverdlovsk')), anchors);

      expect(report.valid).to.equal(false);
      expect(report.signatures[0]!.intact).to.equal(false);
      expect(report.signatures[0]!.problems.join()).to.match(DIGEST_MISMATCH);
    });

    it('when the file is cut at each revision end, then it holds the signatures of the revisions kept; cut inside a revision, it is not valid', async () => {
      const pdf = original('gyeonggi');
      // The original's end, then where each signature's range ends (the next revision's end-of-line outside it).
      const ends = [revisionEnds(pdf)[0]!, ...byteRanges(pdf).map(([, , holeEnd, tail]) => holeEnd + tail)];

      const reports = await Promise.all(ends.map((end) => verifyPdf(pdf.subarray(0, end), anchors)));
      const cutInside = await verifyPdf(pdf.subarray(0, ends[2]! - 200), anchors);

      expect(reports.map(({ signatures, valid }) => ({ signatures: signatures.length, valid }))).to.deep.equal([
        { signatures: 0, valid: false },
        { signatures: 1, valid: true },
        { signatures: 2, valid: true },
      ]);
      expect(cutInside.valid).to.equal(false);
    });
  });

  it('when /ByteRange is rewritten to leave out the end of the file, then the signature is caught', async () => {
    const pdf = Buffer.from(original('sverdlovsk'));
    const [, holeStart, holeEnd, tailLength] = byteRanges(pdf).at(-1)!;
    const written = `[0 ${holeStart} ${holeEnd} ${tailLength}]`;
    const shrunk = `[0 ${holeStart} ${holeEnd} ${tailLength - 100}]`.padEnd(written.length, ' ');
    const at = pdf.lastIndexOf(written);
    pdf.write(shrunk, at, 'latin1');

    const report = await verifyPdf(pdf, anchors);

    expect(report.valid).to.equal(false);
    expect(report.appendedAfterLastSignature).to.equal(true);
    expect(report.signatures[1]).to.include({ intact: false, coversWholeFile: false });
  });

  it('when /Contents holds bytes that are not a CMS signature, then that is reported, not thrown', async () => {
    const pdf = Buffer.from(original('sverdlovsk'));
    const [, holeStart] = byteRanges(pdf).at(-1)!;
    pdf.write('ffffffff', holeStart + 1, 'latin1');

    const report: PdfVerification = await verifyPdf(pdf, anchors);

    expect(report.valid).to.equal(false);
    expect(report.signatures[1]).to.include({ intact: false, trusted: false, signer: null });
    expect(report.signatures[1]!.problems).to.not.be.empty;
  });

  it('when the PDF has no signature, then there are none and it is not valid', async () => {
    const frozen = await storedOriginal(server, COOPERATION, 'gyeonggi', 1);
    const blank = await PDFDocument.create();
    blank.addPage();

    for (const pdf of [frozen, Buffer.from(await blank.save())]) {
      const report = await verifyPdf(pdf, anchors);
      expect(report).to.deep.include({ signatures: [], appendedAfterLastSignature: false, valid: false });
    }
  });

  it('when the bytes are empty, not a PDF or a broken PDF, then the request is malformed', async () => {
    await expectRejected(verifyPdf(Buffer.alloc(0), anchors), 'MALFORMED_REQUEST');
    await expectRejected(verifyPdf(Buffer.from('{"not": "a pdf"}'), anchors), 'MALFORMED_REQUEST');
    await expectRejected(verifyPdf(Buffer.from('%PDF-1.7\n%%EOF\n'), anchors), 'MALFORMED_REQUEST');
  });

  it('when the PDF is encrypted, then it is refused by a rule rather than misread', async () => {
    const encrypted = tempFile('encrypted.pdf', '');
    const { code, stderr } = await tool('qpdf', [
      '--encrypt',
      '',
      'owner',
      '256',
      '--',
      tempFile('plain.pdf', original('sverdlovsk')),
      encrypted,
    ]);
    expect(code, stderr).to.equal(0);

    await expectRejected(verifyPdf(readFileSync(encrypted), anchors), 'RULE_VIOLATION');
  });
});
