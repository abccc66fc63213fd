import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { PDFDocument, PDFName } from '@cantoo/pdf-lib';
import * as pkijs from 'pkijs';
import {
  extendLongTermValidation,
  LONG_TERM_TIMESTAMP,
  longTermValidationHandlers,
} from '../../server/signatures/extend-long-term-validation.ts';
import { crlsPublishedHere } from '../../server/signatures/revocation-publication.ts';
import { addDocumentTimestamp, type DocumentTimestampAuthority, readDss } from '../../server/signing/long-term-validation.ts';
import { createCertificateAuthority, importPrivateKey, issueTimestampingCertificate } from '../../server/signing/pki.ts';
import { timestampingFetch } from '../../server/signing/timestamp-authority.ts';
import { createScheduler } from '../../server/scheduler/scheduler.ts';
import { verifyPdf } from '../../server/signing/verify-pdf.ts';
import { listAuditEntries } from '../../db/repositories/audit.repository.ts';
import { formatDate, translate } from '../../server/web/i18n.ts';
import { ApiClient } from '../support/api-client.ts';
import { unexplainedAgreements } from '../support/audit-check.ts';
import { WebClient } from '../web/web-client.ts';
import { COOPERATION, DEMO_ORIGINALS, demoCertificateAuthorities, executeDemoAgreement, storedOriginal } from '../support/execute-demo.ts';
import { libreOfficeSignatures, nssDatabaseTrusting, parsePdfsig, tempFile, tool } from '../support/pdf-tools.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type LocalTsa, startLocalTsa } from './local-tsa.ts';
import { openssl, scratchDirectory } from './openssl-pki.ts';
import { appendRevision, replacePageText, revisionEnds } from './tampering.ts';

/** The document timestamp tokens of a file, in file order, from each /DocTimeStamp's /Contents. */
function documentTimestampTokens(pdf: Buffer): { token: Buffer; covered: Buffer }[] {
  const text = pdf.toString('latin1');
  const found: { token: Buffer; covered: Buffer }[] = [];
  for (const match of text.matchAll(/\/Type \/DocTimeStamp[\s\S]*?\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/g)) {
    const [a, b, c, d] = match.slice(1, 5).map(Number) as [number, number, number, number];
    const hex = text.slice(b + 1, c - 1);
    const der = Buffer.from(hex, 'hex');
    const token = Buffer.from(pkijs.ContentInfo.fromBER(der).toSchema().toBER(false));
    found.push({ token, covered: Buffer.concat([pdf.subarray(a, b), pdf.subarray(c, c + d)]) });
  }
  return found;
}

