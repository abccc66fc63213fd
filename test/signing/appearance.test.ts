import { PDFDocument } from '@cantoo/pdf-lib';
import { expect } from 'chai';
import { buildAgreementDocument } from '../../server/agreements/agreement-document.ts';
import type { SignatureField } from '../../server/pdf/compose.ts';
import { renderAgreementPdf } from '../../server/pdf/render-pdf.ts';
import { PadesCmsSigner } from '../../server/signing/cms-signer.ts';
import { createCertificateAuthority, importPrivateKey, issueSigningCertificate } from '../../server/signing/pki.ts';
import { addSignature } from '../../server/signing/sign-pdf.ts';
import { buildAgreementSource } from '../support/documents.ts';
import { tempFile, tool } from '../support/pdf-tools.ts';

const VALIDITY = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') };
const LINES = ['Андрей Соболев · Andrei Sobolev', '2018-07-20 09:00:00 UTC', '안드레이 소볼레프', 'The Government of Sverdlovsk Region'];

/** pdffonts' rows: one per font object the pages and their annotations' appearances use, with its object id. */
async function fontRows(pdf: Buffer): Promise<string[]> {
  const { stdout } = await tool('pdffonts', [tempFile('fonts.pdf', pdf)]);
  return stdout
    .split('\n')
    .slice(2)
    .filter((row) => row.trim() !== '');
}

function occurrences(text: string, line: string): number {
  return text.split(line).length - 1;
}

describe('the visible signature (sign-pdf appearance)', () => {
  let sign: (lines?: string[], pdf?: Buffer, field?: SignatureField) => Promise<Buffer>;
  let secondField: SignatureField;
  let original: Buffer;
  let page: number;
  let signer: PadesCmsSigner;
  const pageText = async (pdf: Buffer) =>
    (await tool('pdftotext', ['-f', `${page}`, '-l', `${page}`, tempFile('signed.pdf', pdf), '-'])).stdout;

  before(async () => {
    const source = buildAgreementSource({ languages: ['ru', 'ko'] });
    const rendered = await renderAgreementPdf(buildAgreementDocument(source, { original: 'sverdlovsk', date: '2018-07-20', final: true }));
    original = rendered.pdf;
    const ca = await createCertificateAuthority({ commonName: 'Appearance CA', organization: 'Bilateral tests', country: 'ZZ' }, VALIDITY);
    const issued = await issueSigningCertificate(
      ca,
      { commonName: 'Андрей Соболев', organization: 'Bilateral tests', country: 'ZZ', email: 'signatory@sverdlovsk.example' },
      VALIDITY,
    );
    signer = new PadesCmsSigner({
      certificatePem: issued.certificatePem,
      chainPems: [ca.certificatePem],
      privateKey: await importPrivateKey(issued.privateKeyPkcs8),
    });
    const field = rendered.signatureFields[0]!;
    page = field.page + 1;
    sign = (lines = LINES, pdf = original, { page, x, y, width, height } = field) =>
      addSignature(pdf, {
        signer,
        signingTime: new Date('2018-07-20T09:00:00Z'),
        name: 'Andrei Sobolev',
        reason: 'Signed for the Government of Sverdlovsk Region',
        location: 'Yekaterinburg',
        field: { page, rect: { x, y, width, height }, lines },
      });
    secondField = rendered.signatureFields[1]!;
  });

  it('when poppler reads the signed page, then every line of the appearance is there as text, in an embedded subset with a Unicode map', async () => {
    const file = tempFile('signed.pdf', await sign());
    const { stdout: text } = await tool('pdftotext', ['-f', `${page}`, '-l', `${page}`, file, '-']);
    for (const line of LINES) expect(text).to.include(line);
    const { stdout: fonts } = await tool('pdffonts', [file]);
    const rows = fonts
      .split('\n')
      .slice(2)
      .filter((row) => row.trim() !== '');
    expect(rows.length).to.be.greaterThan(2);
    for (const row of rows) expect(row, row).to.match(/^[A-Z]{6}\+NotoSerifKR-\w+\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect((await tool('qpdf', ['--check', file])).code).to.equal(0);
  });

  it("when the document's own font has every glyph of the lines, then the appearance draws with it and the revision embeds no font", async () => {
    // Lines the original prints on the signature page (its signature block), so its subset of the serif font holds their glyphs.
    const lines = ['Андрей Соболев', '안드레이 소볼레프', 'За Правительство Свердловской области'];
    const before = await pageText(original);
    for (const line of lines) expect(before).to.include(line);

    const signed = await sign(lines);

    expect(await fontRows(signed)).to.deep.equal(await fontRows(original));
    const after = await pageText(signed);
    for (const line of lines) expect(occurrences(after, line), line).to.equal(occurrences(before, line) + 1);
    expect((await tool('qpdf', ['--check', tempFile('signed.pdf', signed)])).code).to.equal(0);
  });

  it("when a line has a glyph the document's font lacks, then that line alone is drawn with a subset of the revision's own", async () => {
    const lines = ['Андрей Соболев', '똠방각하'];
    const before = await pageText(original);
    expect(before).to.include(lines[0]);
    expect(before).not.to.include('똠');

    const signed = await sign(lines);

    const fontsBefore = await fontRows(original);
    const fontsAfter = await fontRows(signed);
    expect(fontsAfter.slice(0, fontsBefore.length)).to.deep.equal(fontsBefore);
    expect(fontsAfter).to.have.length(fontsBefore.length + 1);
    expect(fontsAfter.at(-1)).to.match(/^[A-Z]{6}\+NotoSerifKR-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    const after = await pageText(signed);
    for (const line of lines) expect(occurrences(after, line), line).to.equal(occurrences(before, line) + 1);
  });

  it("when an earlier signature's appearance embeds a subset with a later one's glyphs, then the later appearance draws with that", async () => {
    const first = await sign(['똠방각하']);

    const second = await sign(['방각하똠'], first, secondField);

    expect(await fontRows(second)).to.deep.equal(await fontRows(first));
    expect(occurrences(await pageText(second), '방각하똠')).to.equal(1);
  });

  it('when the PDF was made elsewhere and embeds no font, then the appearance embeds a subset of its own', async () => {
    const elsewhere = await PDFDocument.create();
    elsewhere.addPage([595, 842]);
    const pdf = Buffer.from(await elsewhere.save({ useObjectStreams: false }));

    const signed = await addSignature(pdf, {
      signer,
      signingTime: new Date('2018-07-20T09:00:00Z'),
      name: 'Andrei Sobolev',
      reason: 'Signed',
      location: 'Yekaterinburg',
      field: { page: 0, rect: { x: 40, y: 40, width: 220, height: 42 }, lines: LINES.slice(0, 2) },
    });

    expect(await fontRows(signed)).to.have.length(1);
    const { stdout: text } = await tool('pdftotext', [tempFile('signed.pdf', signed), '-']);
    for (const line of LINES.slice(0, 2)) expect(text).to.include(line);
  });

  it('when the same signature is made twice, then the bytes are the same', async () => {
    expect((await sign()).equals(await sign())).to.equal(true);
  });
});
