import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { TYPOGRAPHY } from '../../server/pdf/typesetter.ts';
import { translate } from '../../server/web/i18n.ts';
import type { Lang } from '../../server/text/languages.ts';
import { ApiClient, ok } from '../support/api-client.ts';
import { AKN_NAMESPACE, akomaNtosoProblems } from '../support/akoma-ntoso-subset.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { demoCertificateAuthorities, LETTER_OF_INTENT } from '../support/execute-demo.ts';
import { nssDatabaseTrusting, parsePdfsig, tempFile, tool } from '../support/pdf-tools.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from '../web/web-client.ts';

const A4 = { width: 595, height: 842 };
/** The text area of a page, without the running header and the page number (furniture, not text). */
const TEXT_AREA = { y: TYPOGRAPHY.margin.top - 14, height: A4.height - TYPOGRAPHY.margin.top - TYPOGRAPHY.margin.bottom + 24 };

/** Text without what layout adds: line breaks, spaces, and the hyphens of hyphenation (and the text's own, alike). */
const normalized = (text: string) => text.replace(/[\s\u00ad\u2010-]/g, '');

/** pdftotext of a rectangle of each page in [first, last], in points. */
async function textIn(file: string, x: number, width: number, first: number, last: number): Promise<string> {
  const crop = ['-r', '72', '-x', `${Math.floor(x)}`, '-y', `${TEXT_AREA.y}`, '-W', `${Math.ceil(width)}`, '-H', `${TEXT_AREA.height}`];
  return (await tool('pdftotext', [...crop, '-f', `${first}`, '-l', `${last}`, file, '-'])).stdout;
}

async function pageCount(file: string): Promise<number> {
  return Number(/^Pages:\s+(\d+)/m.exec((await tool('pdfinfo', [file])).stdout)![1]);
}

