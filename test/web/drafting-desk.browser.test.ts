import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client.ts';
import { tempFile, tool } from '../support/pdf-tools.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { BrowserUser, launchChromium } from './browser.ts';

const SHOTS = path.resolve('test-output', 'web', 'drafting-desk');

/**
 * The drafting desk in a real Chromium, as the demo lawyers: the Sverdlovsk lawyer (Russian pages) edits
 * a Russian sentence and inserts a field from the menu; the Gyeonggi lawyer (Korean pages) types a Korean
 * suggestion through IME composition and makes another; the Sverdlovsk lawyer accepts one and rejects
 * the other; the Korean text shows "needs review" and is confirmed; the PDF prints the accepted text.
 * No template source ever shows: no {{, }} or <p> in any visible text or form value.
 */
describe('web: the drafting desk, in Russian, Korean and English', function () {
  this.timeout(240_000);
  let server: TestServer;
  let browser: Browser;
  let id: number;
  let api: ApiClient;
  const users: BrowserUser[] = [];

  const open = async (email: string) => {
    const user = await BrowserUser.open(browser, server.baseUrl, email, { width: 1500, height: 1000 });
    await user.signIn();
    users.push(user);
    return user;
  };
  const desk = async (user: BrowserUser) => {
    await user.goto(`/agreements/${id}/text`);
    await user.page.waitForSelector('.desk-editor--mounted');
    await expectNoTemplateSource(user.page);
  };
  const shot = async (user: BrowserUser, name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await user.page.evaluate('document.fonts.ready.then(() => true)');
    await user.page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    // The clause under work, at a readable size.
    await user.page.locator('#clause-purpose').screenshot({ path: path.join(SHOTS, `${name}-purpose.png`) });
  };
  const clauseText = async (key: string, lang: string): Promise<string> =>
    (await api.get(`/api/agreements/${id}`)).body.clauses.find((clause: { key: string }) => clause.key === key).texts[lang];
  const column = (key: string, lang: string) => `#desk-${key}-${lang}`;

  before(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    api = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const created = await api.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    id = created.body.id;
  });
  after(async () => {
    const problems = users.flatMap((user) => user.takeProblems().map((problem) => `${user.email}: ${problem}`));
    await browser?.close();
    await server?.close();
    expect(problems).to.deep.equal([]);
  });

  it('when the Sverdlovsk lawyer adds a Russian sentence with a field from the menu, then it is saved and the other languages need review', async () => {
    const legal = await open('legal@sverdlovsk.example');
    await desk(legal);
    // The user's own language first.
    const order = await legal.page
      .locator('#clause-purpose .desk-column')
      .evaluateAll((columns) => columns.map((each) => each.getAttribute('data-lang')));
    expect(order).to.deep.equal(['ru', 'ko', 'en']);
    // A field is one atom showing its value, never its name or source.
    const firstField = legal.page.locator(`${column('preamble', 'ru')} .desk-editor .field`).first();
    expect(await firstField.innerText()).to.match(/^Правительство Свердловской области$/);
    expect(await firstField.getAttribute('contenteditable')).to.equal('false');

    const editor = legal.page.locator(`${column('purpose', 'ru')} .ProseMirror`);
    // A word of a sentence replaced: selected in the text (as a double click does), then typed over.
    await editor.click();
    await selectWord(legal.page, `${column('purpose', 'ru')} .ProseMirror`, 'долгосрочное');
    await legal.page.keyboard.type('стабильное');
    await legal.page.keyboard.press('Control+End');
    await legal.page.keyboard.type(' Срок сотрудничества составляет ');
    await legal.page.selectOption(`${column('purpose', 'ru')} select.desk-field-select`, 'termYears');
    await legal.page.click(`${column('purpose', 'ru')} button.desk-insert-field`);
    await legal.page.keyboard.type(' лет.');
    expect(await editor.innerText()).to.include('Срок сотрудничества составляет 5 лет.');
    // A list from the agreement's data, from the same menu: one item per area, in Russian, one atom.
    const areas = ((await api.get(`/api/agreements/${id}`)).body.variables.areas as { ru: string; ko: string }[]).map((area) => area.ru);
    expect(areas.length).to.be.greaterThan(1);
    await legal.page.keyboard.press('Enter');
    await legal.page.selectOption(`${column('purpose', 'ru')} select.desk-field-select`, 'areas');
    await legal.page.click(`${column('purpose', 'ru')} button.desk-insert-field`);
    const listItems = `${column('purpose', 'ru')} .ProseMirror li.field--list .field__item`;
    expect(await legal.page.locator(listItems).allInnerTexts()).to.deep.equal(
      areas.map((area, index) => `${area}${index + 1 < areas.length ? ';' : '.'}`),
    );
    expect(await legal.page.locator(`${column('purpose', 'ru')} .ProseMirror li.field--list`).getAttribute('contenteditable')).to.equal(
      'false',
    );
    await shot(legal, '01-ru-editing');
    await legal.submit(`${column('purpose', 'ru')} button[name="mode"][value="edit"]`);
    expect(await legal.page.locator('.notice--ok').count()).to.equal(1);
    expect(await clauseText('purpose', 'ru')).to.include('Стороны развивают стабильное и взаимовыгодное');
    expect(await clauseText('purpose', 'ru')).to.include(
      'Срок сотрудничества составляет <field ref="termYears"/> лет.</p>\n<ul>\n<field ref="areas" list sep=";" end="."/>\n</ul>',
    );
    expect(await legal.page.locator(listItems).count(), 'the list field, read again from the stored text').to.equal(areas.length);
    for (const lang of ['ko', 'en']) {
      expect(await legal.page.locator(`${column('purpose', lang)} .status--needs-review`).count(), lang).to.equal(1);
    }
    await expectNoTemplateSource(legal.page);
  });

  it('when the Gyeonggi lawyer types a Korean suggestion through IME composition and makes another, then both are listed as open', async () => {
    const korean = await open('legal@gyeonggi.example');
    await desk(korean);
    expect(await korean.page.getAttribute('html', 'lang')).to.equal('ko');
    expect(await korean.page.locator('button[name="mode"][value="edit"]').count(), 'the counterparty suggests, it does not edit').to.equal(
      0,
    );
    // Korean first for Gyeonggi.
    const order = await korean.page
      .locator('#clause-purpose .desk-column')
      .evaluateAll((columns) => columns.map((each) => each.getAttribute('data-lang')));
    expect(order[0]).to.equal('ko');
    expect(await korean.page.locator(`${column('purpose', 'ko')} .status--needs-review`).count()).to.equal(1);

    const editor = korean.page.locator(`${column('purpose', 'ko')} .ProseMirror`);
    await editor.click();
    await korean.page.keyboard.press('Control+End');
    await korean.page.keyboard.type(' ');
    await typeHangulByComposition(korean.page, [
      ['ㅎ', '협'],
      ['ㄹ', '력'],
      ['ㄱ', '기'],
      ['ㄱ', '간'],
      ['ㅇ', '은'],
    ]);
    await korean.page.keyboard.type(' ');
    await korean.page.selectOption(`${column('purpose', 'ko')} select.desk-field-select`, 'termYears');
    await korean.page.click(`${column('purpose', 'ko')} button.desk-insert-field`);
    await typeHangulByComposition(korean.page, [
      ['ㄴ', '년'],
      ['ㅇ', '이'],
      ['ㄷ', '다'],
    ]);
    await korean.page.keyboard.type('.');
    expect(await editor.innerText()).to.include('협력기간은 5년이다.');
    // The menu's list fields show their Korean values in the Korean column.
    const koreanAreas = ((await api.get(`/api/agreements/${id}`)).body.variables.areas as { ko: string }[]).map((area) => area.ko);
    expect(await korean.page.locator(`${column('purpose', 'ko')} select.desk-field-select option[value="areas"]`).innerText()).to.include(
      koreanAreas.join('; '),
    );
    await shot(korean, '02-ko-suggesting');
    await korean.submit(`${column('purpose', 'ko')} button[name="mode"][value="suggest"]`);
    expect(await korean.page.locator('.notice--ok').count()).to.equal(1);
    // The suggestion is marked in the text itself, attributed and dated, not only listed under it.
    const [made] = (await api.get(`/api/agreements/${id}/suggestions`)).body;
    const inserted = korean.page.locator(`${column('purpose', 'ko')} .ProseMirror ins.desk-mark--suggestion`);
    expect((await inserted.allInnerTexts()).join('')).to.include('협력기간은');
    expect(await inserted.first().getAttribute('title')).to.match(new RegExp(`^제안 ${made.id}: 김지원, .*2\\d{3}`));
    expect(await korean.page.locator(`${column('purpose', 'ko')} .ProseMirror .desk-mark__badge`).innerText()).to.equal(`✎${made.id}`);
    expect(await inserted.first().getAttribute('contenteditable'), 'the suggested words are marks, not text').to.equal('false');

    const financing = korean.page.locator(`${column('financing', 'ko')} .ProseMirror`);
    await financing.click();
    await korean.page.keyboard.press('Control+End');
    await korean.page.keyboard.type(' 추가 문장.');
    await korean.submit(`${column('financing', 'ko')} button[name="mode"][value="suggest"]`);

    const suggestions = (await api.get(`/api/agreements/${id}/suggestions`)).body;
    expect(suggestions.map((each: { clause: string; lang: string; state: string }) => [each.clause, each.lang, each.state])).to.deep.equal([
      ['purpose', 'ko', 'open'],
      ['financing', 'ko', 'open'],
    ]);
    expect(suggestions[0].text).to.include('협력기간은 <field ref="termYears"/>년이다.');
    await expectNoTemplateSource(korean.page);
    await shot(korean, '03-ko-suggestions');
  });

  it('when the Sverdlovsk lawyer accepts one and rejects the other, then the Korean text is translated, confirmed by Gyeonggi, and the PDF prints it', async () => {
    const [legal, korean] = users;
    await desk(legal!);
    const [accepted, rejected] = (await api.get(`/api/agreements/${id}/suggestions`)).body;
    expect(await legal!.page.locator(`#suggestion-${accepted.id} ins`).first().innerText()).to.include('협력기간은');
    // Inline, in the Russian page's words, with its author and date.
    const mark = legal!.page.locator(`${column('purpose', 'ko')} .ProseMirror ins.desk-mark--suggestion`).first();
    expect(await mark.getAttribute('title')).to.match(new RegExp(`^Предложение ${accepted.id}: Ким Чжи Вон, `));
    expect(await legal!.page.locator(`${column('financing', 'ko')} .ProseMirror ins.desk-mark--suggestion`).innerText()).to.include(
      '추가 문장',
    );
    await shot(legal!, '04-ru-deciding');
    // By keyboard: "show in text" puts the cursor on the change; Alt+Enter there leads to its actions; Enter accepts.
    await legal!.page.click(`#suggestion-${accepted.id} .suggestion__show`);
    expect(await legal!.page.evaluate('document.activeElement.classList.contains("ProseMirror")')).to.equal(true);
    // Where the cursor is, the change is announced (whose, when) and its suggestion beside is highlighted.
    expect(await legal!.page.locator(`${column('purpose', 'ko')} .desk-mark-status`).innerText()).to.match(
      new RegExp(`^Предложение ${accepted.id}: Ким Чжи Вон, .*Alt\\+Enter`),
    );
    expect(await legal!.page.locator(`#suggestion-${accepted.id}.suggestion--current`).count()).to.equal(1);
    await legal!.page.keyboard.press('Alt+Enter');
    expect(
      await legal!.page.evaluate(
        `document.activeElement.closest('#suggestion-${accepted.id}') !== null && document.activeElement.closest('form').action`,
      ),
    ).to.match(/\/accept$/);
    await Promise.all([legal!.page.waitForNavigation(), legal!.page.keyboard.press('Enter')]);
    expect(await legal!.page.locator('.notice--ok').count()).to.equal(1);
    await legal!.submit(`#suggestion-${rejected.id} form[action$="/reject"] button`);
    const states = (await api.get(`/api/agreements/${id}/suggestions`)).body.map((each: { state: string }) => each.state);
    expect(states).to.deep.equal(['accepted', 'rejected']);
    expect(await clauseText('financing', 'ko')).to.not.include('추가 문장');

    await desk(korean!);
    expect(await korean!.page.locator(`${column('purpose', 'ko')} .status--translated`).count()).to.equal(1);
    await korean!.submit(`${column('purpose', 'ko')} form.desk-confirm button`);
    expect(await korean!.page.locator(`${column('purpose', 'ko')} .status--confirmed`).count()).to.equal(1);
    await desk(legal!);
    await legal!.submit(`${column('purpose', 'en')} form.desk-confirm button`);
    const agreement = (await api.get(`/api/agreements/${id}`)).body;
    expect(agreement.parity).to.deep.equal([]);

    const pdf = await api.request('GET', `/api/agreements/${id}/pdf?original=gyeonggi`);
    expect(pdf.status).to.equal(200);
    const { stdout } = await tool('pdftotext', [tempFile('desk.pdf', pdf.bytes), '-']);
    const printed = stdout.replace(/\s+/g, ' ');
    expect(printed).to.include('협력기간은 5년이다.');
    expect(printed).to.include('Срок сотрудничества составляет 5 лет.');
    // The list field prints its entries in the Russian text as well as in the article on the areas.
    const [firstArea] = ((await api.get(`/api/agreements/${id}`)).body.variables.areas as { ru: string }[]).map((area) => area.ru);
    expect(printed.split(`${firstArea};`).length - 1).to.be.at.least(2);
  });

  it('when the text changes after my approval, then the desk marks what is new and what is gone inline, in my language', async () => {
    const [, korean] = users;
    const gyeonggi = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
    const officialGyeonggi = await ApiClient.signIn(server.baseUrl, 'official@gyeonggi.example');
    // A fresh agreement, so that it can go to review and back.
    const other = (await api.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] })).body.id as number;
    const step = async (client: ApiClient, type: string) => {
      const version = (await api.get(`/api/agreements/${other}`)).body.version;
      const response = await client.post(`/api/agreements/${other}/events`, { type, expectedVersion: version });
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
    };
    await step(api, 'SUBMIT');
    await step(gyeonggi, 'APPROVE');
    await step(officialGyeonggi, 'REQUEST_CHANGES');
    const before = (await api.get(`/api/agreements/${other}`)).body.clauses.find((clause: { key: string }) => clause.key === 'purpose')
      .texts.en as string;
    const version = (await api.get(`/api/agreements/${other}`)).body.version;
    const edited = await api.put(`/api/agreements/${other}/clauses/purpose`, {
      lang: 'en',
      text: before.replace('long-term', 'lasting'),
      expectedVersion: version,
    });
    expect(edited.status, JSON.stringify(edited.body)).to.equal(200);

    await korean!.goto(`/agreements/${other}/text`);
    await korean!.page.waitForSelector('.desk-editor--mounted');
    await expectNoTemplateSource(korean!.page);
    const editor = `${column('purpose', 'en')} .ProseMirror`;
    expect(await korean!.page.locator(`${editor} ins.desk-mark--since`).innerText()).to.equal('lasting');
    expect((await korean!.page.locator(`${editor} del.desk-mark--since`).allInnerTexts()).join('')).to.include('long-term');
    expect(await korean!.page.locator(`${editor} ins.desk-mark--since`).getAttribute('title')).to.equal('내 마지막 승인 이후 변경 사항');
    // The marks are not text: what is saved is the text as it stands.
    expect(await korean!.page.locator(`${editor} del.desk-mark--since`).first().getAttribute('contenteditable')).to.equal('false');
    await korean!.page.locator(`${column('purpose', 'en')}`).screenshot({ path: path.join(SHOTS, '05-ko-since-approval.png') });
  });

  it('when the desk is read in English, then every label is English and the fields show English values', async () => {
    await server.db('users').where({ email: 'observer@sverdlovsk.example' }).update({ locale: 'en' });
    const observer = await open('observer@sverdlovsk.example');
    await desk(observer);
    expect(await observer.page.getAttribute('html', 'lang')).to.equal('en');
    expect(await observer.page.locator('.ProseMirror[contenteditable="true"], .desk-editor--live').count(), 'an observer reads').to.equal(
      0,
    );
    expect(await observer.page.locator('.desk-editor--mounted').count(), 'in the same editor, read only').to.be.greaterThan(0);
    expect(await observer.page.locator('.desk-form').count()).to.equal(0);
    expect(
      await observer.page
        .locator(`${column('preamble', 'en')} .desk-editor .field`)
        .first()
        .innerText(),
    ).to.equal('The Government of Sverdlovsk Region');
    await shot(observer, '06-en-reading');
    const [legal, korean] = users;
    await desk(legal!);
    await shot(legal!, '07-ru-desk');
    await desk(korean!);
    await shot(korean!, '08-ko-desk');
  });
});

