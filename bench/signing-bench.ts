import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { insertOriginalRevision, type OriginalRevision } from '../db/repositories/originals.repository.ts';
import { findUserByEmail } from '../db/repositories/users.repository.ts';
import { buildAgreementDocument } from '../server/agreements/agreement-document.ts';
import { sha256 } from '../server/agreements/freeze-originals.ts';
import { findAgreementRecord } from '../server/agreements/load-agreement.ts';
import { type RenderedPdf, renderAgreementPdf } from '../server/pdf/render-pdf.ts';
import { extendLongTermValidation } from '../server/signatures/extend-long-term-validation.ts';
import { signAgreement as signAgreementOnServer } from '../server/signatures/sign-agreement.ts';
import { PadesCmsSigner } from '../server/signing/cms-signer.ts';
import { addDocumentTimestamp, certificatesOf } from '../server/signing/long-term-validation.ts';
import { createCertificateAuthority, importPrivateKey, issueSigningCertificate } from '../server/signing/pki.ts';
import { answerOcspRequest, buildCrl, ocspRequestFor } from '../server/signing/revocation-data.ts';
import { addSignature, withEmptySignatureFields } from '../server/signing/sign-pdf.ts';
import { startLocalTsa } from '../test/signing/local-tsa.ts';
import { ApiClient } from '../test/support/api-client.ts';
import { buildAgreementSource } from '../test/support/documents.ts';
import { COOPERATION, HAPPY_PATH } from '../test/support/execute-demo.ts';
import { DEMO_PASSWORD, startTestServer } from '../test/support/server.ts';
import { formatTable, isMain, percentile, writeResults, type BenchRow } from './bench-results.ts';

/**
 * The signing benchmark (`npm run bench` runs it with the others): the time to sign both originals by both parties of the demo agreement
 * of cooperation (ru/ko/en), four PAdES signatures in all, warm, as medians:
 *   - the signing itself in-process (incremental revision + CMS, RSA-2048), without and with an RFC 3161
 *     timestamp from a local `openssl ts` authority, and with B-LTA (then a DSS and a document timestamp
 *     per original, as the scheduler adds them; the per-signature figure carries that share);
 *   - the whole SIGN request over HTTP on SQLite: password confirmation (scrypt), certificate checks,
 *     both originals signed, one transaction.
 * Run alone it prints a table and writes bench/results/signing-bench.json; `npm run bench` (run-all)
 * takes its rows into the one table. Asserts nothing.
 */

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WARM_UP = 1;
const VALIDITY = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') };

interface Row {
  readonly name: string;
  /** Median time to sign both originals by both parties (4 signatures). */
  readonly agreementMs: number;
  readonly p95Ms: number;
  /** The same, per signature. */
  readonly perSignatureMs: number;
  readonly runs: number;
}

const median = (values: readonly number[]) => percentile(values, 50);

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** The demo agreement of cooperation in ru | ko | en: both final originals, in the parties' order (the Sverdlovsk one first). */
export function demoFinalOriginals(): Promise<RenderedPdf[]> {
  const source = buildAgreementSource({ languages: ['ru', 'ko', 'en'] });
  return Promise.all(
    source.parties.map(async (party) =>
      renderAgreementPdf(buildAgreementDocument(source, { original: party.key, date: '2018-07-20', final: true })),
    ),
  );
}

/** Both final originals and a signer per party, made once. */
async function fixtures() {
  const source = buildAgreementSource({ languages: ['ru', 'ko', 'en'] });
  const originals = await demoFinalOriginals();
  const signers = await Promise.all(
    source.parties.map(async (party) => {
      const ca = await createCertificateAuthority(
        { commonName: `${party.key} Bench CA`, organization: party.key, country: 'ZZ' },
        VALIDITY,
      );
      const issued = await issueSigningCertificate(
        ca,
        { commonName: party.key, organization: party.key, country: 'ZZ', email: `signatory@${party.key}.example` },
        VALIDITY,
      );
      return { party: party.key, ca, issued, privateKey: await importPrivateKey(issued.privateKeyPkcs8) };
    }),
  );
  return { originals, signers };
}