describe(`certified true copies in the registration dossier (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  const dossierOf = async (email: string) => {
    const response = await (await ApiClient.signIn(server.baseUrl, email)).get(`/api/agreements/${LETTER_OF_INTENT}/dossier`);
    expect(response.status, response.bytes.toString('utf8').slice(0, 300)).to.equal(200);
    return unzipSync(new Uint8Array(response.bytes));
  };
  const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

  it('when the certifying officer asks for the dossier, then each authentic text comes as a signed copy whose text is the original’s', async () => {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const agreement = ok(await legal.get(`/api/agreements/${LETTER_OF_INTENT}`));
    const languages = agreement.languages as Lang[];
    const files = await dossierOf('certifying@sverdlovsk.example');
    expect(
      Object.keys(files)
        .filter((path) => path.startsWith('copies/'))
        .sort(),
    ).to.deep.equal(languages.map((lang) => `copies/${lang}.pdf`).sort());
    // The manifest's hashes are true, the copies' too.
    const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString('utf8'));
    expect(manifest.files.map((entry: { path: string }) => entry.path).sort()).to.deep.equal(
      Object.keys(files)
        .filter((path) => path !== 'manifest.json')
        .sort(),
    );
    for (const entry of manifest.files) {
      expect(sha(files[entry.path]!), entry.path).to.equal(entry.sha256);
      expect(files[entry.path]!.length, entry.path).to.equal(entry.bytes);
    }
    const statement = JSON.parse(Buffer.from(files['statement.json']!).toString('utf8'));
    expect(
      statement.certifiedCopies.map((copy: Record<string, string>) => [copy.lang, copy.file, copy.of, copy.certifiedBy]),
    ).to.deep.equal(languages.map((lang) => [lang, `copies/${lang}.pdf`, 'sverdlovsk', 'certifying@sverdlovsk.example']));

    const original = tempFile('sverdlovsk-original.pdf', Buffer.from(files['originals/sverdlovsk.pdf']!));
    const originalPages = await pageCount(original);
    const nssdir = await nssDatabaseTrusting((await demoCertificateAuthorities(server)).map((authority) => authority.certificatePem));
    // The original sets its languages side by side, the party's own first (the alternat).
    const columnWidth = (A4.width - TYPOGRAPHY.margin.left - TYPOGRAPHY.margin.right - TYPOGRAPHY.columnGap) / 2;
    for (const [index, lang] of languages.entries()) {
      const file = tempFile(`copy-${lang}.pdf`, Buffer.from(files[`copies/${lang}.pdf`]!));
      // One PAdES signature, valid, over the whole file, by the certifying officer, under the party's CA.
      const signatures = parsePdfsig((await tool('pdfsig', ['-nssdir', nssdir, file])).stdout);
      expect(signatures, lang).to.deep.equal([
        { commonName: 'Ольга Белова', subFilter: 'ETSI.CAdES.detached', valid: true, trusted: true, totalDocument: true },
      ]);

      // Its text is the original's text in that language, word for word, up to the end of the final clause.
      const { document } = akomaNtosoProblems(Buffer.from(files[`texts/${lang}.akn.xml`]!).toString('utf8'));
      const finalParagraphs = Array.from(
        document.getElementsByTagNameNS(AKN_NAMESPACE, 'conclusions')[0]!.getElementsByTagNameNS(AKN_NAMESPACE, 'p'),
      );
      const end = normalized(finalParagraphs.at(-1)!.textContent!);
      const upToEnd = (text: string) => {
        const at = text.indexOf(end);
        expect(at, `${lang}: the final clause's last words`).to.be.greaterThan(0);
        return text.slice(0, at + end.length);
      };
      const pages = await pageCount(file);
      const copyText = normalized(await textIn(file, 0, A4.width, 1, pages - 1));
      const column = TYPOGRAPHY.margin.left + index * (columnWidth + TYPOGRAPHY.columnGap) - 1;
      const originalText = normalized(await textIn(original, column, columnWidth + 2, 1, originalPages));
      expect(upToEnd(copyText), lang).to.equal(upToEnd(originalText));
      expect(copyText.length, lang).to.be.greaterThan(500);

      // The last page certifies it, in the party's language (Russian) and in the language of the text.
      const certification = normalized((await tool('pdftotext', ['-f', `${pages}`, '-l', `${pages}`, file, '-'])).stdout);
      for (const statementLang of new Set<Lang>(['ru', lang])) {
        const says = translate(statementLang, 'certification.statement', {
          language: translate(statementLang, `certification.language.${lang}`),
        });
        expect(certification, `${lang} in ${statementLang}`).to.include(normalized(says));
      }
      expect(certification).to.include(sha(files['originals/sverdlovsk.pdf']!));
    }
  });

  it('when the certifying officer opens the agreement page, then it says the download holds the copies they certify', async () => {
    const officer = await WebClient.signedIn(server.baseUrl, 'certifying@sverdlovsk.example');
    const page = await officer.get(`/agreements/${LETTER_OF_INTENT}`);
    expect(page.html).to.include(translate('ru', 'registration.dossierCertifies'));
    const legal = await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example');
    expect((await legal.get(`/agreements/${LETTER_OF_INTENT}`)).html).to.not.include(translate('ru', 'registration.dossierCertifies'));
  });

  it('when others ask for the dossier, then it holds no copies; Gyeonggi’s officer certifies Gyeonggi’s original in Korean first', async () => {
    const legal = await dossierOf('legal@sverdlovsk.example');
    expect(Object.keys(legal).filter((path) => path.startsWith('copies/'))).to.deep.equal([]);
    expect(JSON.parse(Buffer.from(legal['statement.json']!).toString('utf8')).certifiedCopies).to.deep.equal([]);

    const files = await dossierOf('certifying@gyeonggi.example');
    const copy = tempFile('gyeonggi-copy-ru.pdf', Buffer.from(files['copies/ru.pdf']!));
    const [signature] = parsePdfsig((await tool('pdfsig', [copy])).stdout);
    expect(signature).to.include({ commonName: '윤하은', valid: true, totalDocument: true });
    const pages = await pageCount(copy);
    const certification = normalized((await tool('pdftotext', ['-f', `${pages}`, '-l', `${pages}`, copy, '-'])).stdout);
    const korean = normalized(translate('ko', 'certification.statement', { language: translate('ko', 'certification.language.ru') }));
    const russian = normalized(translate('ru', 'certification.statement', { language: translate('ru', 'certification.language.ru') }));
    expect(certification.indexOf(korean)).to.be.within(0, certification.indexOf(russian));
    expect(certification).to.include(sha(files['originals/gyeonggi.pdf']!));
  });
});
