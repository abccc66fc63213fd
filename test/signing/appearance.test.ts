import { expect } from 'chai';
import { buildAgreementDocument } from '../../server/agreements/agreement-document.ts';
import { renderAgreementPdf } from '../../server/pdf/render-pdf.ts';
import { PadesCmsSigner } from '../../server/signing/cms-signer.ts';
import { createCertificateAuthority, importPrivateKey, issueSigningCertificate } from '../../server/signing/pki.ts';
import { addSignature } from '../../server/signing/sign-pdf.ts';
import { buildAgreementSource } from '../support/documents.ts';
import { tempFile, tool } from '../support/pdf-tools.ts';

const VALIDITY = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') };
const LINES = ['Андрей Соболев · Andrei Sobolev', '2018-07-20 09:00:00 UTC', '안드레이 소볼레프', 'The Government of Sverdlovsk Region'];

describe('the visible signature (sign-pdf appearance)', () => {
  let sign: () => Promise<Buffer>;
  let page: number;

  before(async () => {
    const source = buildAgreementSource({ languages: ['ru', 'ko'] });
    const original = await renderAgreementPdf(buildAgreementDocument(source, { original: 'sverdlovsk', date: '2018-07-20', final: true }));
    const ca = await createCertificateAuthority({ commonName: 'Appearance CA', organization: 'Bilateral tests', country: 'ZZ' }, VALIDITY);
    const issued = await issueSigningCertificate(
      ca,
      { commonName: 'Андрей Соболев', organization: 'Bilateral tests', country: 'ZZ', email: 'signatory@sverdlovsk.example' },
      VALIDITY,
    );
    const signer = new PadesCmsSigner({
      certificatePem: issued.certificatePem,
      chainPems: [ca.certificatePem],
      privateKey: await importPrivateKey(issued.privateKeyPkcs8),
    });
    const field = original.signatureFields[0]!;
    page = field.page + 1;
    sign = () =>
      addSignature(original.pdf, {
        signer,
        signingTime: new Date('2018-07-20T09:00:00Z'),
        name: 'Andrei Sobolev',
        reason: 'Signed for the Government of Sverdlovsk Region',
        location: 'Yekaterinburg',
        field: { page: field.page, rect: { x: field.x, y: field.y, width: field.width, height: field.height }, lines: LINES },
      });
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

  it('when the same signature is made twice, then the bytes are the same', async () => {
    expect((await sign()).equals(await sign())).to.equal(true);
  });
});
