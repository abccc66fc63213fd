import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import * as pkijs from 'pkijs';
import { buildAgreementDocument } from '../../server/agreements/agreement-document.ts';
import { renderAgreementPdf } from '../../server/pdf/render-pdf.ts';
import { PadesCmsSigner } from '../../server/signing/cms-signer.ts';
import {
  type IssuedCredential,
  createCertificateAuthority,
  importPrivateKey,
  issueSigningCertificate,
  issueTimestampingCertificate,
} from '../../server/signing/pki.ts';
import { addSignature } from '../../server/signing/sign-pdf.ts';
import { answerTimestampQuery, type TimestampingUnit, timestampingFetch } from '../../server/signing/timestamp-authority.ts';
import { signatureTimestampTokens } from '../../server/signing/timestamp.ts';
import { verifyPdf } from '../../server/signing/verify-pdf.ts';
import { buildAgreementSource } from '../support/documents.ts';
import { DEMO_ORIGINALS, demoCertificateAuthorities, executeDemoAgreement } from '../support/execute-demo.ts';
import { crlsPublishedHere } from '../../server/signatures/revocation-publication.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { openssl, scratchDirectory } from './openssl-pki.ts';
import { byteRanges } from './tampering.ts';

/** The CMS of each signature, in file order. */
function signatureCms(pdf: Buffer): Buffer[] {
  return byteRanges(pdf).map(([, holeStart, holeEnd]) => {
    const der = Buffer.from(pdf.toString('latin1', holeStart + 1, holeEnd - 1), 'hex');
    return Buffer.from(pkijs.ContentInfo.fromBER(der).toSchema().toBER(false));
  });
}

function signatureValue(cms: Buffer): Buffer {
  const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(cms).content });
  return Buffer.from(signedData.signerInfos[0]!.signature.getValue());
}