/** Each party signs each original in turn, as the SIGN events do. */
async function signAgreement(
  originals: Awaited<ReturnType<typeof fixtures>>['originals'],
  signers: Awaited<ReturnType<typeof fixtures>>['signers'],
  timestampAuthorityUrl?: string,
): Promise<Buffer[]> {
  const pdfs = originals.map((original) => original.pdf);
  for (const signer of signers) {
    const cms = new PadesCmsSigner({
      certificatePem: signer.issued.certificatePem,
      chainPems: [signer.ca.certificatePem],
      privateKey: signer.privateKey,
      timestampAuthority: timestampAuthorityUrl ? { url: timestampAuthorityUrl, fetch } : undefined,
    });
    for (const [index, original] of originals.entries()) {
      const field = original.signatureFields.find((candidate) => candidate.party === signer.party)!;
      pdfs[index] = await addSignature(pdfs[index]!, {
        signer: cms,
        signingTime: new Date('2018-07-20T09:00:00Z'),
        name: signer.party,
        reason: 'Bench',
        location: '',
        field: {
          page: field.page,
          rect: { x: field.x, y: field.y, width: field.width, height: field.height },
          lines: [signer.party, 'Bench'],
        },
      });
    }
  }
  return pdfs;
}

/**
 * B-LTA as the scheduler makes it after the last signature: both parties sign both originals with
 * timestamps, then each original gets its DSS (the certificates, each CA's CRL and an OCSP answer per
 * signer) and a document timestamp.
 */
async function signAgreementLta(
  originals: Awaited<ReturnType<typeof fixtures>>['originals'],
  signers: Awaited<ReturnType<typeof fixtures>>['signers'],
  timestampAuthorityUrl: string,
): Promise<void> {
  const pdfs = await signAgreement(originals, signers, timestampAuthorityUrl);
  const now = new Date('2018-07-20T09:05:00Z');
  const issuers = await Promise.all(
    signers.map(async (signer) => ({
      certificatePem: signer.ca.certificatePem,
      privateKey: await importPrivateKey(signer.ca.privateKeyPkcs8),
    })),
  );
  for (const pdf of pdfs) {
    const crls = await Promise.all(issuers.map((issuer) => buildCrl(issuer, [], now)));
    const ocspResponses = await Promise.all(
      signers.map(async (signer, index) =>
        answerOcspRequest(
          issuers[index]!,
          () => undefined,
          await ocspRequestFor(signer.issued.certificatePem, signer.ca.certificatePem),
          now,
        ),
      ),
    );
    const certificates = [...(await certificatesOf(pdf)), ...signers.map((signer) => new X509Certificate(signer.ca.certificatePem).raw)];
    await addDocumentTimestamp(pdf, { url: timestampAuthorityUrl, fetch }, { certificates, crls, ocspResponses });
  }
}

async function inProcess(name: string, timestampAuthorityUrl?: string, longTerm = false): Promise<Row> {
  const { originals, signers } = await fixtures();
  const sign = () =>
    longTerm && timestampAuthorityUrl
      ? signAgreementLta(originals, signers, timestampAuthorityUrl)
      : signAgreement(originals, signers, timestampAuthorityUrl);
  for (let run = 0; run < WARM_UP; run += 1) await sign();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) times.push(await timed(sign));
  return { name, agreementMs: median(times), p95Ms: percentile(times, 95), perSignatureMs: median(times) / 4, runs: RUNS };
}

/** A fresh agreement of cooperation carried to signing over HTTP, then both SIGN requests timed. */
async function overHttp(): Promise<Row> {
  const server = await startTestServer();
  try {
    const clients = new Map<string, ApiClient>();
    for (const [email] of HAPPY_PATH) if (!clients.has(email)) clients.set(email, await ApiClient.signIn(server.baseUrl, email));
    const times: number[] = [];
    for (let run = 0; run < WARM_UP + RUNS; run += 1) {
      const created = await clients
        .get('legal@sverdlovsk.example')!
        .post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] });
      if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
      let version: number = created.body.version;
      let elapsed = 0;
      for (const [email, type] of HAPPY_PATH) {
        const body = { type, expectedVersion: version, ...(type === 'SIGN' && { password: DEMO_PASSWORD }) };
        const start = performance.now();
        const response = await clients.get(email)!.post(`/api/agreements/${created.body.id}/events`, body);
        if (type === 'SIGN') elapsed += performance.now() - start;
        if (response.status !== 200) throw new Error(`${type} by ${email}: ${JSON.stringify(response.body)}`);
        version = response.body.version;
      }
      if (run >= WARM_UP) times.push(elapsed);
    }
    return {
      name: 'SIGN ×2 over HTTP (SQLite): password, checks, sign, commit',
      agreementMs: median(times),
      p95Ms: percentile(times, 95),
      perSignatureMs: median(times) / 4,
      runs: RUNS,
    };
  } finally {
    await server.close();
  }
}