/** An unsigned revision that takes the /DSS out of the catalog. */
async function withoutDss(pdf: Buffer): Promise<Buffer> {
  const document = await PDFDocument.load(pdf, { forIncrementalUpdate: true, updateMetadata: false });
  document.catalog.delete(PDFName.of('DSS'));
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

/** One scheduler process's round, as main.ts runs it: claims due long-term events and handles them. */
async function runLongTermScheduler(server: TestServer, processId = 'long-term-test'): Promise<number> {
  const scheduler = createScheduler(server.deps, { handlers: longTermValidationHandlers(server.deps), processId });
  return scheduler.runOnce();
}

/** A time-stamping authority of its own root, valid far longer than the demo PKI: the service a deployment re-timestamps with in 2045. */
async function longLivedAuthority(clock: () => Date): Promise<{ authority: DocumentTimestampAuthority; rootPem: string }> {
  const root = await createCertificateAuthority(
    { commonName: 'Archive Time-Stamping Root', organization: 'Archive Trust Service', country: 'ZZ' },
    { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2090-01-01T00:00:00Z') },
  );
  const unit = await issueTimestampingCertificate(
    root,
    { commonName: 'Archive Time-Stamping Unit', organization: 'Archive Trust Service', country: 'ZZ' },
    { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2085-01-01T00:00:00Z') },
  );
  const loaded = {
    certificatePem: unit.certificatePem,
    chainPems: [root.certificatePem],
    privateKey: await importPrivateKey(unit.privateKeyPkcs8),
  };
  return {
    authority: { url: 'http://archive-tsa.invalid/tsa', fetch: timestampingFetch(async () => ({ ...loaded, now: clock })) },
    rootPem: root.certificatePem,
  };
}

describe('PAdES B-LTA: DSS and document timestamps after the last signature', function () {
  this.timeout(120_000);
  let server: TestServer;
  let signed: Map<string, Buffer>;
  const archived = new Map<string, Buffer>();

  before(async () => {
    server = await startTestServer();
    signed = await executeDemoAgreement(server);
    // Two processes at once: the seeded letter of intent (signed by the seed) and the agreement of
    // cooperation just executed are each extended once, by one of them.
    const handled = await Promise.all([runLongTermScheduler(server, 'process-a'), runLongTermScheduler(server, 'process-b')]);
    expect(handled[0]! + handled[1]!).to.equal(2);
    for (const party of DEMO_ORIGINALS) {
      const official = await ApiClient.signIn(server.baseUrl, `official@${party}.example`);
      archived.set(party, (await official.get(`/api/agreements/${COOPERATION}/pdf?original=${party}`)).bytes);
    }
  });
  after(async () => server?.close());

  it('when the last signature is committed, then the scheduler adds a revision with a DSS and a document timestamp to each original, once', async () => {
    for (const party of DEMO_ORIGINALS) {
      const rows = await server.db('originals').where({ agreement_id: COOPERATION, party_key: party }).orderBy('revision');
      expect(rows.map((row: { revision: number }) => row.revision)).to.deep.equal([1, 2, 3, 4]);
      // The download is the newest revision; every earlier one stays stored, and each is a prefix of the next.
      expect(archived.get(party)!.equals(await storedOriginal(server, COOPERATION, party))).to.equal(true);
      expect(archived.get(party)!.subarray(0, signed.get(party)!.length).equals(signed.get(party)!)).to.equal(true);
      expect(revisionEnds(archived.get(party)!)).to.have.length(4);
    }
    const events = await server.db('scheduled_events').where({ agreement_id: COOPERATION, kind: LONG_TERM_TIMESTAMP }).orderBy('due_at');
    expect(events.map((event: { status: string }) => event.status)).to.deep.equal(['done', 'pending']);
    expect(await runLongTermScheduler(server)).to.equal(0);
  });

  it('when the scheduler extends the originals, then the audit records it as a version of its own in the same state, and the timeline says so in the reader’s language', async () => {
    const entries = await listAuditEntries(server.db, COOPERATION);
    const extension = entries.at(-1)!;
    expect(extension).to.include({
      event: 'EXTEND_LONG_TERM_VALIDATION',
      actor: 'scheduler',
      role: 'system',
      from: 'executed',
      to: 'executed',
    });
    const [pending] = await server
      .db('scheduled_events')
      .where({ agreement_id: COOPERATION, kind: LONG_TERM_TIMESTAMP, status: 'pending' });
    const renewal = new Date(pending.due_at).toISOString().slice(0, 10);
    expect(extension.detail).to.equal(
      `sverdlovsk revision 4, gyeonggi revision 4: validation data and a document timestamp; renewal due ${renewal}`,
    );
    expect(await unexplainedAgreements(server.db, [COOPERATION])).to.deep.equal([]);

    const page = await (await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example')).get(`/agreements/${COOPERATION}`);
    expect(page.html).to.include(translate('ru', 'auditEvent.EXTEND_LONG_TERM_VALIDATION'));
    expect(page.html).to.include(translate('ru', 'timeline.longTermTimestamped', { date: formatDate('ru', renewal) }));
  });

  it('when the B-LTA original is verified, then every signature is valid, the level is B-LTA and it is provable until the unit expires', async () => {
    for (const party of DEMO_ORIGINALS) {
      const report = await verifyPdf(
        archived.get(party)!,
        await demoCertificateAuthorities(server),
        new Date(),
        await crlsPublishedHere(server.deps),
      );
      expect(report.valid, JSON.stringify(report, null, 1)).to.equal(true);
      expect(report.level).to.equal('B-LTA');
      expect(report.documentTimestamps).to.have.length(1);
      expect(report.documentTimestamps[0]).to.include({ intact: true, trusted: true, coversWholeFile: true });
      expect(report.provableUntil).to.equal(report.documentTimestamps[0]!.provableUntil);
      expect(report.revisions.map((revision) => revision.problems)).to.deep.equal([[], [], [], []]);
      for (const signature of report.signatures) expect(signature.revocation?.status).to.equal('good');
      // The signed original before it was B-T.
      const before = await verifyPdf(
        signed.get(party)!,
        await demoCertificateAuthorities(server),
        new Date(),
        await crlsPublishedHere(server.deps),
      );
      expect(before.level).to.equal('B-T');
    }
  });

  it('when the B-LTA original is uploaded on the verify page, then it names the level, the provable-until date and the document timestamp, in Russian', async () => {
    const web = await WebClient.signedIn(server.baseUrl, 'official@sverdlovsk.example');
    const form = new FormData();
    form.set('_csrf', await web.csrfTokenOf('/verify'));
    form.set('pdf', new Blob([archived.get('sverdlovsk')!], { type: 'application/pdf' }), 'sverdlovsk.pdf');
    const page = await web.send('/verify', { method: 'POST', body: form });
    expect(page.status).to.equal(200);
    expect(page.html).to.include('Уровень PAdES</dt><dd>B-LTA — данные для проверки под меткой времени документа');
    expect(page.html).to.include('Доказуем до');
    expect(page.html).to.include('Метки времени документа');
  });

  it('when pdfsig, qpdf and mutool read the B-LTA original, then both signatures stay valid and trusted and the file is sound', async () => {
    const nss = await nssDatabaseTrusting((await demoCertificateAuthorities(server)).map((authority) => authority.certificatePem));
    for (const party of DEMO_ORIGINALS) {
      const file = tempFile(`${party}-blta.pdf`, archived.get(party)!);
      const pdfsig = await tool('pdfsig', ['-nssdir', nss, file]);
      const reports = parsePdfsig(pdfsig.stdout);
      // poppler lists the document timestamp but does not check RFC 3161 tokens ("Signature Type: unknown"); openssl does, below.
      expect(
        reports.map(({ valid, trusted, totalDocument }) => ({ valid, trusted, totalDocument })),
        pdfsig.stdout,
      ).to.deep.equal([
        { valid: true, trusted: true, totalDocument: false },
        { valid: true, trusted: true, totalDocument: false },
        { valid: false, trusted: false, totalDocument: true },
      ]);
      expect(reports[2]!.commonName).to.equal('Bilateral Demo Time-Stamping Unit');
      const qpdf = await tool('qpdf', ['--check', file]);
      expect(qpdf.code, qpdf.stdout + qpdf.stderr).to.equal(0);
      expect(qpdf.stdout).to.include('No syntax or stream encoding errors found');
      // mutool checks both digests; it skips the /DocTimeStamp (not /Type /Sig) and says the revisions after each signature are edits.
      const mutool = await tool('mutool', ['sign', '-v', file]);
      expect(mutool.stdout.match(/The signature is valid/g), mutool.stdout).to.have.length(2);
      expect(mutool.stdout).not.to.match(/digest (mismatch|failure)|not valid/i);
    }
  });

  it('when LibreOffice checks the B-LTA originals, then both signatures are valid and complete (each revision after them ends with a signature’s range)', async () => {
    const files = DEMO_ORIGINALS.map((party) => tempFile(`${party}-blta-lo.pdf`, archived.get(party)!));
    for (const signatures of await libreOfficeSignatures(files)) {
      // LibreOffice does not validate RFC 3161 document timestamps: the third entry is the timestamp, which it reports not valid.
      expect(signatures.slice(0, 2)).to.deep.equal([
        { valid: true, partial: false },
        { valid: true, partial: false },
      ]);
      expect(signatures).to.have.length(3);
    }
  });

  it('when openssl checks the document timestamp token and the DSS’s CRLs and OCSP answers, then each verifies', async () => {
    const directory = scratchDirectory('bilateral-blta-');
    const caFile = path.join(directory, 'cas.pem');
    writeFileSync(caFile, (await demoCertificateAuthorities(server)).map((authority) => `${authority.certificatePem.trim()}\n`).join(''));
    for (const party of DEMO_ORIGINALS) {
      const pdf = archived.get(party)!;
      const [stamp] = documentTimestampTokens(pdf);
      writeFileSync(path.join(directory, 'token.tst'), stamp!.token);
      writeFileSync(path.join(directory, 'covered.bin'), stamp!.covered);
      const verified = await openssl(
        [
          'ts',
          '-verify',
          '-in',
          path.join(directory, 'token.tst'),
          '-token_in',
          '-data',
          path.join(directory, 'covered.bin'),
          '-CAfile',
          caFile,
        ],
        { stderr: true },
      );
      expect(verified).to.include('Verification: OK');
      const dss = readDss(await PDFDocument.load(pdf));
      expect(dss.crls.length).to.be.at.least(1);
      expect(dss.ocspResponses.length).to.be.at.least(3);
      for (const [index, response] of dss.ocspResponses.entries()) {
        const file = path.join(directory, `ocsp-${index}.der`);
        writeFileSync(file, response);
        const checked = await openssl(['ocsp', '-respin', file, '-CAfile', caFile, '-verify_other', caFile, '-resp_text'], {
          stderr: true,
        });
        expect(checked).to.include('Response verify OK');
        expect(checked).to.include('Cert Status: good');
      }
      for (const [index, crl] of dss.crls.entries()) {
        const file = path.join(directory, `crl-${index}.der`);
        writeFileSync(file, crl);
        expect(await openssl(['crl', '-inform', 'DER', '-in', file, '-CAfile', caFile, '-noout', '-verify'], { stderr: true })).to.include(
          'verify OK',
        );
      }
    }
  });

  it('when a DSS is removed (unsigned, or under a new document timestamp) or an unsigned revision follows, then verify says not valid and why', async () => {
    const pdf = archived.get('sverdlovsk')!;
    const anchors = await demoCertificateAuthorities(server);
    const { authority, rootPem } = await longLivedAuthority(() => new Date());
    const withArchive = [...anchors, { party: 'archive', certificatePem: rootPem }];

    const removed = await withoutDss(pdf);
    const unsignedRemoval = await verifyPdf(removed, withArchive);
    expect(unsignedRemoval.valid).to.equal(false);
    expect(unsignedRemoval.appendedAfterLastSignature).to.equal(true);
    expect(unsignedRemoval.revisions.at(-1)!.problems.join('; ')).to.include('it removes the DSS');

    // Anyone can get a document timestamp; it does not make the removal permitted.
    const stamped = (await addDocumentTimestamp(removed, authority)).pdf;
    const stampedRemoval = await verifyPdf(stamped, withArchive);
    expect(stampedRemoval.valid).to.equal(false);
    expect(stampedRemoval.documentTimestamps.at(-1)).to.include({ intact: true, trusted: true, coversWholeFile: true });
    expect(stampedRemoval.revisions.at(-2)!.problems.join('; ')).to.include('it removes the DSS');

    const trailing = await verifyPdf(await appendRevision(pdf), anchors);
    expect(trailing.valid).to.equal(false);
    expect(trailing.appendedAfterLastSignature).to.equal(true);
    expect(trailing.revisions.at(-1)!.problems.join('; ')).to.match(/it changes|signed by nobody/);
    const replaced = await verifyPdf(await replacePageText(pdf, 0, 'Replaced'), anchors);
    expect(replaced.valid).to.equal(false);

    // Cut back to before the DSS: the signatures are intact, but it is B-T again, not B-LTA.
    const truncated = await verifyPdf(pdf.subarray(0, revisionEnds(pdf)[2]!), anchors, new Date(), await crlsPublishedHere(server.deps));
    expect(truncated).to.include({ valid: true, level: 'B-T' });

    for (const [name, file] of [
      ['dss-removed', stamped],
      ['trailing', await appendRevision(pdf)],
    ] as const) {
      const pdfsig = await tool('pdfsig', [tempFile(`${name}.pdf`, file)]);
      // pdfsig checks only what each signature covers: it cannot tell either change (our verifier and mutool can).
      expect(
        parsePdfsig(pdfsig.stdout)
          .slice(0, 2)
          .every((report) => report.valid),
      ).to.equal(true);
    }
  });

  it('when the next extension is due, then the scheduler re-timestamps each original once more and schedules the one after', async () => {
    const [pending] = await server
      .db('scheduled_events')
      .where({ agreement_id: COOPERATION, kind: LONG_TERM_TIMESTAMP, status: 'pending' });
    // Two years from now at the latest, 90 days before the demo unit's certificate expires at the earliest.
    const dueAt = new Date(pending.due_at);
    expect(dueAt.getTime() - Date.now()).to.be.within(700 * 86_400_000, 731 * 86_400_000);
    server.clock.set(new Date(dueAt.getTime() - 60_000));
    expect(await runLongTermScheduler(server)).to.equal(0);
    server.clock.set(dueAt);
    const handled = await Promise.all([runLongTermScheduler(server, 'process-a'), runLongTermScheduler(server, 'process-b')]);
    expect(handled[0]! + handled[1]!).to.be.at.least(1);
    for (const party of DEMO_ORIGINALS) {
      const pdf = await storedOriginal(server, COOPERATION, party);
      expect(revisionEnds(pdf)).to.have.length(5);
      const report = await verifyPdf(pdf, await demoCertificateAuthorities(server), dueAt, []);
      expect(report.valid, JSON.stringify(report.signatures.map((signature) => signature.problems))).to.equal(true);
      expect(report.level).to.equal('B-LTA');
      expect(report.documentTimestamps.map((stamp) => stamp.field)).to.deep.equal(['DocumentTimestamp1', 'DocumentTimestamp2']);
    }
    const events = await server.db('scheduled_events').where({ agreement_id: COOPERATION, kind: LONG_TERM_TIMESTAMP }).orderBy('due_at');
    expect(events.map((event: { status: string }) => event.status)).to.deep.equal(['done', 'done', 'pending']);
  });

  it('when offline verification runs 30 years ahead, then the original re-timestamped in 2045 is still valid from its DSS, and the B-T one is not', async () => {
    const { authority, rootPem } = await longLivedAuthority(server.deps.now);
    const anchors = [...(await demoCertificateAuthorities(server)), { party: 'archive', certificatePem: rootPem }];
    // Before the demo unit's certificate (as long as the demo CA, 20 years) expires, a new DSS and a
    // document timestamp from a unit valid until 2085.
    server.clock.set('2045-06-01T00:00:00Z');
    await extendLongTermValidation(server.deps, COOPERATION, authority);
    const in2056 = new Date(Date.now() + 30 * 365.25 * 86_400_000);
    for (const party of DEMO_ORIGINALS) {
      const pdf = await storedOriginal(server, COOPERATION, party);
      // No CRL from anywhere: what it proves, it proves from its DSS and its timestamps alone.
      const report = await verifyPdf(pdf, anchors, in2056, []);
      expect(report.valid, JSON.stringify(report, null, 1)).to.equal(true);
      expect(report.level).to.equal('B-LTA');
      expect(report.provableUntil).to.equal('2085-01-01T00:00:00.000Z');
      for (const signature of report.signatures) {
        expect(signature).to.include({ trusted: true, validatedAtSource: 'signature-timestamp' });
        expect(signature.revocation).to.include({ status: 'good' });
      }
      const withoutLongTerm = await verifyPdf(signed.get(party)!, anchors, in2056, []);
      expect(withoutLongTerm.valid).to.equal(false);
      expect(withoutLongTerm.level).to.equal('B-T');
      for (const signature of withoutLongTerm.signatures) {
        expect(signature.problems.join('; ')).to.match(
          /signature timestamp proves nothing at .*the time-stamping unit's chain can be checked only until/,
        );
        expect(signature.problemFindings.map(({ code }) => code)).to.include('timestampExpired');
      }
      // The first document timestamp alone (demo unit) no longer proves anything in 2056 either.
      expect((await verifyPdf(archived.get(party)!, anchors, in2056, [])).valid).to.equal(false);
    }
  });
});

describe('PAdES B-LTA with a time-stamping authority whose RSA-2048 keys stop being counted on in 2031', function () {
  this.timeout(120_000);
  let server: TestServer;
  let tsa: LocalTsa;

  before(async () => {
    [server, tsa] = await Promise.all([startTestServer(), startLocalTsa()]);
    await executeDemoAgreement(server);
  });
  after(async () => Promise.all([server?.close(), tsa?.close()]));

  it('when the originals are extended with it, then the verification says they are provable until 2031, not until its certificates expire, and warns why', async () => {
    await extendLongTermValidation(server.deps, COOPERATION, { url: tsa.url, fetch });
    const anchors = [...(await demoCertificateAuthorities(server)), { party: 'outside-tsa', certificatePem: tsa.rootCa.certificatePem }];
    for (const party of DEMO_ORIGINALS) {
      const report = await verifyPdf(await storedOriginal(server, COOPERATION, party), anchors);
      expect(report.valid, JSON.stringify(report.signatures.map((signature) => signature.problems))).to.equal(true);
      expect(report.level).to.equal('B-LTA');
      // The authority's root is valid for ten years (2036); its RSA-2048 keys only until 2031.
      expect(report.provableUntil).to.equal('2031-01-01T00:00:00.000Z');
      const stamp = report.documentTimestamps.at(-1)!;
      expect(stamp).to.include({ trusted: true, provableUntil: '2031-01-01T00:00:00.000Z' });
      expect(stamp.warningFindings.map(({ code, values }) => ({ code, values }))).to.deep.equal([
        { code: 'algorithmEnding', values: { at: '2031-01-01T00:00:00.000Z', algorithm: 'RSA-2048' } },
      ]);
      // The demo PKI's own keys (RSA-3072) give the signatures' timestamps no such end.
      for (const signature of report.signatures)
        expect(signature.warningFindings.map(({ code }) => code)).to.not.include('algorithmEnding');
    }
  });

  it('when it is the only authority within the renewal margin of 2031, then the next renewal waits the interval, not a minute, and the audit and the timeline say another authority is needed', async () => {
    server.clock.set('2030-12-01T00:00:00Z');
    const { nextDueAt } = await extendLongTermValidation(server.deps, COOPERATION, { url: tsa.url, fetch });
    expect(nextDueAt?.toISOString()).to.equal('2032-11-30T00:00:00.000Z');
    const extension = (await listAuditEntries(server.db, COOPERATION)).at(-1)!;
    expect(extension.event).to.equal('EXTEND_LONG_TERM_VALIDATION');
    expect(extension.detail).to.match(
      /: validation data and a document timestamp; renewal due 2032-11-30; the time-stamping authority's timestamps are provable only until 2031-01-01: another authority is needed$/,
    );
    const page = await (await WebClient.signedIn(server.baseUrl, 'legal@gyeonggi.example')).get(`/agreements/${COOPERATION}`);
    expect(page.html).to.include(translate('ko', 'timeline.longTermTimestamped', { date: formatDate('ko', '2032-11-30') }));
    expect(page.html).to.include(translate('ko', 'timeline.longTermAuthorityEnds', { date: formatDate('ko', '2031-01-01') }));
  });
});
