import { expect } from 'chai';
import { PDFDocument } from '@cantoo/pdf-lib';
import { insertParty } from '../../db/repositories/parties.repository.ts';
import { insertUser } from '../../db/repositories/users.repository.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { DEMO_PARTIES, DEMO_USERS } from '../../server/demo/demo-parties.ts';
import {
  appendRevision,
  changeOneByteOfTitle,
  replacePageText,
  revisionEnds,
  signAsDemoSignatory,
  signUnderForeignCa,
  swapLastSignatures,
  transplantLastSignature,
} from '../signing/tampering.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import {
  COOPERATION,
  DEMO_ORIGINALS,
  LETTER_OF_INTENT,
  demoCertificateAuthorities,
  executeDemoAgreement,
  storedOriginal,
} from '../support/execute-demo.ts';
import { nssDatabaseTrusting, parsePdfsig, tempFile, tool, type SignatureReport } from '../support/pdf-tools.ts';
import { countRows } from '../support/snapshot.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';

interface Reply {
  status: number;
  contentType: string;
  body: any;
}

describe(`verify API: POST /api/verify (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let originals: Map<string, Buffer>;
  let nssdir: string;
  let letterOfIntent: Buffer;
  const tokens = new Map<string, string>();

  before(async () => {
    server = await startTestServer();
    originals = await executeDemoAgreement(server);
    nssdir = await nssDatabaseTrusting((await demoCertificateAuthorities(server)).map((ca) => ca.certificatePem));
    letterOfIntent = await storedOriginal(server, LETTER_OF_INTENT, 'sverdlovsk');
  });
  after(async () => server?.close());

  async function tokenOf(email: string): Promise<string> {
    if (!tokens.has(email)) {
      const response = await fetch(`${server.baseUrl}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: DEMO_PASSWORD }),
      });
      expect(response.status, `sign-in as ${email}`).to.equal(201);
      tokens.set(email, ((await response.json()) as { token: string }).token);
    }
    return tokens.get(email)!;
  }

  /** POSTs raw bytes as a client would (curl --data-binary @file -H 'content-type: application/pdf'). */
  async function verify(body: Buffer | string, options: { as?: string | null; contentType?: string | null } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    const as = options.as === undefined ? 'official@sverdlovsk.example' : options.as;
    if (as !== null) headers.authorization = `Bearer ${await tokenOf(as)}`;
    const contentType = options.contentType === undefined ? 'application/pdf' : options.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    const response = await fetch(`${server.baseUrl}/api/verify`, { method: 'POST', headers, body });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, contentType: type, body: /json/.test(type) ? JSON.parse(text) : text };
  }

  /**
   * pdfsig's verdict on the signatures and their chains. Without its online OCSP check: revocation is
   * what /api/verify is tested for elsewhere, and pdfsig's request to this server, slow under a loaded
   * CI run, once made a trusted certificate read as not trusted.
   */
  async function pdfsig(pdf: Buffer): Promise<SignatureReport[]> {
    const { stdout } = await tool('pdfsig', ['-no-ocsp', '-nssdir', nssdir, tempFile('checked.pdf', pdf)]);
    return parsePdfsig(stdout);
  }

  function expectProblem(reply: Reply, status: number, code: string): void {
    expect(reply.status, JSON.stringify(reply.body)).to.equal(status);
    expect(reply.contentType).to.match(/^application\/problem\+json/);
    expect(reply.body).to.include({ status, code });
    expect(reply.body.detail).to.be.a('string').and.not.empty;
  }

  const summary = (reply: Reply) =>
    reply.body.signatures.map(({ party, intact, trusted, coversWholeFile }: Record<string, unknown>) => ({
      party,
      intact,
      trusted,
      coversWholeFile,
    }));

  for (const party of DEMO_ORIGINALS) {
    it(`when the executed ${party} original is posted, then two intact, trusted signatures by the two parties and the stored original named; pdfsig agrees`, async () => {
      const pdf = originals.get(party)!;

      const reply = await verify(pdf, { as: `official@${party}.example` });

      expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
      expect(reply.body).to.have.all.keys(
        'sha256',
        'knownOriginal',
        'signatures',
        'documentTimestamps',
        'level',
        'provableUntil',
        'appendedAfterLastSignature',
        'revisions',
        'valid',
      );
      // Signed and timestamped, before the scheduler adds its DSS and document timestamp (test/signing/long-term.test.ts).
      expect(reply.body).to.include({ level: 'B-T' });
      expect(reply.body.documentTimestamps).to.deep.equal([]);
      expect(reply.body.revisions.map(({ signedBy, problems }: any) => [signedBy, problems])).to.deep.equal([
        [null, []],
        // Each original holds both fields, its own party's (Signature1) first; Sverdlovsk signs first.
        [party === 'sverdlovsk' ? 'Signature1' : 'Signature2', []],
        [party === 'sverdlovsk' ? 'Signature2' : 'Signature1', []],
      ]);
      expect(reply.body).to.include({ valid: true, appendedAfterLastSignature: false });
      expect(reply.body.knownOriginal).to.deep.equal({
        agreementId: COOPERATION,
        title: 'Agreement of Cooperation — Sverdlovsk Region / Gyeonggi Province',
        state: 'executed',
        original: party,
        revision: 3,
        final: true,
      });
      expect(summary(reply)).to.deep.equal([
        { party: 'sverdlovsk', intact: true, trusted: true, coversWholeFile: false },
        { party: 'gyeonggi', intact: true, trusted: true, coversWholeFile: true },
      ]);
      const [first] = reply.body.signatures;
      expect(first).to.have.all.keys(
        'field',
        'signer',
        'party',
        'signingTime',
        'timestamp',
        'validatedAt',
        'validatedAtSource',
        'intact',
        'trusted',
        'chain',
        'revocation',
        'subFilter',
        'byteRange',
        'coversWholeFile',
        'problems',
        'warnings',
        'problemFindings',
        'warningFindings',
      );
      expect(first.signer).to.include({ name: 'Андрей Соболев', email: 'signatory@sverdlovsk.example' });
      expect(first.chain).to.deep.equal([first.signer.subject, first.signer.issuer]);
      expect(first.problems).to.deep.equal([]);
      expect(first.warnings).to.deep.equal([]);
      expect(first.problemFindings).to.deep.equal([]);
      expect(first.warningFindings).to.deep.equal([]);
      expect(first.revocation).to.deep.equal({ status: 'good', source: `${server.baseUrl}/pki/${first.party}/crl` });
      expect(first).to.include({ validatedAtSource: 'signature-timestamp', validatedAt: first.timestamp.time });
      expect(Date.parse(first.signingTime)).to.be.closeTo(Date.now(), 10 * 60_000);

      const checked = await pdfsig(pdf);
      expect(checked.map(({ commonName, valid, trusted, totalDocument }) => ({ commonName, valid, trusted, totalDocument }))).to.deep.equal(
        [
          { commonName: 'Андрей Соболев', valid: true, trusted: true, totalDocument: false },
          { commonName: '박정의', valid: true, trusted: true, totalDocument: true },
        ],
      );
    });
  }

  describe('tampering, caught by /api/verify and by pdfsig', () => {
    it('when one byte of the signed content (the Info title) is changed, then neither signature is intact', async () => {
      const { pdf } = changeOneByteOfTitle(originals.get('sverdlovsk')!);

      const reply = await verify(pdf);

      expect(reply.status).to.equal(200);
      expect(reply.body).to.include({ valid: false, knownOriginal: null });
      expect(summary(reply).map((signature: { intact: boolean }) => signature.intact)).to.deep.equal([false, false]);
      expect((await pdfsig(pdf)).map((signature) => signature.valid)).to.deep.equal([false, false]);
    });

    it('when a revision is appended after the last signature, then it is reported and no signature covers the file', async () => {
      const pdf = await appendRevision(originals.get('gyeonggi')!);

      const reply = await verify(pdf);

      expect(reply.body).to.include({ valid: false, appendedAfterLastSignature: true, knownOriginal: null });
      expect(summary(reply)).to.deep.equal([
        { party: 'sverdlovsk', intact: true, trusted: true, coversWholeFile: false },
        { party: 'gyeonggi', intact: true, trusted: true, coversWholeFile: false },
      ]);
      expect((await pdfsig(pdf)).map(({ valid, totalDocument }) => ({ valid, totalDocument }))).to.deep.equal([
        { valid: true, totalDocument: false },
        { valid: true, totalDocument: false },
      ]);
    });

    it("when the letter of intent's signature is copied into the agreement's signature slot, then that signature is not intact", async () => {
      const pdf = transplantLastSignature(originals.get('sverdlovsk')!, letterOfIntent);

      const reply = await verify(pdf);

      expect(reply.body).to.include({ valid: false, appendedAfterLastSignature: false });
      expect(summary(reply)).to.deep.equal([
        { party: 'sverdlovsk', intact: true, trusted: true, coversWholeFile: false },
        { party: 'gyeonggi', intact: false, trusted: true, coversWholeFile: true },
      ]);
      expect((await pdfsig(pdf)).map((signature) => signature.valid)).to.deep.equal([true, false]);
    });

    it("when a signatory's certificate was not issued by the party's CA, then it is not trusted and belongs to no party", async () => {
      const frozen = await storedOriginal(server, COOPERATION, 'sverdlovsk', 1);
      const row = await server.db('originals').where({ agreement_id: COOPERATION, party_key: 'sverdlovsk', revision: 1 }).first();
      const pdf = await signUnderForeignCa(server, frozen, JSON.parse(row.signature_fields));

      const reply = await verify(pdf);

      expect(reply.body).to.include({ valid: false, appendedAfterLastSignature: false, knownOriginal: null });
      expect(summary(reply)).to.deep.equal([
        { party: null, intact: true, trusted: false, coversWholeFile: false },
        { party: 'gyeonggi', intact: true, trusted: true, coversWholeFile: true },
      ]);
      expect(reply.body.signatures[0].signer.name).to.equal('Андрей Соболев');
      expect(reply.body.signatures[0].problems.join()).to.match(/sverdlovsk's CA/);
      // The same finding with its code and the party by its key, for readers that say it in their own language.
      expect(reply.body.signatures[0].problemFindings).to.deep.equal([
        { code: 'impersonated', values: { party: 'sverdlovsk' }, message: reply.body.signatures[0].problems[0] },
      ]);
      expect((await pdfsig(pdf)).map(({ commonName, valid, trusted }) => ({ commonName, valid, trusted }))).to.deep.equal([
        { commonName: 'Андрей Соболев', valid: true, trusted: false },
        { commonName: '박정의', valid: true, trusted: true },
      ]);
    });
  });

  describe('revision analysis, caught by /api/verify (pdfsig cannot tell; mutool sees the later edits)', () => {
    it('when the text of page 1 is replaced in an appended revision signed with a trusted certificate, then not valid, naming the revision and the change', async () => {
      const pdf = await signAsDemoSignatory(
        server,
        await replacePageText(originals.get('sverdlovsk')!, 0, 'Nothing was agreed.'),
        'gyeonggi',
      );

      const reply = await verify(pdf);

      expect(reply.status).to.equal(200);
      expect(reply.body).to.include({ valid: false, appendedAfterLastSignature: false, knownOriginal: null });
      expect(reply.body.signatures.map(({ intact, trusted }: any) => intact && trusted)).to.deep.equal([true, true, true]);
      const [changed] = reply.body.revisions.filter(({ problems }: any) => problems.length > 0);
      expect(changed.number).to.equal(4);
      expect(changed.problems.join('; ')).to.match(/\/Contents of page 1/);
      // pdfsig is fooled: every signature valid, the last covering the file.
      expect((await pdfsig(pdf)).map(({ valid, trusted }) => valid && trusted)).to.deep.equal([true, true, true]);
      const { stdout } = await tool('mutool', ['sign', '-v', tempFile('forged.pdf', pdf)]);
      expect(stdout.match(/The signature is valid but there have been edits since signing/g)).to.have.length(2);
    });

    it("when the last signatures' /Contents are swapped between the two originals, then in each the swapped signature is not intact", async () => {
      const swapped = swapLastSignatures(originals.get('sverdlovsk')!, originals.get('gyeonggi')!);

      for (const pdf of swapped) {
        const reply = await verify(pdf);

        expect(reply.body).to.include({ valid: false, knownOriginal: null });
        expect(summary(reply).map(({ intact }: { intact: boolean }) => intact)).to.deep.equal([true, false]);
        expect((await pdfsig(pdf)).map((signature) => signature.valid)).to.deep.equal([true, false]);
      }
    });

    it('when the frozen original is signed again by its genuine signatory outside Bilateral, then the signature is sound but revision 2 is not the one stored', async () => {
      const frozen = await storedOriginal(server, COOPERATION, 'sverdlovsk', 1);
      const pdf = await signAsDemoSignatory(server, frozen, 'sverdlovsk');

      const reply = await verify(pdf);

      expect(reply.body.signatures.map(({ intact, trusted }: any) => intact && trusted)).to.deep.equal([true]);
      expect(reply.body.valid).to.equal(false);
      expect(reply.body.revisions[1].problems.join()).to.match(
        /not revision 2 of sverdlovsk's original of agreement 2 as Bilateral stored it/,
      );
      expect(reply.body.revisions[1].problemFindings.map(({ code, values }: any) => ({ code, values }))).to.deep.equal([
        { code: 'notStoredRevision', values: { revision: '2', party: 'sverdlovsk' } },
      ]);
    });

    it('when the original is cut at each revision end, then each cut is the stored revision it is, not the final original', async () => {
      const pdf = originals.get('gyeonggi')!;

      const replies = [];
      for (const revision of [1, 2, 3]) {
        const stored = await storedOriginal(server, COOPERATION, 'gyeonggi', revision);
        const end = revisionEnds(pdf).find((at) => at >= stored.length)!;
        // Each stored revision is the file cut at a revision end (its end-of-line kept or not).
        expect(end - stored.length).to.be.within(0, 2);
        expect(pdf.subarray(0, stored.length).equals(stored)).to.equal(true);
        replies.push(await verify(pdf.subarray(0, stored.length), { as: 'official@gyeonggi.example' }));
      }

      expect(
        replies.map((reply) => [reply.body.signatures.length, reply.body.knownOriginal?.revision, reply.body.knownOriginal?.final]),
      ).to.deep.equal([
        [0, 1, false],
        [1, 2, false],
        [2, 3, true],
      ]);
    });
  });

  it('when the frozen, unsigned revision is posted, then it has no signatures, is not valid, and is named as revision 1, not final', async () => {
    const reply = await verify(await storedOriginal(server, COOPERATION, 'gyeonggi', 1), { as: 'legal@gyeonggi.example' });

    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.include({ signatures: [], valid: false, appendedAfterLastSignature: false });
    expect(reply.body.knownOriginal).to.include({ agreementId: COOPERATION, original: 'gyeonggi', revision: 1, final: false });
  });

  it('when an unsigned PDF Bilateral never stored is posted, then no signatures, not valid, not known', async () => {
    const blank = await PDFDocument.create();
    blank.addPage();

    const reply = await verify(Buffer.from(await blank.save()));

    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.include({ signatures: [], valid: false, knownOriginal: null });
  });

  it('when a user of a party that is not a party to the agreement posts its original, then the signatures are verified but the original is not named', async () => {
    const now = new Date().toISOString();
    await insertParty(server.db, { ...DEMO_PARTIES[0]!, key: 'outsider' }, now);
    await insertUser(
      server.db,
      {
        ...DEMO_USERS[0]!,
        email: 'legal@outsider.example',
        party: 'outsider',
        displayName: 'Outsider',
        passwordHash: await hashPassword(DEMO_PASSWORD),
      },
      now,
    );

    const reply = await verify(originals.get('sverdlovsk')!, { as: 'legal@outsider.example' });

    expect(reply.status).to.equal(200);
    expect(reply.body).to.include({ valid: true, knownOriginal: null });
    expect(JSON.stringify(reply.body)).to.not.include('Agreement of Cooperation');
  });

  describe('refused requests', () => {
    it('when nobody is signed in, then 401', async () => {
      expectProblem(await verify(originals.get('sverdlovsk')!, { as: null }), 401, 'UNAUTHENTICATED');
    });

    it('when the body is not a PDF, is empty or is sent as another type, then 400 or 415 and nothing is stored', async () => {
      const before = await Promise.all(['originals', 'signatures', 'audit_events'].map((table) => countRows(server.db, table)));

      expectProblem(await verify('this is not a PDF'), 400, 'MALFORMED_REQUEST');
      expectProblem(await verify(Buffer.alloc(0)), 400, 'MALFORMED_REQUEST');
      expectProblem(await verify(Buffer.from('%PDF-1.7\ngarbage\n%%EOF\n')), 400, 'MALFORMED_REQUEST');
      expectProblem(await verify(originals.get('sverdlovsk')!, { contentType: 'application/octet-stream' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectProblem(await verify('{"pdf": "JVBERi0="}', { contentType: 'application/json' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectProblem(await verify(originals.get('sverdlovsk')!, { contentType: null }), 415, 'UNSUPPORTED_MEDIA_TYPE');

      expect(await Promise.all(['originals', 'signatures', 'audit_events'].map((table) => countRows(server.db, table)))).to.deep.equal(
        before,
      );
    });

    it('when the body is larger than 30 MB, then 413', async () => {
      expectProblem(await verify(Buffer.alloc(31 * 1024 * 1024, 0x20)), 413, 'PAYLOAD_TOO_LARGE');
    });
  });
});