/** One original's stored revisions, oldest first: the frozen original, one per signature, the DSS with the document timestamp. */
export type OriginalRevisions = readonly Buffer[];

/**
 * Final originals rendered here (one per party, in the demo agreement's party order) carried to B-LTA
 * as the demo server carries its own: frozen with every party's empty signature field
 * (withEmptySignatureFields, as freeze-originals does), stored as the demo agreement of cooperation's
 * revision 1, signed by each party's signatory with the key and certificate the demo PKI gave them and
 * timestamped by the demo time-stamping unit (the SIGN effect, signAgreement), then given the DSS and
 * document timestamp the scheduler adds after the last signature (extendLongTermValidation). The bytes
 * are the server's; only the rendering (without the audit pages the server appends) is the caller's.
 */
export async function longTermOriginals(finals: readonly RenderedPdf[]): Promise<OriginalRevisions[]> {
  const server = await startTestServer();
  try {
    const { deps } = server;
    const record = await findAgreementRecord(deps.db, COOPERATION);
    if (!record || record.parties.length !== finals.length)
      throw new Error('the demo agreement of cooperation is not between these parties');
    const at = deps.now();
    const revisions = new Map<string, OriginalRevision[]>();
    for (const [index, party] of record.parties.entries()) {
      const { pdf: rendered, signatureFields } = finals[index]!;
      const fields = signatureFields.map((field) => ({
        page: field.page,
        rect: { x: field.x, y: field.y, width: field.width, height: field.height },
      }));
      const pdf = await withEmptySignatureFields(rendered, fields);
      const frozen = {
        agreementId: COOPERATION,
        party,
        revision: 1,
        sha256: sha256(pdf),
        pdf,
        signatureFields,
        createdAt: at.toISOString(),
      };
      await insertOriginalRevision(deps.db, frozen);
      revisions.set(party, [frozen]);
    }
    const add = async (added: readonly OriginalRevision[]) => {
      for (const revision of added) {
        await insertOriginalRevision(deps.db, revision);
        revisions.get(revision.party)!.push(revision);
      }
    };
    for (const party of record.parties) {
      const signatory = await findUserByEmail(deps.db, `signatory@${party}.example`);
      if (!signatory) throw new Error(`the demo has no signatory of ${party}`);
      await add((await signAgreementOnServer(deps, record, signatory, at)).revisions);
    }
    // extendLongTermValidation stores its revisions itself.
    for (const revision of (await extendLongTermValidation(deps, COOPERATION)).revisions) revisions.get(revision.party)!.push(revision);
    return record.parties.map((party) => revisions.get(party)!.map((revision) => revision.pdf));
  } finally {
    await server.close();
  }
}

/** Every row as run-all prints it: p50/p95 per agreement (4 signatures), the per-signature median in the note. */
export async function runSigningBench(): Promise<BenchRow[]> {
  const rows: Row[] = [];
  rows.push(await inProcess('in-process: revision + CMS (RSA-2048)'));
  const tsa = await startLocalTsa();
  try {
    rows.push(await inProcess('in-process, with RFC 3161 timestamp (local openssl ts)', tsa.url));
    rows.push(await inProcess('in-process, B-LTA: timestamped, then DSS + document timestamp per original', tsa.url, true));
  } finally {
    await tsa.close();
  }
  rows.push(await overHttp());
  return rows.map((row) => ({
    benchmark: 'signing',
    case: `${row.name}; both originals by both parties`,
    samples: row.runs,
    p50Ms: row.agreementMs,
    p95Ms: row.p95Ms,
    note: `${row.perSignatureMs.toFixed(1)} ms per signature (4 per agreement)`,
  }));
}

if (isMain(import.meta.url)) {
  const rows = await runSigningBench();
  console.log(formatTable(rows));
  console.log(`  written to ${path.relative(process.cwd(), writeResults('signing-bench', rows))}`);
}
