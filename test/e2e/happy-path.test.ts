import { expect } from 'chai';
import { ApiClient } from '../support/api-client.ts';
import { buildAgreementDocument } from '../../server/agreements/agreement-document.ts';
import { sha256 } from '../../server/agreements/freeze-originals.ts';
import { findAgreementRecord, findTextVersion, loadAgreementSource } from '../../server/agreements/load-agreement.ts';
import { renderAgreementPdf } from '../../server/pdf/render-pdf.ts';
import { nssDatabaseTrusting, parsePdfsig, tempFile, tool } from '../support/pdf-tools.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { COOPERATION, demoCertificateAuthorities, executeDemoAgreement, HAPPY_PATH } from '../support/execute-demo.ts';

const normalize = (text: string) => text.replace(/\s+/g, ' ');

describe('end to end: the agreement of cooperation from draft to two signatures', () => {
  let server: TestServer;
  const originals = new Map<string, string>();
  let nssdir: string;

  before(async () => {
    server = await startTestServer();
    // Each government downloads its original from its own side.
    for (const [party, pdf] of await executeDemoAgreement(server)) originals.set(party, tempFile(`${party}.pdf`, pdf));
    nssdir = await nssDatabaseTrusting((await demoCertificateAuthorities(server)).map((authority) => authority.certificatePem));
  });
  after(async () => server?.close());

  it('when executed, then the audit records every event with who, party, role and states', async () => {
    const client = await ApiClient.signIn(server.baseUrl, 'official@gyeonggi.example');
    const audit = (await client.get(`/api/agreements/${COOPERATION}/audit`)).body;
    const events = audit.filter((entry: { event: string }) => entry.event !== 'CREATE');
    expect(events.map(({ actor, event, to }: Record<string, string>) => [actor, event, to])).to.deep.equal(
      HAPPY_PATH.map((step) => [...step]),
    );
    expect(events[0]).to.include({ party: 'sverdlovsk', role: 'legal', from: 'drafting' });
    expect(events.at(-1)).to.include({ party: 'gyeonggi', role: 'signatory', from: 'signing', to: 'executed' });
    const agreement = (await client.get(`/api/agreements/${COOPERATION}`)).body;
    expect(agreement.signatures.map((signature: { party: string }) => signature.party)).to.deep.equal(['sverdlovsk', 'gyeonggi']);
  });

  for (const party of ['sverdlovsk', 'gyeonggi']) {
    describe(`the ${party} original`, () => {
      it('when checked by pdfsig, then it has two valid PAdES signatures by the two signatories, the last covering the whole file', async () => {
        const { stdout } = await tool('pdfsig', [originals.get(party)!]);
        const signatures = parsePdfsig(stdout);
        expect(signatures.map((signature) => signature.commonName)).to.deep.equal(['Андрей Соболев', '박정의']);
        expect(signatures.every((signature) => signature.valid)).to.equal(true);
        expect(signatures.every((signature) => signature.subFilter === 'ETSI.CAdES.detached')).to.equal(true);
        expect(signatures.map((signature) => signature.totalDocument)).to.deep.equal([false, true]);
      });

      it('when pdfsig trusts the two demo CAs, then both certificates are trusted', async () => {
        const { stdout } = await tool('pdfsig', ['-nssdir', nssdir, originals.get(party)!]);
        expect(parsePdfsig(stdout).map((signature) => signature.trusted)).to.deep.equal([true, true]);
      });

      it('when checked by pdffonts, then every font is embedded', async () => {
        const { stdout } = await tool('pdffonts', [originals.get(party)!]);
        const rows = stdout
          .split('\n')
          .slice(2)
          .filter((line) => line.trim() !== '');
        expect(rows).to.not.be.empty;
        for (const row of rows) expect(row, row).to.match(/\s+yes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/);
        for (const row of rows) expect(row.split(/\s+/).at(-5), row).to.equal('yes');
      });

      it('when read by pdftotext, then the Russian and Korean titles and party names come out as text', async () => {
        const { stdout } = await tool('pdftotext', [originals.get(party)!, '-']);
        const text = normalize(stdout);
        for (const expected of [
          'Соглашение между',
          'о торгово-экономическом, научно-техническом и культурном сотрудничестве',
          '통상·경제·과학기술 및 문화 협력에 관한 협정',
          'Правительство Свердловской области',
          'провинцией Кёнгидо',
          '스베르들롭스크주 정부',
          '경기도',
          'Agreement between',
        ]) {
          expect(text).to.include(expected);
        }
      });

      it('when checked by qpdf, then there are no errors and no warnings', async () => {
        const { stdout, stderr, code } = await tool('qpdf', ['--check', originals.get(party)!]);
        expect(code, stdout + stderr).to.equal(0);
        expect(stderr).to.equal('');
        expect(stdout).to.not.match(/WARNING/i);
      });
    });
  }

  it('when each original is read, then its own party leads (the alternat)', async () => {
    const firstLine = async (party: string) =>
      (await tool('pdftotext', ['-layout', '-f', '1', '-l', '1', originals.get(party)!, '-'])).stdout
        .split('\n')
        .find((line) => /\S/.test(line) && !line.includes('|'))!;
    expect(await firstLine('sverdlovsk')).to.match(/^\s*Соглашение между.*대한민국|^\s*Соглашение между/);
    expect((await firstLine('sverdlovsk')).indexOf('Соглашение')).to.be.lessThan((await firstLine('sverdlovsk')).search(/[가-힣]/));
    expect((await firstLine('gyeonggi')).search(/[가-힣]/)).to.be.lessThan((await firstLine('gyeonggi')).indexOf('Соглашение'));
    const titles = async (party: string) => normalize((await tool('pdfinfo', [originals.get(party)!])).stdout);
    expect(await titles('sverdlovsk')).to.include('Соглашение между Правительством Свердловской области');
    expect(await titles('gyeonggi')).to.include('Соглашение между провинцией Кёнгидо');
  });
});