/** Every visible text and every form value of the page: no template source in any of them. */
async function expectNoTemplateSource(page: Page): Promise<void> {
  // A string, so the page's DOM types stay out of the server's typecheck.
  const seen: string[] = await page.evaluate(
    "[document.body.innerText, ...[...document.querySelectorAll('input, textarea, select')].map((element) => element.value)]",
  );
  for (const text of seen) {
    expect(text).to.not.include('{{');
    expect(text).to.not.include('}}');
    expect(text).to.not.include('<p>');
  }
}

/** Selects a word of the editor's text through the DOM, as a double click does; ProseMirror reads the selection. */
async function selectWord(page: Page, editor: string, word: string): Promise<void> {
  const found = await page.evaluate(
    `(() => {
      const root = document.querySelector(${JSON.stringify(editor)});
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(${JSON.stringify(word)});
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + ${word.length});
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        return true;
      }
      return false;
    })()`,
  );
  expect(found, word).to.equal(true);
  // ProseMirror takes the DOM selection on selectionchange.
  await page.waitForFunction('window.getSelection().toString().length > 0');
  await page.evaluate('new Promise((resolve) => setTimeout(resolve, 50))');
}

/** Types Hangul as an IME does: each syllable composed (Input.imeSetComposition), then committed (Input.insertText). */
async function typeHangulByComposition(page: Page, syllables: readonly (readonly [string, string])[]): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  for (const [jamo, syllable] of syllables) {
    await cdp.send('Input.imeSetComposition', { text: jamo, selectionStart: 1, selectionEnd: 1 });
    await cdp.send('Input.imeSetComposition', { text: syllable, selectionStart: 1, selectionEnd: 1 });
    await cdp.send('Input.insertText', { text: syllable });
  }
  await cdp.detach();
}
