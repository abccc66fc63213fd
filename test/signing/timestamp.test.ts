import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createApp } from '../../server/app.ts';
import type { UseCaseDeps } from '../../server/agreements/deps.ts';
import { addSignatureTimestamp, signatureTimestampTokens } from '../../server/signing/timestamp.ts';
import { verifyPdf } from '../../server/signing/verify-pdf.ts';
import { ApiClient } from '../support/api-client.ts';
import {
  COOPERATION,
  DEMO_ORIGINALS,
  demoCertificateAuthorities,
  executeDemoAgreement,
  HAPPY_PATH,
  runEvents,
} from '../support/execute-demo.ts';
import { nssDatabaseTrusting, parsePdfsig, tempFile, tool } from '../support/pdf-tools.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { startLocalTsa, type LocalTsa } from './local-tsa.ts';
import { createRootCa, issueCertificate, openssl, scratchDirectory } from './openssl-pki.ts';

/** The same database and clock, served by an app whose configuration names a time-stamping authority. */
async function serveWithTsa(
  server: TestServer,
  tsaUrl: string,
  overrides: Partial<UseCaseDeps['config']> = {},
): Promise<{ baseUrl: string; logged: unknown[]; close: () => Promise<void> }> {
  const deps: UseCaseDeps = { ...server.deps, config: Object.freeze({ ...server.deps.config, tsaUrl, ...overrides }) };
  const errors: unknown[] = [];
  const app = createApp(deps, { log: (message, error) => errors.push([message, String(error)]) });
  const listening: Server = await new Promise((resolve) => {
    const instance = app.listen(0, '127.0.0.1', () => resolve(instance));
  });
  return {
    baseUrl: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`,
    logged: errors,
    close: async () => {
      listening.closeAllConnections();
      await new Promise((resolve) => listening.close(resolve));
      // An unreachable authority is logged (a 503 an operator must see); anything else is a failure.
      const unexpected = errors.filter((entry) => !/time-stamping authority/.test(JSON.stringify(entry)));
      if (unexpected.length > 0) throw new Error(`the server logged errors: ${JSON.stringify(unexpected)}`);
    },
  };
}

/** The CMS inside each signature field's /Contents, in file order. */
function signatureContents(pdf: Buffer): Buffer[] {
  const latin = pdf.toString('latin1');
  return [...latin.matchAll(/\/ByteRange \[0 (\d+) (\d+) \d+\]/g)].map((match) => {
    const hex = latin.slice(Number(match[1]) + 1, Number(match[2]) - 1);
    const der = Buffer.from(hex, 'hex');
    return der.subarray(0, asn1js.fromBER(der).offset);
  });
}

describe('signature timestamps from a time-stamping authority (PAdES B-T)', () => {
  let server: TestServer;
  let tsa: LocalTsa;
  let withTsa: Awaited<ReturnType<typeof serveWithTsa>>;
  let originals: Map<string, Buffer>;
  let before_: Date;

  before(async () => {
    server = await startTestServer();
    tsa = await startLocalTsa();
    withTsa = await serveWithTsa(server, tsa.url);
    before_ = new Date(Date.now() - 1000);
    originals = await executeDemoAgreement({ ...server, baseUrl: withTsa.baseUrl });
  });
  after(async () => {
    await withTsa?.close();
    await tsa?.close();
    await server?.close();
  });

  it('when TSA_URL is set, then each of the four signatures asked the authority once and carries its token', async () => {
    // And once more, before the first: the size of the authority's tokens, which each /Contents is made to hold.
    expect(tsa.answered()).to.equal(5);
    for (const party of DEMO_ORIGINALS) {
      const contents = signatureContents(originals.get(party)!);
      expect(contents).to.have.length(2);
      for (const cms of contents) expect(signatureTimestampTokens(cms)).to.have.length(1);
    }
  });

  it('when openssl ts -verify checks each token against the signature value and the TSA’s root, then it verifies, at the signing time', async () => {
    const directory = scratchDirectory('bilateral-tst-');
    for (const party of DEMO_ORIGINALS) {
      for (const [index, cms] of signatureContents(originals.get(party)!).entries()) {
        const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(cms).content });
        const signatureValue = Buffer.from(signedData.signerInfos[0]!.signature.getValue());
        const [token] = signatureTimestampTokens(cms);
        const tokenFile = path.join(directory, `${party}-${index}.tst`);
        const dataFile = path.join(directory, `${party}-${index}.sig`);
        writeFileSync(tokenFile, token!);
        writeFileSync(dataFile, signatureValue);
        const verified = await openssl(
          ['ts', '-verify', '-in', tokenFile, '-token_in', '-data', dataFile, '-CAfile', tsa.rootCa.certificateFile],
          { stderr: true },
        );
        expect(verified).to.include('Verification: OK');

        const tstInfo = pkijs.TSTInfo.fromBER(
          new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(token!).content }).encapContentInfo.eContent!.getValue(),
        );
        expect(
          Buffer.from(tstInfo.messageImprint.hashedMessage.getValue()).equals(createHash('sha256').update(signatureValue).digest()),
        ).to.equal(true);
        expect(tstInfo.genTime.getTime()).to.be.within(before_.getTime() - 2000, Date.now() + 2000);
      }
    }
  });

  it('when pdfsig, qpdf and our verifier read the timestamped originals, then the signatures stay valid and trusted', async () => {
    const nssdir = await nssDatabaseTrusting((await demoCertificateAuthorities(server)).map((authority) => authority.certificatePem));
    for (const party of DEMO_ORIGINALS) {
      const file = tempFile(`${party}.pdf`, originals.get(party)!);
      const { stdout } = await tool('pdfsig', ['-nssdir', nssdir, file]);
      const signatures = parsePdfsig(stdout);
      expect(
        signatures.map((signature) => [signature.valid, signature.trusted]),
        stdout,
      ).to.deep.equal([
        [true, true],
        [true, true],
      ]);
      const qpdf = await tool('qpdf', ['--check', file]);
      expect(qpdf.code, qpdf.stdout + qpdf.stderr).to.equal(0);
      expect(qpdf.stdout + qpdf.stderr).to.not.match(/WARNING/i);
      expect((await verifyPdf(originals.get(party)!, await demoCertificateAuthorities(server))).valid).to.equal(true);
    }
  });
});

describe('addSignatureTimestamp on a CMS made elsewhere (external signing)', () => {
  let tsa: LocalTsa;
  before(async () => {
    tsa = await startLocalTsa();
  });
  after(async () => tsa?.close());

  it('when an `openssl cms -sign` signature is timestamped, then openssl still verifies the signature and the token', async () => {
    const directory = scratchDirectory('bilateral-cms-');
    const root = await createRootCa(directory, 'Root');
    const signer = await issueCertificate(root, 'signer', { commonName: 'Signer', days: 30 });
    const content = path.join(directory, 'content.bin');
    const signature = path.join(directory, 'signature.der');
    const timestamped = path.join(directory, 'timestamped.der');
    writeFileSync(content, 'the bytes a /ByteRange covers');
    await openssl([
      'cms',
      '-sign',
      '-binary',
      '-in',
      content,
      '-signer',
      signer.certificateFile,
      '-inkey',
      signer.keyFile,
      '-outform',
      'DER',
      '-out',
      signature,
      '-md',
      'sha256',
      '-nosmimecap',
      '-cades',
    ]);
    const cms = await addSignatureTimestamp(readFileSync(signature), tsa.url);
    writeFileSync(timestamped, cms);
    const verified = await openssl(
      [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        timestamped,
        '-content',
        content,
        '-CAfile',
        root.certificateFile,
        '-purpose',
        'any',
        '-out',
        '/dev/null',
      ],
      { stderr: true },
    );
    expect(verified).to.include('Verification successful');
    const [token] = signatureTimestampTokens(cms);
    const tokenFile = path.join(directory, 'token.tst');
    const signatureValue = path.join(directory, 'signature-value.bin');
    writeFileSync(tokenFile, token!);
    writeFileSync(
      signatureValue,
      Buffer.from(new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(cms).content }).signerInfos[0]!.signature.getValue()),
    );
    expect(
      await openssl(['ts', '-verify', '-in', tokenFile, '-token_in', '-data', signatureValue, '-CAfile', tsa.rootCa.certificateFile], {
        stderr: true,
      }),
    ).to.include('Verification: OK');
  });
});

describe('a time-stamping authority that does not answer', () => {
  let server: TestServer;
  let withTsa: Awaited<ReturnType<typeof serveWithTsa>>;
  before(async () => {
    server = await startTestServer();
    // Nothing listens on port 9 (discard) here: the connection is refused at once.
    withTsa = await serveWithTsa(server, 'http://127.0.0.1:9/tsa');
    await runEvents(server, COOPERATION, HAPPY_PATH.slice(0, 5));
  });
  after(async () => {
    await withTsa?.close();
    await server?.close();
  });

  it('when SIGN cannot get its timestamp, then 503 names the authority and nothing is signed', async () => {
    const signatory = await ApiClient.signIn(withTsa.baseUrl, 'signatory@sverdlovsk.example');
    const version = (await signatory.get(`/api/agreements/${COOPERATION}`)).body.version;
    const before = await storedAgreement(server.db, COOPERATION);
    const response = await signatory.post(`/api/agreements/${COOPERATION}/events`, {
      type: 'SIGN',
      expectedVersion: version,
      password: DEMO_PASSWORD,
    });
    expect(response.status, JSON.stringify(response.body)).to.equal(503);
    expect(response.body.code).to.equal('SERVICE_UNAVAILABLE');
    expect(response.body.detail).to.match(
      /time-stamping authority \(http:\/\/127\.0\.0\.1:9\/tsa\) could not be reached.*nothing was signed/,
    );
    expect(await storedAgreement(server.db, COOPERATION)).to.equal(before);
    expect(JSON.stringify(withTsa.logged)).to.include('time-stamping authority');
  });
});

describe('a time-stamping authority that stopped, where the deployment allows PAdES B-B (ALLOW_UNTIMESTAMPED_SIGNATURES=1)', () => {
  let server: TestServer;
  let withTsa: Awaited<ReturnType<typeof serveWithTsa>>;
  before(async () => {
    server = await startTestServer();
    // A real authority on a loopback port, stopped: the port refuses connections from then on.
    const tsa = await startLocalTsa();
    await tsa.close();
    withTsa = await serveWithTsa(server, tsa.url, { allowUntimestampedSignatures: true });
    await runEvents(server, COOPERATION, HAPPY_PATH.slice(0, 5));
  });
  after(async () => {
    await withTsa?.close();
    await server?.close();
  });

  it('when both parties SIGN, then they are signed without timestamps, PAdES B-B, and verify says so', async () => {
    await runEvents(withTsa, COOPERATION, HAPPY_PATH.slice(5));
    for (const party of DEMO_ORIGINALS) {
      const official = await ApiClient.signIn(withTsa.baseUrl, `official@${party}.example`);
      const pdf = (await official.get(`/api/agreements/${COOPERATION}/pdf?original=${party}`)).bytes;
      expect(signatureContents(pdf).map((cms) => signatureTimestampTokens(cms).length)).to.deep.equal([0, 0]);
      const report = await verifyPdf(pdf, await demoCertificateAuthorities(server));
      expect(report).to.include({ valid: true, level: 'B-B' });
      for (const signature of report.signatures) expect(signature).to.include({ timestamp: null, validatedAtSource: 'present' });
    }
  });
});