describe('the HTML preview', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('when an original is previewed, then it is the same text as the PDF, under a policy that lets nothing load or run', async () => {
    const client = await ApiClient.signIn(server.baseUrl, 'official@gyeonggi.example');
    const response = await client.get(`/api/agreements/${COOPERATION}/preview?original=gyeonggi`);
    expect(response.status).to.equal(200);
    expect(response.contentType).to.match(/^text\/html/);
    expect(response.headers.get('content-security-policy')).to.match(/^default-src 'none'; style-src 'sha256-/);
    const html: string = response.body;
    expect(html).to.include('<html lang="ko-KR">');
    expect(normalize(html)).to.include('통상·경제·과학기술 및 문화 협력에 관한 협정');
    expect(html).to.not.match(/<script/i);
    const { stdout } = await tool('pdftotext', [
      tempFile('draft.pdf', (await client.get(`/api/agreements/${COOPERATION}/pdf?original=gyeonggi`)).bytes),
      '-',
    ]);
    for (const heading of ['제1조', '제11조', 'Статья 11', 'Article 11']) {
      expect(html).to.include(heading);
      expect(stdout).to.include(heading);
    }
  });
});

describe('the audit printed in the originals', () => {
  let server: TestServer;
  let originals: Map<string, Buffer>;
  before(async () => {
    server = await startTestServer();
    originals = await executeDemoAgreement(server);
  });
  after(async () => server?.close());

  it('when an executed original is read, then its last pages carry the audit and hashes that can be reproduced from the database', async () => {
    const { stdout } = await tool('pdftotext', ['-raw', tempFile('sverdlovsk.pdf', originals.get('sverdlovsk')!), '-']);
    const text = normalize(stdout);
    expect(text).to.include('Audit trail').and.include('Журнал событий').and.include('감사 기록');
    for (const [, email, event] of HAPPY_PATH.slice(0, 5).map(([who, type]) => [null, who, type]))
      expect(text).to.include(`${email} `).and.include(` ${event} `);

    const record = (await findAgreementRecord(server.db, COOPERATION))!;
    const frozen = await server.db('text_versions').where({ agreement_id: COOPERATION }).orderBy('version', 'desc').first();
    expect(text).to.include(`SHA-256 of the final text: ${frozen.content_hash}`);
    // The body of each original renders again, byte for byte, from what the database holds.
    const frozenAt: string = (await server.db('originals').where({ agreement_id: COOPERATION, revision: 1 }).first()).created_at;
    const source = await loadAgreementSource(server.db, record, (await findTextVersion(server.db, COOPERATION))!.text);
    for (const party of ['sverdlovsk', 'gyeonggi']) {
      const body = await renderAgreementPdf(buildAgreementDocument(source, { original: party, date: frozenAt.slice(0, 10), final: true }));
      expect(text).to.include(`SHA-256 of the ${party} original without these pages: ${sha256(body.pdf)}`);
    }
  });
});
