import { expect } from 'chai';
import type { Lang } from '../../server/text/languages.ts';
import { messageCatalogs } from '../../server/web/i18n.ts';
import { ApiClient } from '../support/api-client.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { carryToFirstSignature, WALK_COMMENTS } from './demo-walk.ts';
import { WebClient } from './web-client.ts';

/**
 * What a person reads on the pages, as the server renders them: closed <details> (technical
 * details) keep their content out of sight, tags and scripts go, entities are decoded.
 */
function visibleText(html: string): string {
  return html
    .replace(/<(script|style|title)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<details(?![^>]*\sopen)[^>]*>\s*<summary[^>]*>([\s\S]*?)<\/summary>[\s\S]*?<\/details>/g, ' $1 ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/**
 * The English catalogue's own words a ru or ko page must never show: every message's fixed parts
 * (between its {placeholders}) of two words or more that the reader's catalogue does not say the same way.
 */
function englishPhrases(lang: Lang): string[] {
  const english = messageCatalogs().get('en')!;
  const reader = messageCatalogs().get(lang)!;
  const phrases = new Set<string>();
  for (const [key, message] of english) {
    if (reader.get(key) === message) continue;
    for (const part of message.split(/\{\w+\}/)) {
      const phrase = part.trim().replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
      if (/\p{L}+[\s-]+\p{L}+/u.test(phrase)) phrases.add(phrase);
    }
  }
  return [...phrases];
}

/** Message keys as they would leak: a group of the catalogue, a dot, a name ("event.ENTER_INTO_FORCE", "clause.areas-of-cooperation"). */
function rawKeys(text: string): string[] {
  const groups = [...new Set([...messageCatalogs().get('en')!.keys()].map((key) => key.split('.')[0]!))];
  return text.match(new RegExp(`\\b(?:${groups.join('|')})\\.[A-Za-z][\\w-]*`, 'g')) ?? [];
}

/** Latin words a Russian or Korean page may show: the product, units, formats, the uploaded file's name. */
const LATIN_ALLOWED = new Set([
  'Bilateral',
  'PDF',
  'UTC',
  'SHA',
  'original',
  'pdf',
  'TOTP',
  'API',
  'HTTP',
  'Authorization',
  'Bearer',
  'SMTP',
  // The names of a program and of file formats, as a ministry's staff know them.
  'Word',
  'DOCX',
  'ZIP',
  'XML',
  'iCalendar',
  'Akoma',
  'Ntoso',
  // The standard a signature follows (the verify page names its level), and keys as keyboards print them.
  'PAdES',
  'Alt',
  'Enter',
  // The desk says its editor needs it (shown where scripts do not run).
  'JavaScript',
]);

describe('web: pages for people, every word in the reader\u2019s language', function () {
  this.timeout(120_000);
  let server: TestServer;
  const readers = [
    { email: 'legal@sverdlovsk.example', lang: 'ru' as const },
    { email: 'signatory@gyeonggi.example', lang: 'ko' as const },
  ];
  const { ru: RUSSIAN_COMMENT, ko: KOREAN_COMMENT } = WALK_COMMENTS;

  before(async () => {
    server = await startTestServer();
    await carryToFirstSignature(server.baseUrl);
  });
  after(() => server?.close());

  for (const { email, lang } of readers) {
    it(`when ${email} reads every page in ${lang}, then no English message, no raw key and no party key is visible`, async () => {
      const client = await WebClient.signedIn(server.baseUrl, email);
      const english = englishPhrases(lang);
      const pages = ['/agreements', '/agreements/1', '/agreements/2', '/notifications', '/verify', '/account', '/mail'];
      const original = new Blob([await client.download('/agreements/1/originals/sverdlovsk')], { type: 'application/pdf' });
      const verified = await verifyUpload(client, original);
      // The same original with one signed byte changed and an unsigned revision appended: the verification's problems, said in the reader's language.
      const bytes = Buffer.from(await original.arrayBuffer());
      bytes[200] = bytes[200]! ^ 0x01;
      const tampered = await verifyUpload(
        client,
        new Blob([Buffer.concat([bytes, Buffer.from('\n1 0 obj\n<< >>\nendobj\nstartxref\n0\n%%EOF\n')])], { type: 'application/pdf' }),
      );
      expect(tampered).to.include(messageCatalogs().get(lang)!.get('verify.message.changed'));
      // A cross stands beside what is wrong, not beside the sentence that says all is well; nothing proves a changed file.
      const messages = messageCatalogs().get(lang)!;
      expect(visibleText(tampered))
        .to.include(`✗ ${messages.get('verify.notIntact')}`)
        .and.not.include(messages.get('verify.intact'));
      expect(visibleText(tampered)).to.include(messages.get('verify.notProvable'));
      expect(visibleText(verified))
        .to.include(`✓ ${messages.get('verify.intact')}`)
        .and.not.include(messages.get('verify.notProvable'));
      // The signatories are named as the pages name them, not in the script of their certificates.
      const [gyeonggiSignatory, sverdlovskSignatory] = lang === 'ru' ? ['Пак Чжон Ый', 'Андрей Соболев'] : ['박정의', '안드레이 소볼레프'];
      expect(visibleText(verified))
        .to.include(gyeonggiSignatory)
        .and.include(sverdlovskSignatory)
        .and.not.include(lang === 'ru' ? '박정의' : 'Андрей');
      const texts = [
        ...(await Promise.all(pages.map(async (page) => [page, visibleText((await client.get(page)).html)] as const))),
        ['/verify (a file)', visibleText(verified)] as const,
        ['/verify (a changed file)', visibleText(tampered)] as const,
      ];
      for (const [page, text] of texts) expectReaderLanguage(page, text, english);
    });
  }

  it('when a new agreement is carried from drafting to both signatures, then at every step the pages of both readers are in their language', async () => {
    const clients = new Map<string, ApiClient>();
    const as = async (email: string) => {
      if (!clients.has(email)) clients.set(email, await ApiClient.signIn(server.baseUrl, email));
      return clients.get(email)!;
    };
    const created = await (await as('legal@sverdlovsk.example')).post('/api/agreements', { kind: 'cooperation-agreement' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as number;
    let version = created.body.version as number;
    const web = await Promise.all(
      readers.map(async ({ email, lang }) => ({ lang, client: await WebClient.signedIn(server.baseUrl, email) })),
    );
    const english = new Map(readers.map(({ lang }) => [lang, englishPhrases(lang)]));
    const readEveryPage = async (step: string) => {
      for (const { lang, client } of web) {
        for (const page of [
          `/agreements/${id}`,
          `/agreements/${id}/text`,
          `/agreements/${id}/compare`,
          '/agreements',
          '/notifications',
          '/calendar',
        ]) {
          const response = await client.get(page);
          expect(response.status, `${step} ${page}`).to.equal(200);
          expectReaderLanguage(`${step}: ${page}`, visibleText(response.html), english.get(lang)!);
        }
      }
    };
    await readEveryPage('drafting');
    for (const [email, type, more] of [
      ['legal@sverdlovsk.example', 'SUBMIT'],
      ['legal@sverdlovsk.example', 'APPROVE'],
      ['legal@gyeonggi.example', 'APPROVE'],
      ['official@sverdlovsk.example', 'APPROVE'],
      ['official@gyeonggi.example', 'APPROVE'],
      ['signatory@sverdlovsk.example', 'SIGN', { password: DEMO_PASSWORD }],
      ['signatory@gyeonggi.example', 'SIGN', { password: DEMO_PASSWORD }],
    ] as const) {
      const response = await (await as(email)).post(`/api/agreements/${id}/events`, { type, expectedVersion: version, ...more });
      expect(response.status, `${email} ${type}: ${JSON.stringify(response.body)}`).to.equal(200);
      version = response.body.version;
      await readEveryPage(`${email} ${type}`);
    }
  });

  it('when a Russian and a Korean reader open the agreement, the list and the notifications, then the title is in their script', async () => {
    for (const { email, lang } of readers) {
      const client = await WebClient.signedIn(server.baseUrl, email);
      const script = lang === 'ru' ? /^[\p{Script=Cyrillic}\p{P}\p{N}\s]+$/u : /^[\p{Script=Hangul}\p{P}\p{N}\s]+$/u;
      const page = (await client.get('/agreements/2')).html;
      expect(/<p class="agreement-title">([^<]+)<\/p>/.exec(page)?.[1], email).to.match(script);
      const list = (await client.get('/agreements')).html;
      for (const [, title] of list.matchAll(/<td><a href="\/agreements\/\d+">([^<]+)<\/a>/g)) expect(title, email).to.match(script);
      const inbox = (await client.get('/notifications')).html;
      expect(visibleText(inbox)).to.not.include('Agreement of Cooperation');
    }
  });

  it('when the timeline is read, then people are named in the reader\u2019s script, comments stand alone in their own language, and hashes stay in the technical details', async () => {
    const korean = (await (await WebClient.signedIn(server.baseUrl, 'signatory@gyeonggi.example')).get('/agreements/2')).html;
    const timeline = korean.slice(korean.indexOf('id="timeline-heading"'));
    expect(visibleText(timeline)).to.include('옐레나 볼코바').and.include('안드레이 소볼레프').and.not.include('@');
    expect(timeline).to.include(`<blockquote class="timeline__comment" lang="ru"><p>${RUSSIAN_COMMENT}</p></blockquote>`);
    expect(timeline).to.include(`<blockquote class="timeline__comment" lang="ko"><p>${KOREAN_COMMENT}</p></blockquote>`);
    expect(visibleText(timeline)).to.not.match(/[0-9a-f]{16,}/);
    expect(timeline).to.match(/<details class="timeline__technical">[\s\S]*?[0-9a-f]{64}/);
    expect(timeline).to.not.include('lang="en"><');
    expect(visibleText(timeline)).to.include(messageCatalogs().get('ko')!.get('timeline.textFrozen'));
  });

  it('when one party has signed, then the page says how many signed and whom it waits for, with the signer named', async () => {
    const russian = visibleText((await (await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example')).get('/agreements/2')).html);
    expect(russian)
      .to.include('Сторон, подписавших документ: 1 из 2')
      .and.include('Ждём: Кёнгидо — Подписант')
      .and.include('✓ Андрей Соболев,');
    const korean = visibleText((await (await WebClient.signedIn(server.baseUrl, 'signatory@gyeonggi.example')).get('/agreements/2')).html);
    expect(korean).to.include('2개 기관 중 1곳 서명 완료').and.include('내 차례: 서명').and.include('✓ 안드레이 소볼레프,');
  });

  it('when a draft waits for either party\u2019s legal staff to submit it, then the page says one of them is enough, not that both must', async () => {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const created = await legal.post('/api/agreements', { kind: 'cooperation-agreement' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const read = async (email: string) =>
      visibleText((await (await WebClient.signedIn(server.baseUrl, email)).get(`/agreements/${created.body.id}`)).html);
    expect(await read('legal@sverdlovsk.example'))
      .to.include('Ждём вас: передать (это может сделать и Кёнгидо — Юрист)')
      .and.not.include('Ждём: Кёнгидо');
    expect(await read('signatory@gyeonggi.example')).to.include('대기 중(어느 한 곳): 스베르들롭스크주 법무 담당 또는 경기도 법무 담당');
    // The versions to compare are named by who made them, in the reader's script, not by an address.
    const compare = (
      await (await WebClient.signedIn(server.baseUrl, 'signatory@gyeonggi.example')).get(`/agreements/${created.body.id}/compare`)
    ).html;
    expect(compare).to.match(/<option value="1"[^>]*>[^<]*옐레나 볼코바<\/option>/);
    // Gyeonggi's legal staff are legal staff: what keeps them from editing is that Sverdlovsk drafts.
    expect(await read('legal@gyeonggi.example'))
      .to.include('내 차례: 검토 요청(스베르들롭스크주 법무 담당도 가능)')
      .and.include(messageCatalogs().get('ko')!.get('refusal.text-edit.counterparty'))
      .and.not.include(messageCatalogs().get('ko')!.get('refusal.text-edit.forbidden'));
  });

  it('when an agreement is executed, then it shows the completion with both originals and lists no refused actions', async () => {
    const html = (await (await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example')).get('/agreements/1')).html;
    expect(html).to.include('id="completion-heading"');
    expect(html.match(/class="button button--primary" href="\/agreements\/1\/originals\/\w+" download/g)).to.have.length(2);
    expect(html).to.not.include('class="refusals"');
  });

  it('when the signatory marks all notifications read, then none is unread and each says what happened in one sentence', async () => {
    const client = await WebClient.signedIn(server.baseUrl, 'signatory@gyeonggi.example');
    const before = visibleText((await client.get('/notifications')).html);
    expect(before).to.include('서명을 기다리고 있습니다').and.not.include('서명 서명');
    const page = await client.get('/notifications');
    const token = /action="\/notifications\/read"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
    expect(token).to.be.a('string');
    const response = await client.postForm('/notifications/read', {}, token);
    expect(response.status).to.equal(303);
    const user = await server.db('users').where({ email: 'signatory@gyeonggi.example' }).first();
    // PostgreSQL counts as a string, SQLite as a number.
    const [unread] = await server.db('notifications').where({ user_id: user.id }).whereNull('read_at').count({ count: '*' });
    expect(Number(unread!.count)).to.equal(0);
    const after = (await client.get('/notifications')).html;
    expect(after).to.not.include('action="/notifications/read"');
    expect(visibleText(after)).to.include(messageCatalogs().get('ko')!.get('flash.notificationsRead'));
  });

  it('when the signatory gives a wrong password, then the same page says so at the field with the attempts left, keeps the comment and signs nothing', async () => {
    const client = await WebClient.signedIn(server.baseUrl, 'signatory@gyeonggi.example');
    const page = (await client.get('/agreements/2')).html;
    const version = /name="expectedVersion" value="(\d+)"/.exec(page)![1]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const signaturesBefore = await server.db('signatures').where({ agreement_id: 2 }).count({ count: '*' });
    const wrong = await client.postForm(
      '/agreements/2/events',
      { type: 'SIGN', expectedVersion: version, password: 'not-the-password', readConfirmed: 'yes', comment: '서명합니다' },
      token,
    );
    expect(wrong.status).to.equal(403);
    const said = messageCatalogs().get('ko')!.get('formProblem.passwordWrong')!.replace('{left}', '4');
    expect(wrong.html).to.include(`<p id="sign-password-error" class="field-error">${said}</p>`);
    expect(wrong.html).to.match(/<div class="error-summary"[\s\S]*?<a href="#sign-password">/);
    expect(wrong.html).to.include('aria-invalid="true"').and.include('>서명합니다</textarea>');
    expect(await server.db('signatures').where({ agreement_id: 2 }).count({ count: '*' })).to.deep.equal(signaturesBefore);

    const unread = await client.postForm(
      '/agreements/2/events',
      { type: 'SIGN', expectedVersion: version, password: DEMO_PASSWORD },
      token,
    );
    expect(unread.status).to.equal(400);
    expect(unread.html).to.include('<p id="sign-read-error" class="field-error">');
    expect(await server.db('signatures').where({ agreement_id: 2 }).count({ count: '*' })).to.deep.equal(signaturesBefore);
  });

  it('when a form was open on an older version, then the page says someone changed it and links to what changed', async () => {
    const client = await WebClient.signedIn(server.baseUrl, 'signatory@gyeonggi.example');
    const page = (await client.get('/agreements/2')).html;
    const version = Number(/name="expectedVersion" value="(\d+)"/.exec(page)![1]);
    const token = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const stale = await client.postForm(
      '/agreements/2/events',
      { type: 'SIGN', expectedVersion: String(version - 1), password: DEMO_PASSWORD, readConfirmed: 'yes' },
      token,
    );
    expect(stale.status).to.equal(409);
    // Handlebars writes = in an attribute as &#x3D;.
    expect(stale.html).to.include(`href="/agreements/2/compare?from&#x3D;${version - 1}"`);
    expect(visibleText(stale.html)).to.include(messageCatalogs().get('ko')!.get('formProblem.stale'));
  });

  it('when a translation is not confirmed, then submitting is shown disabled with the clauses linked', async () => {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const created = await legal.post('/api/agreements', { kind: 'memorandum' });
    expect(created.status).to.equal(201);
    const clause = created.body.clauses.find((found: { origin: string; key: string }) => !['title', 'preamble'].includes(found.key));
    const edited = await legal.put(`/api/agreements/${created.body.id}/clauses/${clause.key}`, {
      lang: 'ru',
      text: `${clause.texts.ru} Стороны содействуют этому.`,
      as: 'source',
      expectedVersion: created.body.version,
    });
    expect(edited.status, JSON.stringify(edited.body)).to.equal(200);
    const html = (await (await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example')).get(`/agreements/${created.body.id}`)).html;
    expect(html).to.match(/<button type="button" class="button button--primary" disabled aria-describedby="unconfirmed-note">/);
    expect(html).to.not.include('name="type" value="SUBMIT"');
    expect(html).to.include(`href="/agreements/${created.body.id}/text#clause-${clause.key}"`);
  });

  it('when the new-agreement form is refused, then it answers on the same page at the field and keeps what was chosen', async () => {
    const client = await WebClient.signedIn(server.baseUrl, 'legal@gyeonggi.example');
    const page = (await client.get('/agreements')).html;
    expect(page).to.include('<option value="cooperation-agreement" selected>');
    const token = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const before = await server.db('agreements').count({ count: '*' });
    const noBase = await client.postForm(
      '/agreements',
      { kind: 'amendment', counterparty: 'sverdlovsk', title: '개정 의정서', languages: 'ko' },
      token,
    );
    // One language only, and no agreement to amend: the first problem the server finds is named at its field.
    expect(noBase.status).to.equal(400);
    expect(noBase.html).to.include('<p id="languages-error" class="field-error">').and.include('<option value="amendment" selected>');
    expect(noBase.html).to.include('value="개정 의정서"');
    const body = new URLSearchParams({ kind: 'amendment', counterparty: 'sverdlovsk', _csrf: token });
    body.append('languages', 'ru');
    body.append('languages', 'ko');
    const amendment = await client.send('/agreements', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(amendment.status).to.equal(422);
    expect(amendment.html).to.include(
      `<p id="based-on-error" class="field-error">${messageCatalogs().get('ko')!.get('formProblem.basedOn')}</p>`,
    );
    expect(await server.db('agreements').count({ count: '*' })).to.deep.equal(before);
  });

  it('when the account\u2019s password form is refused, then it answers at the field in the reader\u2019s language and changes nothing', async () => {
    const client = await WebClient.signedIn(server.baseUrl, 'official@gyeonggi.example');
    const ko = messageCatalogs().get('ko')!;
    const hashBefore = (await server.db('users').where({ email: 'official@gyeonggi.example' }).first()).password_hash;
    const cases = [
      [
        { current: DEMO_PASSWORD, next: 'a-long-new-password', repeat: 'another-long-password' },
        'repeat',
        ko.get('formProblem.passwordsDiffer')!,
      ],
      [
        { current: 'not-my-password', next: 'a-long-new-password', repeat: 'a-long-new-password' },
        'current',
        ko.get('formProblem.currentPassword')!,
      ],
      [{ current: DEMO_PASSWORD, next: 'short', repeat: 'short' }, 'next', ko.get('formProblem.passwordShort')!.replace('{min}', '12')],
    ] as const;
    for (const [fields, id, said] of cases) {
      const refused = await client.postForm('/account/password', fields, await client.csrfTokenOf('/account'));
      expect(refused.status, id).to.be.oneOf([400, 403, 422]);
      expect(refused.html, id).to.include(`<p id="${id}-error" class="field-error">${said}</p>`);
      expect(refused.html, id).to.match(new RegExp(`<div class="error-summary"[\\s\\S]*?<a href="#${id}">`));
      // Passwords are never sent back.
      expect(refused.html, id).to.not.include(fields.next).and.not.include('value="not-my-password"');
    }
    expect((await server.db('users').where({ email: 'official@gyeonggi.example' }).first()).password_hash).to.equal(hashBefore);
  });

  it('when the verify form gets no file or a file that is not a PDF, then the page says so at the file field in the reader\u2019s language', async () => {
    const client = await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example');
    const ru = messageCatalogs().get('ru')!;
    for (const [file, key] of [
      [new Blob(['это не PDF'], { type: 'application/pdf' }), 'formProblem.notPdf'],
      [undefined, 'formProblem.pdfMissing'],
    ] as const) {
      const form = new FormData();
      form.set('_csrf', await client.csrfTokenOf('/verify'));
      if (file) form.set('pdf', file, 'letter.pdf');
      const refused = await client.send('/verify', { method: 'POST', body: form });
      expect(refused.status, key).to.equal(400);
      expect(refused.html, key).to.include(`<p id="pdf-error" class="field-error">${ru.get(key)}</p>`);
      expectReaderLanguage(`/verify (${key})`, visibleText(refused.html), englishPhrases('ru'));
    }
  });

  it('when the other party returns the text for changes, then the drafters read who returned it and why at the top of the page', async () => {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const created = await legal.post('/api/agreements', { kind: 'memorandum' });
    const submitted = await legal.post(`/api/agreements/${created.body.id}/events`, {
      type: 'SUBMIT',
      expectedVersion: created.body.version,
    });
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(200);
    const korean = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
    const returned = await korean.post(`/api/agreements/${created.body.id}/events`, {
      type: 'REQUEST_CHANGES',
      expectedVersion: submitted.body.version,
      comment: WALK_COMMENTS.ko,
    });
    expect(returned.status).to.equal(200);
    const html = (await (await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example')).get(`/agreements/${created.body.id}`)).html;
    const standing = html.slice(html.indexOf('id="status-heading"'), html.indexOf('id="actions-heading"'));
    expect(visibleText(standing)).to.include('Ким Чжи Вон (Кёнгидо) возвращает текст на доработку:');
    expect(standing).to.include(`<blockquote class="timeline__comment" lang="ko"><p>${WALK_COMMENTS.ko}</p></blockquote>`);
  });
});

/** What a ru or ko page must not show: the English catalogue's phrases, raw keys, party keys, Latin words. */
function expectReaderLanguage(page: string, text: string, english: readonly string[]): void {
  expect(
    english.filter((phrase) => text.includes(phrase)),
    `${page}: English`,
  ).to.deep.equal([]);
  expect(rawKeys(text), `${page}: raw keys`).to.deep.equal([]);
  // E-mail addresses and IANA time zones (Asia/Seoul, on the account page) are identifiers, not English.
  const withoutAddresses = text.replace(/[\w.+-]+@[\w.-]+/g, ' ').replace(/\b[A-Z][A-Za-z_]+(?:\/[A-Za-z_+-]+)+/g, ' ');
  expect(withoutAddresses.match(/\b(?:sverdlovsk|gyeonggi)\b/gi) ?? [], `${page}: party keys`).to.deep.equal([]);
  // Beyond the catalogue: no Latin words at all, but the product's name, units and the file's own name.
  const latin = (withoutAddresses.match(/\b[A-Za-z]{3,}\b/g) ?? []).filter((word) => !LATIN_ALLOWED.has(word));
  expect(latin, `${page}: Latin words`).to.deep.equal([]);
}

/** The verify form as a browser posts it: multipart, the file and the form's CSRF token. */
async function verifyUpload(client: WebClient, pdf: Blob): Promise<string> {
  const token = await client.csrfTokenOf('/verify');
  const form = new FormData();
  form.set('_csrf', token);
  form.set('pdf', pdf, 'original.pdf');
  const response = await client.send('/verify', { method: 'POST', body: form });
  expect(response.status).to.equal(200);
  return response.html;
}