describe('trusted time: the demo PKI’s own time-stamping unit and verification at the time it proves', () => {
  describe('in demo mode, without TSA_URL', () => {
    let server: TestServer;
    let originals: Map<string, Buffer>;

    before(async () => {
      server = await startTestServer();
      originals = await executeDemoAgreement(server);
    });
    after(async () => server?.close());

    it('when both parties sign, then each signature carries a token that openssl ts -verify accepts against the demo CA', async () => {
      const directory = scratchDirectory('bilateral-demo-tst-');
      const caFile = path.join(directory, 'cas.pem');
      writeFileSync(caFile, (await demoCertificateAuthorities(server)).map((authority) => `${authority.certificatePem.trim()}\n`).join(''));
      for (const party of DEMO_ORIGINALS) {
        for (const [index, cms] of signatureCms(originals.get(party)!).entries()) {
          const tokens = signatureTimestampTokens(cms);
          expect(tokens).to.have.length(1);
          const tokenFile = path.join(directory, `${party}-${index}.tst`);
          const dataFile = path.join(directory, `${party}-${index}.sig`);
          writeFileSync(tokenFile, tokens[0]!);
          writeFileSync(dataFile, signatureValue(cms));
          const verified = await openssl(['ts', '-verify', '-in', tokenFile, '-token_in', '-data', dataFile, '-CAfile', caFile], {
            stderr: true,
          });
          expect(verified).to.include('Verification: OK');
        }
      }
    });

    it('when the originals are verified, then the certificates are checked at the timestamp’s time, which agrees with /M', async () => {
      for (const party of DEMO_ORIGINALS) {
        const report = await verifyPdf(
          originals.get(party)!,
          await demoCertificateAuthorities(server),
          new Date(),
          await crlsPublishedHere(server.deps),
        );
        expect(report.valid).to.equal(true);
        for (const signature of report.signatures) {
          expect(signature.timestamp, JSON.stringify(signature)).to.include({ trusted: true });
          expect(signature.timestamp!.authority).to.match(/CN=Bilateral Demo Time-Stamping Unit/);
          expect(signature.validatedAtSource).to.equal('signature-timestamp');
          expect(signature.validatedAt).to.equal(signature.timestamp!.time);
          expect(Math.abs(Date.parse(signature.validatedAt) - Date.parse(signature.signingTime!))).to.be.at.most(5 * 60_000);
          expect(signature.warnings).to.deep.equal([]);
        }
      }
    });
  });

  describe('a unit with a clock of its own, and a signer whose certificate expired in 2013', () => {
    const YEAR_2012 = new Date('2012-06-14T09:00:00Z');
    const YEAR_2026 = new Date('2026-06-14T09:00:00Z');
    let ca: IssuedCredential;
    let unit: Omit<TimestampingUnit, 'now'>;
    let signer: IssuedCredential;
    let original: Awaited<ReturnType<typeof renderAgreementPdf>>;
    const anchors = () => [{ party: 'sverdlovsk', certificatePem: ca.certificatePem }];

    before(async () => {
      const validity = { notBefore: new Date('2010-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') };
      ca = await createCertificateAuthority({ commonName: 'Time CA', organization: 'Bilateral tests', country: 'ZZ' }, validity);
      const issuedUnit = await issueTimestampingCertificate(
        ca,
        { commonName: 'Test Unit', organization: 'Bilateral tests', country: 'ZZ' },
        validity,
      );
      unit = {
        certificatePem: issuedUnit.certificatePem,
        chainPems: [ca.certificatePem],
        privateKey: await importPrivateKey(issuedUnit.privateKeyPkcs8),
      };
      signer = await issueSigningCertificate(
        ca,
        { commonName: 'Андрей Соболев', organization: 'Bilateral tests', country: 'ZZ', email: 'signatory@sverdlovsk.example' },
        { notBefore: new Date('2010-01-01T00:00:00Z'), notAfter: new Date('2013-01-01T00:00:00Z') },
      );
      original = await renderAgreementPdf(
        buildAgreementDocument(buildAgreementSource({ languages: ['ru', 'ko'] }), {
          original: 'sverdlovsk',
          date: '2012-06-14',
          final: true,
        }),
      );
    });

    /** Signed with /M in 2012, timestamped by the unit at `unitTime` (or not at all). */
    async function signedIn2012(unitTime: Date | null, line = 'Andrei Sobolev'): Promise<Buffer> {
      const field = original.signatureFields[0]!;
      return addSignature(original.pdf, {
        signer: new PadesCmsSigner({
          certificatePem: signer.certificatePem,
          chainPems: [ca.certificatePem],
          privateKey: await importPrivateKey(signer.privateKeyPkcs8),
          timestampAuthority: unitTime
            ? { url: 'http://localhost/test-unit', fetch: timestampingFetch(async () => ({ ...unit, now: () => unitTime })) }
            : undefined,
        }),
        signingTime: YEAR_2012,
        name: 'Andrei Sobolev',
        reason: 'Signed',
        location: 'Yekaterinburg',
        field: { page: field.page, rect: { x: field.x, y: field.y, width: field.width, height: field.height }, lines: [line] },
      });
    }

    it('when the token proves 2012, then the expired certificate is trusted as of 2012', async () => {
      const report = await verifyPdf(await signedIn2012(YEAR_2012), anchors(), YEAR_2026);

      const [signature] = report.signatures;
      expect(signature).to.include({ trusted: true, validatedAt: YEAR_2012.toISOString(), validatedAtSource: 'signature-timestamp' });
      expect(signature!.warnings).to.deep.equal([]);
      expect(report.valid).to.equal(true);
    });

    it('when /M says 2012 but the token proves 2026, then the certificate is checked in 2026: expired, with a warning that /M disagrees', async () => {
      const report = await verifyPdf(await signedIn2012(YEAR_2026), anchors(), YEAR_2026);

      const [signature] = report.signatures;
      expect(signature).to.include({ intact: true, trusted: false, validatedAt: YEAR_2026.toISOString() });
      expect(signature!.problems.join()).to.match(/not valid at 2026-06-14T09:00:00.000Z, when its certificates were checked/);
      expect(signature!.warnings.join()).to.match(/\/M\) 2012-06-14T09:00:00.000Z disagrees with the timestamp 2026-06-14T09:00:00.000Z/);
      expect(signature!.problemFindings.map(({ code, values }) => ({ code, values }))).to.deep.equal([
        { code: 'chainNotValid', values: { at: '2026-06-14T09:00:00.000Z' } },
      ]);
      expect(signature!.warningFindings.map(({ code, values }) => ({ code, values }))).to.deep.equal([
        { code: 'signingTimeDisagrees', values: { claimed: '2012-06-14T09:00:00.000Z', stamped: '2026-06-14T09:00:00.000Z' } },
      ]);
      expect(report.valid).to.equal(false);
    });

    it('when there is no token, then /M proves nothing: the certificate is checked at the present and has expired', async () => {
      const report = await verifyPdf(await signedIn2012(null), anchors(), YEAR_2026);

      const [signature] = report.signatures;
      expect(signature).to.include({ timestamp: null, trusted: false, validatedAt: YEAR_2026.toISOString(), validatedAtSource: 'present' });
      expect(report.valid).to.equal(false);
    });

    it('when the token of another signature is put in its place, then the signature is not valid: the token is over other data', async () => {
      const pdf = await signedIn2012(YEAR_2012);
      const other = signatureTimestampTokens(signatureCms(await signedIn2012(YEAR_2012, 'Somebody else'))[0]!)[0]!;
      const [token] = signatureTimestampTokens(signatureCms(pdf)[0]!);
      const [, holeStart, holeEnd] = byteRanges(pdf)[0]!;
      const hex = pdf.toString('latin1', holeStart, holeEnd);
      // Same length (a token differs only in its values here), so the swap keeps every offset.
      expect(other.length).to.equal(token!.length);
      const forged = Buffer.from(pdf);
      forged.write(
        hex
          .replace(token!.toString('hex').toUpperCase(), other.toString('hex').toUpperCase())
          .replace(token!.toString('hex'), other.toString('hex')),
        holeStart,
        'latin1',
      );
      expect(forged.equals(pdf)).to.equal(false);

      const report = await verifyPdf(forged, anchors(), YEAR_2026);

      expect(report.signatures[0]!.problems.join()).to.match(/the timestamp is over other data than this signature/);
      expect(report.signatures[0]!.problemFindings.map(({ code }) => code)).to.include('timestampBroken');
      expect(report.valid).to.equal(false);
    });

    it('when openssl ts asks the unit with a query of its own, then the reply verifies against the CA; a query that is no query is rejected', async () => {
      const directory = scratchDirectory('bilateral-unit-');
      const dataFile = path.join(directory, 'data.bin');
      const queryFile = path.join(directory, 'query.tsq');
      const replyFile = path.join(directory, 'reply.tsr');
      const caFile = path.join(directory, 'ca.pem');
      writeFileSync(dataFile, 'what a signature value would be');
      writeFileSync(caFile, ca.certificatePem);
      await openssl(['ts', '-query', '-data', dataFile, '-sha256', '-cert', '-out', queryFile]);
      writeFileSync(replyFile, await answerTimestampQuery({ ...unit, now: () => YEAR_2026 }, readFileSync(queryFile)));
      const text = await openssl(['ts', '-reply', '-in', replyFile, '-text']);
      expect(text).to.match(/Status: Granted/);
      expect(text).to.match(/Time stamp: Jun 14 09:00:00 2026 GMT/);
      expect(await openssl(['ts', '-verify', '-queryfile', queryFile, '-in', replyFile, '-CAfile', caFile], { stderr: true })).to.include(
        'Verification: OK',
      );

      writeFileSync(replyFile, await answerTimestampQuery({ ...unit, now: () => YEAR_2026 }, Buffer.from('not a query')));
      expect(await openssl(['ts', '-reply', '-in', replyFile, '-text'])).to.match(/Status: Rejected[\s\S]*not a DER TimeStampReq/);
    });
  });
});
