import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { strFromU8, unzipSync } from 'fflate';
import { ApiClient, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { LibreOffice } from '../support/libreoffice.ts';
import { tool } from '../support/pdf-tools.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * LibreOffice as the outside judge of the Word round trip: it opens and converts what Bilateral
 * exports, a lawyer's edits made in it with Track Changes come back as suggestions on the right
 * clauses and languages, and it reads the tracked changes of a redline. One LibreOffice for the file.
 */
describe(`Word round trip judged by LibreOffice (${TEST_DATABASE_KIND})`, function () {
  this.timeout(300_000);
  let server: TestServer;
  let office: LibreOffice;
  let legal: ApiClient;
  let legalGyeonggi: ApiClient;
  let id: number;

  const download = async (client: ApiClient, query: string, name: string) => {
    const response = await client.get(`/api/agreements/${id}/docx?${query}`);
    expect(response.status, response.bytes.toString()).to.equal(200);
    expect(response.contentType).to.equal(DOCX_TYPE);
    const file = office.file(name);
    writeFileSync(file, response.bytes);
    return file;
  };
  const pdfText = async (docx: string) => {
    const pdf = docx.replace(/\.docx$/, '.pdf');
    await office.uno('pdf', { in: docx, out: pdf });
    // Columns are narrow and justified: compare words, not line breaks.
    const text = (await tool('pdftotext', [pdf, '-'])).stdout.replace(/\s+/g, ' ');
    return { text, fonts: (await tool('pdffonts', [pdf])).stdout };
  };

  before(async () => {
    office = await LibreOffice.start();
    server = await startTestServer();
    [legal, legalGyeonggi] = await Promise.all(
      ['legal@sverdlovsk.example', 'legal@gyeonggi.example'].map((email) => ApiClient.signIn(server.baseUrl, email)),
    );
    id = ok(await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] }), 201).id;
  });
  after(async () => {
    await server?.close();
    await office?.stop();
  });

  it('when a draft is exported in either layout, then LibreOffice converts it and the PDF holds the Russian, Korean and English texts in the serif', async () => {
    for (const [query, name] of [
      ['original=sverdlovsk&layout=parallel', 'parallel.docx'],
      ['original=gyeonggi&layout=sequential', 'sequential.docx'],
    ] as const) {
      const { text, fonts } = await pdfText(await download(legal, query, name));
      expect(text, name).to.include('DRAFT - version 1');
      expect(text, name).to.include('Стороны развивают');
      expect(text, name).to.include('양측은 다음 분야에서');
      expect(text, name).to.include('Gyeonggi Province');
      expect(fonts, name).to.include('NotoSerifKR');
    }
  });

  it('when a lawyer edits the draft in LibreOffice with Track Changes, then each change is a suggestion on its clause and language, and accepting one writes the text', async () => {
    const exported = await download(legalGyeonggi, 'original=gyeonggi&layout=parallel', 'exported.docx');
    const edited = office.file('edited.docx');
    await office.uno('edit', {
      in: exported,
      out: edited,
      // Article 2 (areas-of-cooperation) in Russian, Article 3 (forms-of-cooperation) in Korean.
      replace: [{ find: 'представляющих(?= взаимный интерес)', with: 'имеющих' }],
      insertAfter: [{ find: '형태로 이루어진다\\.', text: ' 양측은 매년 협력 계획을 협의한다.' }],
      comment: [{ find: 'other areas of mutual interest', text: 'Please list the other areas.', author: 'Jeong Eui Park' }],
    });
    // LibreOffice wrote the changes as Word's tracked changes, not as plain edits.
    const docxXml = strFromU8(unzipSync(readFileSync(edited))['word/document.xml']!);
    expect(docxXml).to.match(/<w:del\b/);
    expect(docxXml).to.match(/<w:ins\b/);

    const imported = ok(await legalGyeonggi.upload(`/api/agreements/${id}/docx?expectedVersion=1`, readFileSync(edited), DOCX_TYPE), 201);
    const placed = imported.suggestions.map((suggestion: { clause: string; lang: string }) => `${suggestion.clause}/${suggestion.lang}`);
    expect(placed).to.have.members(['areas-of-cooperation/ru', 'forms-of-cooperation/ko']);
    const russian = imported.suggestions.find((suggestion: { lang: string }) => suggestion.lang === 'ru');
    expect(russian).to.include({ state: 'open', by: 'legal@gyeonggi.example' });
    expect(russian.changes).to.deep.include({ op: 'delete', text: 'представляющих' });
    expect(russian.changes).to.deep.include({ op: 'insert', text: 'имеющих' });
    expect(russian.text).to.include('имеющих взаимный интерес');
    const korean = imported.suggestions.find((suggestion: { lang: string }) => suggestion.lang === 'ko');
    expect(korean.text).to.include('형태로 이루어진다. 양측은 매년 협력 계획을 협의한다.');
    // The field in the Korean sentence is still a field, not its value typed out.
    expect(korean.text).to.include('<field ref="document.ref"/>');
    expect(imported.comments).to.deep.equal([{ clause: 'areas-of-cooperation', lang: 'en', body: 'Please list the other areas.' }]);
    const comments = ok(await legal.get(`/api/agreements/${id}/comments`));
    expect(
      comments.map((comment: { clause: string; lang: string; body: string }) => [comment.clause, comment.lang, comment.body]),
    ).to.deep.include(['areas-of-cooperation', 'en', 'Please list the other areas.']);
    const unchanged = ok(await legal.get(`/api/agreements/${id}`));
    expect(unchanged.version).to.equal(1);

    // The drafting party accepts the Russian one through the desk's own route.
    const accepted = ok(await legal.post(`/api/agreements/${id}/suggestions/${russian.id}/accept`, { expectedVersion: 1 }));
    expect(accepted.version).to.equal(2);
    const clause = accepted.clauses.find((entry: { key: string }) => entry.key === 'areas-of-cooperation');
    expect(clause.texts.ru).to.include('имеющих взаимный интерес');
    expect(clause.status.ko).to.not.equal('confirmed');
    expect(clause.status.en).to.not.equal('confirmed');
    const pdf = await legal.get(`/api/agreements/${id}/pdf?original=sverdlovsk`);
    const pdfFile = office.file('accepted.pdf');
    writeFileSync(pdfFile, pdf.bytes);
    expect((await tool('pdftotext', [pdfFile, '-'])).stdout.replace(/\s+/g, ' ')).to.include('имеющих взаимный интерес');
  });

  it("when a redline of two versions is opened in LibreOffice, then it reports the tracked changes Bilateral wrote, by the version's author", async () => {
    const before = ok(await legal.get(`/api/agreements/${id}`));
    const purpose = before.clauses.find((clause: { key: string }) => clause.key === 'purpose').texts.en as string;
    const text = purpose.replace('long-term and mutually beneficial', 'long-term, sustainable and mutually beneficial');
    expect(text).to.not.equal(purpose);
    const edited = ok(await legal.put(`/api/agreements/${id}/clauses/purpose`, { lang: 'en', text, expectedVersion: before.version }));
    const redline = await download(legal, `original=sverdlovsk&from=${before.version}&to=${edited.version}`, 'redline.docx');
    const { changes } = await office.uno<{ changes: { type: string; author: string; text: string }[] }>('tracked-changes', { in: redline });
    expect(changes.map(({ type, author, text }) => ({ type, author, text }))).to.deep.equal([
      { type: 'Insert', author: 'legal@sverdlovsk.example', text: ', sustainable' },
    ]);
    expect((await legal.get(`/api/agreements/${id}/docx?original=sverdlovsk&from=0`)).status).to.equal(404);
  });

  it('when a redline spans versions by two people, then LibreOffice credits each tracked change to the author and date of the version that made it', async () => {
    // Version 2: Gyeonggi's suggestion on the Russian text of Article 2, accepted; version 3: Sverdlovsk's English edit (above).
    const current = ok(await legal.get(`/api/agreements/${id}`));
    expect(current.version).to.equal(3);
    const redline = await download(legal, `original=sverdlovsk&from=1&to=${current.version}`, 'redline-two-authors.docx');
    const { changes } = await office.uno<{ changes: { type: string; author: string; date: string; text: string }[] }>('tracked-changes', {
      in: redline,
    });
    const listed = ok(await legal.get(`/api/agreements/${id}/versions`)).versions as { version: number; createdAt: string }[];
    const madeAt = (version: number) => new Date(listed.find((entry) => entry.version === version)!.createdAt).toISOString().slice(0, 19);
    expect(changes).to.have.deep.members([
      { type: 'Delete', author: 'legal@gyeonggi.example', date: madeAt(2), text: 'представляющих' },
      { type: 'Insert', author: 'legal@gyeonggi.example', date: madeAt(2), text: 'имеющих' },
      { type: 'Insert', author: 'legal@sverdlovsk.example', date: madeAt(3), text: ', sustainable' },
    ]);
  });
});
