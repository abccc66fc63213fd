import { expect } from 'chai';
import { strFromU8, unzipSync } from 'fflate';
import { ApiClient, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { markOf, pageWords, strokedLines, type PageWord } from '../support/pdf-marks.ts';
import { tempFile, tool } from '../support/pdf-tools.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from '../web/web-client.ts';

/**
 * The redline of several versions, as a PDF set by the typesetter and as a Word file: every change is
 * there, drawn as it should be (insertions underlined, deletions struck through, read back from the
 * PDF by poppler and MuPDF) and credited to the version, author and date that made it.
 */
describe(`Redline API (${TEST_DATABASE_KIND})`, function () {
  this.timeout(120_000);
  let server: TestServer;
  let legal: ApiClient;
  let legalGyeonggi: ApiClient;
  let id: number;
  let versions: { edited: number; accepted: number };

  before(async () => {
    server = await startTestServer();
    [legal, legalGyeonggi] = await Promise.all(
      ['legal@sverdlovsk.example', 'legal@gyeonggi.example'].map((email) => ApiClient.signIn(server.baseUrl, email)),
    );
    const created = ok(await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] }), 201);
    id = created.id;
    const purpose = (lang: string) => created.clauses.find((clause: { key: string }) => clause.key === 'purpose').texts[lang] as string;
    // Version 2: Sverdlovsk's lawyer edits the English text. Version 3: Gyeonggi's suggestion on the Russian one, accepted.
    const english = purpose('en').replace('long-term and mutually beneficial', 'long-term, sustainable and mutually beneficial');
    expect(english).to.not.equal(purpose('en'));
    const edited = ok(await legal.put(`/api/agreements/${id}/clauses/purpose`, { lang: 'en', text: english, expectedVersion: 1 }));
    const russian = purpose('ru').replace('долгосрочное', 'устойчивое');
    expect(russian).to.not.equal(purpose('ru'));
    const suggestion = ok(
      await legalGyeonggi.post(`/api/agreements/${id}/suggestions`, {
        clause: 'purpose',
        lang: 'ru',
        text: russian,
        expectedVersion: edited.version,
      }),
      201,
    );
    const accepted = ok(await legal.post(`/api/agreements/${id}/suggestions/${suggestion.id}/accept`, { expectedVersion: edited.version }));
    versions = { edited: edited.version, accepted: accepted.version };
  });
  after(async () => server?.close());

  const redlinePdf = async (query: string) => {
    const response = await legalGyeonggi.get(`/api/agreements/${id}/pdf?${query}`);
    expect(response.status, response.bytes.toString().slice(0, 300)).to.equal(200);
    expect(response.contentType).to.equal('application/pdf');
    return tempFile('redline.pdf', response.bytes);
  };
  /** Every word of every page, with how it is marked. */
  const markedWords = async (pdf: string) => {
    const pages = Number(/Pages:\s+(\d+)/.exec((await tool('pdfinfo', [pdf])).stdout)![1]);
    const words: (PageWord & { page: number; mark: ReturnType<typeof markOf> })[] = [];
    for (let page = 1; page <= pages; page += 1) {
      const lines = await strokedLines(pdf, page);
      for (const word of await pageWords(pdf, page)) words.push({ ...word, page, mark: markOf(word, lines) });
    }
    return words;
  };

  it('when a redline of three versions is asked for as a PDF, then the inserted words are underlined and the deleted struck through, each in the colour its author has in the key', async () => {
    const pdf = await redlinePdf(`from=1&to=${versions.accepted}&original=gyeonggi`);
    const text = (await tool('pdftotext', [pdf, '-'])).stdout.replace(/-\n/g, '').replace(/\s+/g, ' ');
    for (const expected of ['долгосрочное', 'устойчивое', 'sustainable', `Changes from version 1 to version ${versions.accepted}`]) {
      expect(text).to.include(expected);
    }
    const words = await markedWords(pdf);
    const word = (wanted: string | RegExp) => {
      const found = words.find((candidate) => (typeof wanted === 'string' ? candidate.text === wanted : wanted.test(candidate.text)));
      expect(found, String(wanted)).to.not.equal(undefined);
      return found!;
    };
    expect(word('долгосрочное').mark?.kind).to.equal('strike');
    expect(word('устойчивое').mark?.kind).to.equal('underline');
    expect(word(/^sustain/).mark?.kind).to.equal('underline');
    // The words around them stand unmarked.
    expect(word('взаимовыгодное').mark).to.equal(undefined);
    expect(word(/^beneficial/).mark).to.equal(undefined);

    // The key: one line per version, naming its author, its sample words in its colour.
    const keyColour = (version: number, author: string, sample: string) => {
      const opening = words.find(
        (candidate, index) =>
          candidate.text === 'Version' && words[index + 1]?.text === `${version},` && words[index + 2]?.text.startsWith(author),
      );
      expect(opening, `the key's line for version ${version} by ${author}`).to.not.equal(undefined);
      const marked = words.find(
        (candidate) => candidate.block === opening!.block && candidate.page === opening!.page && candidate.text.startsWith(sample),
      );
      expect(marked?.mark, `${sample} in the key of version ${version}`).to.not.equal(undefined);
      return marked!.mark!;
    };
    const sverdlovsk = keyColour(versions.edited, 'legal@sverdlovsk.example', 'inserted');
    const gyeonggi = keyColour(versions.accepted, 'legal@gyeonggi.example', 'inserted');
    expect(sverdlovsk.kind).to.equal('underline');
    expect(keyColour(versions.accepted, 'legal@gyeonggi.example', 'deleted').kind).to.equal('strike');
    expect(gyeonggi.color).to.not.equal(sverdlovsk.color);
    expect(word(/^sustain/).mark?.color, 'the English insertion is version 2, Sverdlovsk').to.equal(sverdlovsk.color);
    expect(word('устойчивое').mark?.color, 'the Russian one is version 3, suggested by Gyeonggi').to.equal(gyeonggi.color);
    expect(word('долгосрочное').mark?.color).to.equal(gyeonggi.color);
    expect(text).to.include('(suggested; accepted by legal@sverdlovsk.example)');
  });

  it('when the redline covers one version only, then only that version is in the key, and its changes alone are marked', async () => {
    const words = await markedWords(await redlinePdf(`from=${versions.edited}&to=${versions.accepted}&original=sverdlovsk`));
    expect(words.find((word) => word.text === 'устойчивое')?.mark?.kind).to.equal('underline');
    expect(words.find((word) => /^sustain/.test(word.text))?.mark).to.equal(undefined);
    expect(words.some((word) => word.text === `${versions.edited},`)).to.equal(false);
  });

  it('when the Word redline spans both versions, then each tracked change names the author and date of the version that made it', async () => {
    const response = await legal.get(`/api/agreements/${id}/docx?original=sverdlovsk&from=1&to=${versions.accepted}`);
    expect(response.status).to.equal(200);
    const xml = strFromU8(unzipSync(new Uint8Array(response.bytes))['word/document.xml']!);
    const changes = [...xml.matchAll(/<w:(ins|del) w:id="\d+" w:author="([^"]+)" w:date="([^"]+)">([\s\S]*?)<\/w:\1>/g)].map((match) => ({
      kind: match[1],
      author: match[2],
      date: match[3],
      text: [...match[4]!.matchAll(/<w:(?:t|delText)[^>]*>([^<]*)</g)].map((part) => part[1]).join(''),
    }));
    const listed = ok(await legal.get(`/api/agreements/${id}/versions`)).versions as { version: number; createdAt: string }[];
    const dateOf = (version: number) => new Date(listed.find((entry) => entry.version === version)!.createdAt).toISOString().slice(0, 19);
    expect(changes.map(({ kind, author, text }) => ({ kind, author, text }))).to.have.deep.members([
      { kind: 'ins', author: 'legal@sverdlovsk.example', text: ', sustainable' },
      { kind: 'del', author: 'legal@gyeonggi.example', text: 'долгосрочное' },
      { kind: 'ins', author: 'legal@gyeonggi.example', text: 'устойчивое' },
    ]);
    for (const change of changes) {
      expect(change.date.slice(0, 19)).to.equal(dateOf(change.author === 'legal@gyeonggi.example' ? versions.accepted : versions.edited));
    }
  });

  it('when the compare page is read in Korean or Russian, then it links the redline as PDF and DOCX in that language, and the links download them', async () => {
    for (const [email, label] of [
      ['legal@gyeonggi.example', '변경 사항 PDF'],
      ['legal@sverdlovsk.example', 'Изменения в PDF'],
    ] as const) {
      const web = await WebClient.signedIn(server.baseUrl, email);
      const page = await web.get(`/agreements/${id}/compare?from=1`);
      expect(page.status).to.equal(200);
      expect(page.html).to.include(label);
      const link = new RegExp(`href="(/agreements/${id}/redline\\.pdf\\?from(?:=|&#x3D;)1&amp;to(?:=|&#x3D;)${versions.accepted})"`).exec(
        page.html,
      );
      expect(link, 'the PDF link').to.not.equal(null);
      const pdf = await web.get(link![1]!.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&'));
      expect(pdf.status).to.equal(200);
      expect(pdf.headers.get('content-type')).to.equal('application/pdf');
      const docx = await web.get(`/agreements/${id}/redline.docx?from=1&to=${versions.accepted}`);
      expect(docx.status).to.equal(200);
      expect(docx.headers.get('content-disposition')).to.match(/redline-v1-v\d+\.docx/);
    }
  });

  it('when an article is removed, then the redline PDF keeps it where it stood, its heading and every word struck through', async () => {
    const other = ok(await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] }), 201);
    const removed = await legal.request('DELETE', `/api/agreements/${other.id}/clauses/forms-of-cooperation?expectedVersion=1`);
    expect(removed.status, JSON.stringify(removed.body)).to.equal(200);
    const response = await legal.get(`/api/agreements/${other.id}/pdf?from=1&to=${removed.body.version}&original=sverdlovsk`);
    expect(response.status).to.equal(200);
    const words = await markedWords(tempFile('removed.pdf', response.bytes));
    // Article 3 stands where it stood, its heading struck; the list of the forms of cooperation too, still a list.
    const headings = words.filter((word, index) => word.text === 'Article' && words[index + 1]?.text === '3');
    expect(headings).to.have.length(1);
    expect(headings[0]!.mark?.kind).to.equal('strike');
    for (const wanted of ['delegations', 'exhibitions,', 'projects;']) {
      expect(words.find((word) => word.text === wanted)?.mark?.kind, wanted).to.equal('strike');
    }
    expect(words.find((word) => word.text === 'Article' && words[words.indexOf(word) + 1]?.text === '2')?.mark).to.equal(undefined);
    const text = (await tool('pdftotext', ['-layout', tempFile('removed.pdf', response.bytes), '-'])).stdout;
    expect(text).to.match(/– +exchange of official delegations/);
  });

  it('when the versions are out of range or reversed, then a problem names them', async () => {
    for (const [query, status] of [
      [`from=${versions.accepted}&to=1`, 400],
      ['from=0', 404],
      ['from=1&to=99', 404],
      ['from=1&original=nobody', 400],
    ] as const) {
      const response = await legal.get(`/api/agreements/${id}/pdf?${query}`);
      expect(response.status, query).to.equal(status);
      expect(response.contentType, query).to.match(/problem\+json/);
    }
  });
});
