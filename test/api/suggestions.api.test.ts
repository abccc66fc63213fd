import { expect } from 'chai';
import { ApiClient, type ApiResponse, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { tempFile, tool } from '../support/pdf-tools.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** The drafting desk's negotiation: suggestions made, listed, accepted, rejected, withdrawn, outdated, discussed. */
describe(`suggestions API (${TEST_DATABASE_KIND})`, function () {
  this.timeout(120_000);
  let server: TestServer;
  let legal: ApiClient;
  let legalGyeonggi: ApiClient;
  let officialGyeonggi: ApiClient;
  let id: number;

  const agreement = async () => ok(await legal.get(`/api/agreements/${id}`));
  const clauseText = async (key: string, lang: string) =>
    (await agreement()).clauses.find((clause: { key: string }) => clause.key === key).texts[lang] as string;
  /** A refused request: the status and code, the detail matching, and nothing stored changed. */
  const expectRefused = async (request: () => Promise<ApiResponse>, status: number, code: string, detail?: RegExp) => {
    const before = await storedAgreement(server.db, id);
    const refused = await request();
    expect(refused.status, JSON.stringify(refused.body)).to.equal(status);
    expect(refused.contentType).to.match(/problem\+json/);
    expect(refused.body.code).to.equal(code);
    if (detail) expect(refused.body.detail).to.match(detail);
    expect(await storedAgreement(server.db, id)).to.equal(before);
    return refused.body;
  };
  const suggest = (client: ApiClient, body: Record<string, unknown>) => client.post(`/api/agreements/${id}/suggestions`, body);

  before(async () => {
    server = await startTestServer();
    [legal, legalGyeonggi, officialGyeonggi] = await Promise.all(
      ['legal@sverdlovsk.example', 'legal@gyeonggi.example', 'official@gyeonggi.example'].map((email) =>
        ApiClient.signIn(server.baseUrl, email),
      ),
    );
  });
  after(async () => server?.close());

  beforeEach(async () => {
    id = ok(await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] }), 201).id;
  });

  it('when the agreement is read, then every clause text is the editable format: fields as references, no template source', async () => {
    const view = await agreement();
    for (const clause of view.clauses) {
      for (const text of Object.values(clause.texts) as string[]) expect(text, clause.key).to.not.match(/\{\{|\}\}/);
    }
    expect(await clauseText('preamble', 'ko')).to.include('<field ref="first.name" josa="와/과"/>');
    // What GET answers, PUT takes back unchanged: the round trip prints the same.
    const preamble = await clauseText('preamble', 'ru');
    const written = ok(await legal.put(`/api/agreements/${id}/clauses/preamble`, { lang: 'ru', text: preamble, expectedVersion: 1 }));
    expect(written.clauses.find((clause: { key: string }) => clause.key === 'preamble').texts.ru).to.equal(preamble);
  });

  it('when the counterparty suggests a change, then it is listed as open with its changes, and the text and version stay', async () => {
    const before = await clauseText('purpose', 'ru');
    const text = before.replace('долгосрочное и взаимовыгодное', 'долгосрочное, устойчивое и взаимовыгодное');
    const made = ok(
      await suggest(legalGyeonggi, { clause: 'purpose', lang: 'ru', text, expectedVersion: 1, comment: 'Предлагаем уточнить.' }),
      201,
    );
    expect(made).to.include({ clause: 'purpose', lang: 'ru', state: 'open', by: 'legal@gyeonggi.example' });
    expect(
      made.changes
        .filter((change: { op: string }) => change.op === 'insert')
        .map((change: { text: string }) => change.text)
        .join(''),
    ).to.include('устойчивое');
    expect(made.at).to.be.a('string');
    const view = await agreement();
    expect(view.version).to.equal(1);
    expect(await clauseText('purpose', 'ru')).to.equal(before);
    expect(ok(await legal.get(`/api/agreements/${id}/suggestions`)).map((suggestion: { id: number }) => suggestion.id)).to.deep.equal([
      made.id,
    ]);
    const [thread] = ok(await legal.get(`/api/agreements/${id}/comments`));
    expect(thread).to.include({ suggestion: made.id, clause: 'purpose', lang: 'ru', body: 'Предлагаем уточнить.' });
  });

  it('when the drafting party accepts, then a new version is written as an edit: other languages need review, the audit names both, the PDF prints it', async () => {
    const text = (await clauseText('purpose', 'ru')).replace('долгосрочное', 'долгосрочное и устойчивое');
    const made = ok(await suggest(legalGyeonggi, { clause: 'purpose', lang: 'ru', text, expectedVersion: 1 }), 201);
    const accepted = ok(await legal.post(`/api/agreements/${id}/suggestions/${made.id}/accept`, { expectedVersion: 1 }));
    expect(accepted.version).to.equal(2);
    const purpose = accepted.clauses.find((clause: { key: string }) => clause.key === 'purpose');
    expect(purpose.texts.ru).to.equal(text);
    expect(purpose.status).to.deep.equal({ ru: 'confirmed', ko: 'needs-review', en: 'needs-review' });
    const audit = ok(await legal.get(`/api/agreements/${id}/audit`));
    expect(audit.at(-1)).to.include({ event: 'EDIT_TEXT', actor: 'legal@sverdlovsk.example' });
    expect(audit.at(-1).detail)
      .to.include(`suggestion ${made.id} by legal@gyeonggi.example`)
      .and.include('accepted by legal@sverdlovsk.example');
    const [listed] = ok(await legal.get(`/api/agreements/${id}/suggestions`));
    expect(listed).to.include({ state: 'accepted', decidedBy: 'legal@sverdlovsk.example', acceptedVersion: 2 });
    const versions = ok(await legal.get(`/api/agreements/${id}/versions`));
    expect(versions.versions[0].change).to.deep.equal({ op: 'edit', clause: 'purpose', lang: 'ru', suggestion: made.id });

    const pdf = await legal.request('GET', `/api/agreements/${id}/pdf?original=sverdlovsk`);
    expect(pdf.status).to.equal(200);
    const { stdout } = await tool('pdftotext', [tempFile('draft.pdf', pdf.bytes), '-']);
    expect(stdout.replace(/\s+/g, ' ')).to.include('долгосрочное и устойчивое');
    // Accepted once: a second decision is refused and changes nothing.
    await expectRefused(
      () => legal.post(`/api/agreements/${id}/suggestions/${made.id}/reject`, { expectedVersion: 2 }),
      422,
      'RULE_VIOLATION',
      /already accepted/,
    );
  });

  it('when two suggestions change the same words, then accepting one outdates the other: 409 with what changed, then withdrawn by its author', async () => {
    const base = await clauseText('purpose', 'ru');
    const first = ok(
      await suggest(legalGyeonggi, { clause: 'purpose', lang: 'ru', text: base.replace('долгосрочное', 'стабильное'), expectedVersion: 1 }),
      201,
    );
    const second = ok(
      await suggest(legal, { clause: 'purpose', lang: 'ru', text: base.replace('долгосрочное', 'многолетнее'), expectedVersion: 1 }),
      201,
    );
    ok(await legal.post(`/api/agreements/${id}/suggestions/${first.id}/accept`, { expectedVersion: 1 }));
    const listed = ok(await legal.get(`/api/agreements/${id}/suggestions`));
    expect(listed.find((suggestion: { id: number }) => suggestion.id === second.id).state).to.equal('outdated');
    const conflict = await expectRefused(
      () => legal.post(`/api/agreements/${id}/suggestions/${second.id}/accept`, { expectedVersion: 2 }),
      409,
      'VERSION_CONFLICT',
      /outdated/,
    );
    expect(conflict).to.include({ suggestion: second.id, clause: 'purpose', lang: 'ru', baseVersion: 1 });
    expect(conflict.changed).to.deep.include({ op: 'insert', text: 'стабильное' });
    expect(conflict.changed).to.deep.include({ op: 'delete', text: 'долгосрочное' });
    // Only its author withdraws it.
    await expectRefused(
      () => legalGyeonggi.post(`/api/agreements/${id}/suggestions/${second.id}/withdraw`, { expectedVersion: 2 }),
      403,
      'FORBIDDEN',
    );
    expect(ok(await legal.post(`/api/agreements/${id}/suggestions/${second.id}/withdraw`, { expectedVersion: 2 })).state).to.equal(
      'withdrawn',
    );
  });

  it('when two suggestions change different words of a clause, then accepting one leaves the other open, and accepting it keeps both changes', async () => {
    const base = await clauseText('purpose', 'ru');
    const first = ok(
      await suggest(legalGyeonggi, { clause: 'purpose', lang: 'ru', text: base.replace('долгосрочное', 'стабильное'), expectedVersion: 1 }),
      201,
    );
    const second = ok(
      await suggest(legalGyeonggi, {
        clause: 'purpose',
        lang: 'ru',
        text: base.replace('на основе равноправия', 'на основе полного равноправия'),
        expectedVersion: 1,
      }),
      201,
    );
    ok(await legal.post(`/api/agreements/${id}/suggestions/${first.id}/accept`, { expectedVersion: 1 }));
    const listed = ok(await legal.get(`/api/agreements/${id}/suggestions`));
    expect(listed.find((suggestion: { id: number }) => suggestion.id === second.id).state).to.equal('open');
    const accepted = ok(await legal.post(`/api/agreements/${id}/suggestions/${second.id}/accept`, { expectedVersion: 2 }));
    expect(accepted.version).to.equal(3);
    const text = accepted.clauses.find((clause: { key: string }) => clause.key === 'purpose').texts.ru;
    expect(text).to.equal(base.replace('долгосрочное', 'стабильное').replace('на основе равноправия', 'на основе полного равноправия'));
  });

  it('when a direct edit changes other words, then a suggestion stays acceptable; when it changes the same words, then 409 and nothing changes', async () => {
    const base = await clauseText('purpose', 'en');
    const kept = ok(
      await suggest(legalGyeonggi, { clause: 'purpose', lang: 'en', text: base.replace('long-term', 'lasting'), expectedVersion: 1 }),
      201,
    );
    const overlapped = ok(
      await suggest(legalGyeonggi, {
        clause: 'purpose',
        lang: 'en',
        text: base.replace('mutual benefit', 'shared benefit'),
        expectedVersion: 1,
      }),
      201,
    );
    // The drafting party rewrites the words the second suggestion changes, and only those.
    const edited = base.replace('mutual benefit', 'reciprocal benefit');
    expect(edited).to.not.equal(base);
    ok(await legal.put(`/api/agreements/${id}/clauses/purpose`, { lang: 'en', text: edited, expectedVersion: 1 }));
    const states = Object.fromEntries(
      ok(await legal.get(`/api/agreements/${id}/suggestions`)).map((suggestion: { id: number; state: string }) => [
        suggestion.id,
        suggestion.state,
      ]),
    );
    expect(states).to.deep.equal({ [kept.id]: 'open', [overlapped.id]: 'outdated' });
    const conflict = await expectRefused(
      () => legal.post(`/api/agreements/${id}/suggestions/${overlapped.id}/accept`, { expectedVersion: 2 }),
      409,
      'VERSION_CONFLICT',
      /outdated/,
    );
    expect(conflict.changed).to.deep.include({ op: 'insert', text: 'reciprocal' });
    const accepted = ok(await legal.post(`/api/agreements/${id}/suggestions/${kept.id}/accept`, { expectedVersion: 2 }));
    expect(accepted.clauses.find((clause: { key: string }) => clause.key === 'purpose').texts.en).to.equal(
      edited.replace('long-term', 'lasting'),
    );
    // Outdated, it stays so: its words are changed in the text it would be applied to.
    await expectRefused(
      () => legal.post(`/api/agreements/${id}/suggestions/${overlapped.id}/accept`, { expectedVersion: 3 }),
      409,
      'VERSION_CONFLICT',
    );
  });

  it('when two suggestions insert at the same place, then accepting one outdates the other', async () => {
    const base = await clauseText('financing', 'ko');
    const a = ok(
      await suggest(legalGyeonggi, {
        clause: 'financing',
        lang: 'ko',
        text: base.replace('부담한다', '각자 부담한다'),
        expectedVersion: 1,
      }),
      201,
    );
    const b = ok(
      await suggest(legalGyeonggi, {
        clause: 'financing',
        lang: 'ko',
        text: base.replace('부담한다', '스스로 부담한다'),
        expectedVersion: 1,
      }),
      201,
    );
    ok(await legal.post(`/api/agreements/${id}/suggestions/${a.id}/accept`, { expectedVersion: 1 }));
    await expectRefused(
      () => legal.post(`/api/agreements/${id}/suggestions/${b.id}/accept`, { expectedVersion: 2 }),
      409,
      'VERSION_CONFLICT',
      /outdated/,
    );
  });

  it('when a suggestion is rejected, then no text changes and it is closed; only the drafting party decides', async () => {
    const text = (await clauseText('financing', 'ko')).replace('부담한다', '각자 부담한다');
    const made = ok(await suggest(legalGyeonggi, { clause: 'financing', lang: 'ko', text, expectedVersion: 1 }), 201);
    await expectRefused(
      () => legalGyeonggi.post(`/api/agreements/${id}/suggestions/${made.id}/accept`, { expectedVersion: 1 }),
      403,
      'FORBIDDEN',
    );
    await expectRefused(
      () => officialGyeonggi.post(`/api/agreements/${id}/suggestions/${made.id}/reject`, { expectedVersion: 1 }),
      403,
      'FORBIDDEN',
    );
    await expectRefused(
      () => legal.post(`/api/agreements/${id}/suggestions/${made.id}/reject`, { expectedVersion: 0 }),
      409,
      'VERSION_CONFLICT',
    );
    const textsBefore = (await agreement()).clauses;
    const rejected = ok(await legal.post(`/api/agreements/${id}/suggestions/${made.id}/reject`, { expectedVersion: 1 }));
    expect(rejected).to.include({ state: 'rejected', decidedBy: 'legal@sverdlovsk.example' });
    const after = await agreement();
    expect(after.version).to.equal(1);
    expect(after.clauses).to.deep.equal(textsBefore);
  });

  it('when a suggestion does not parse, names an unknown field or clause, changes nothing or is stale, then 422/404/409 naming it and nothing changes', async () => {
    const base = await clauseText('purpose', 'en');
    const attempt = (body: Record<string, unknown>) => () =>
      suggest(legalGyeonggi, { clause: 'purpose', lang: 'en', expectedVersion: 1, ...body });
    const unparsed = await expectRefused(
      attempt({ text: '<p>a <div>b</div></p>' }),
      422,
      'RULE_VIOLATION',
      /^clause "purpose" \(en\): <div>/,
    );
    expect(unparsed).to.include({ clause: 'purpose', lang: 'en' });
    const unknownField = await expectRefused(
      attempt({ text: '<p>Paid by <field ref="treasurer"/>.</p>' }),
      422,
      'RULE_VIOLATION',
      /unknown field "treasurer"/,
    );
    expect(unknownField.field).to.equal('treasurer');
    await expectRefused(attempt({ text: '<p>{{termYears}} years</p>' }), 422, 'RULE_VIOLATION', /braces/);
    await expectRefused(attempt({ text: base }), 422, 'RULE_VIOLATION', /changes nothing/);
    // The same text spelled differently (whitespace) changes nothing either.
    await expectRefused(attempt({ text: base.replace('<p>', '<p>  ') }), 422, 'RULE_VIOLATION', /changes nothing/);
    await expectRefused(attempt({ clause: 'no-such-clause', text: '<p>x</p>' }), 404, 'NOT_FOUND');
    await expectRefused(attempt({ text: '<p>Changed.</p>', expectedVersion: 0 }), 409, 'VERSION_CONFLICT');
    await expectRefused(attempt({ text: '<p>\u{1F600}</p>' }), 422, 'RULE_VIOLATION');
    await expectRefused(
      () => suggest(officialGyeonggi, { clause: 'purpose', lang: 'en', text: '<p>Changed.</p>', expectedVersion: 1 }),
      403,
      'FORBIDDEN',
    );
    await expectRefused(() => legal.post(`/api/agreements/${id}/suggestions/999999/accept`, { expectedVersion: 1 }), 404, 'NOT_FOUND');
  });

  it('when a suggestion inserts a field, then accepting it prints the value, and changing the value changes the sentence in every original', async () => {
    const text = '<p>The Parties shall meet every <field ref="termYears"/> years in <field ref="place"/>.</p>';
    const made = ok(await suggest(legal, { clause: 'purpose', lang: 'en', text, expectedVersion: 1 }), 201);
    expect(made.changes.map((change: { text: string }) => change.text).join(' ')).to.include('Yekaterinburg');
    let view = ok(await legal.post(`/api/agreements/${id}/suggestions/${made.id}/accept`, { expectedVersion: 1 }));
    expect(view.clauses.find((clause: { key: string }) => clause.key === 'purpose').texts.en).to.equal(text);
    view = ok(await legal.put(`/api/agreements/${id}/variables`, { variables: { termYears: 7 }, expectedVersion: view.version }));
    const preview = await legal.request('GET', `/api/agreements/${id}/preview?original=gyeonggi`);
    expect(preview.body).to.include('meet every 7 years in');
  });

  it('when a non-binding clause is edited, then the lawyer reads only the wording that applies, fields stay references and follow the data', async () => {
    const letter = ok(await legal.post('/api/agreements', { kind: 'letter-of-intent', languages: ['ru', 'ko', 'en'] }), 201).id;
    const texts = (key: string) =>
      legal
        .get(`/api/agreements/${letter}`)
        .then((response) => ok(response).clauses.find((clause: { key: string }) => clause.key === key).texts);
    const purpose = (await texts('purpose')).en as string;
    expect(purpose).to.include('intend to develop').and.not.include('shall');
    const text = purpose.replace('intend to develop', 'intend to develop, for <field ref="termYears"/> years,');
    ok(await legal.put(`/api/agreements/${letter}/clauses/purpose`, { lang: 'en', text, expectedVersion: 1 }));
    expect((await texts('purpose')).en).to.equal(text);
    // The untouched languages keep the library's wording, still settled by the kind.
    expect((await texts('purpose')).ru).to.include('намерены развивать');
    ok(await legal.put(`/api/agreements/${letter}/variables`, { variables: { termYears: 3 }, expectedVersion: 2 }));
    for (const original of ['sverdlovsk', 'gyeonggi']) {
      const preview = await legal.request('GET', `/api/agreements/${letter}/preview?original=${original}`);
      expect(preview.body, original).to.include('intend to develop, for 3 years,');
    }
  });

  it("when data that chose an edited clause's wording changes, then that language needs review; unedited languages switch wording; a value alone flags nothing", async () => {
    const clause = async () => (await agreement()).clauses.find((each: { key: string }) => each.key === 'duration-and-termination');
    const edited = ((await clause()).texts.en as string).replace('shall remain in force', 'shall stay in force');
    expect(edited).to.include('automatically extended');
    let version = ok(
      await legal.put(`/api/agreements/${id}/clauses/duration-and-termination`, { lang: 'en', text: edited, expectedVersion: 1 }),
    ).version;
    for (const lang of ['ru', 'ko']) {
      version = ok(
        await legal.post(`/api/agreements/${id}/clauses/duration-and-termination/confirm`, { lang, expectedVersion: version }),
      ).version;
    }
    // A value: the edited sentence follows it, nothing needs review.
    version = ok(await legal.put(`/api/agreements/${id}/variables`, { variables: { termYears: 7 }, expectedVersion: version })).version;
    expect((await clause()).status).to.deep.equal({ ru: 'confirmed', ko: 'confirmed', en: 'confirmed' });
    // A choice of wording: the edited English still reads as the lawyer wrote it, and needs review.
    ok(await legal.put(`/api/agreements/${id}/variables`, { variables: { autoRenewal: false }, expectedVersion: version }));
    const after = await clause();
    expect(after.status).to.deep.equal({ ru: 'confirmed', ko: 'confirmed', en: 'needs-review' });
    expect(after.texts.en).to.equal(edited);
    expect(after.texts.ru).to.not.include('автоматически продлевается');
  });

  it('when a suggestion inserts a list field, then accepted it prints one item per entry in its language, and a list used as a value is 422', async () => {
    const view = await agreement();
    const areas = (view.variables.areas as { ko: string }[]).map((area) => area.ko);
    const base = await clauseText('financing', 'ko');
    const text = `${base}\n<ul>\n<field ref="areas" list sep=";" end="."/>\n</ul>`;
    const made = ok(await suggest(legalGyeonggi, { clause: 'financing', lang: 'ko', text, expectedVersion: 1 }), 201);
    expect(made.changes.map((change: { text: string }) => change.text).join(' ')).to.include(areas[0]);
    await expectRefused(
      () => suggest(legalGyeonggi, { clause: 'financing', lang: 'ko', text: '<p>분야: <field ref="areas"/></p>', expectedVersion: 1 }),
      422,
      'RULE_VIOLATION',
      /"areas" is a list/,
    );
    const printed = async () => (await legal.request('GET', `/api/agreements/${id}/preview?original=gyeonggi`)).body as string;
    const count = (body: string, needle: string) => body.split(needle).length - 1;
    const before = await printed();
    ok(await legal.post(`/api/agreements/${id}/suggestions/${made.id}/accept`, { expectedVersion: 1 }));
    expect(await clauseText('financing', 'ko')).to.equal(text);
    const after = await printed();
    // Each entry once more than before: in the financing article now, as well as in the article on the areas.
    for (const [index, area] of areas.entries()) {
      const item = `${area}${index + 1 < areas.length ? ';' : '.'}`;
      expect(count(after, item), item).to.equal(count(before, item) + 1);
    }
  });

  it('when a thread is anchored to a suggestion, then replies stay in it, internal ones stay within the party', async () => {
    const text = (await clauseText('purpose', 'en')).replace('long-term', 'lasting');
    const made = ok(await suggest(legalGyeonggi, { clause: 'purpose', lang: 'en', text, expectedVersion: 1 }), 201);
    const thread = ok(
      await legalGyeonggi.post(`/api/agreements/${id}/comments`, { clause: 'purpose', lang: 'en', body: 'Shorter.', suggestion: made.id }),
      201,
    );
    expect(thread.suggestion).to.equal(made.id);
    const reply = ok(
      await legal.post(`/api/agreements/${id}/comments`, { clause: 'purpose', lang: 'en', body: 'Agreed.', replyTo: thread.id }),
      201,
    );
    expect(reply.suggestion).to.equal(made.id);
    ok(
      await legal.post(`/api/agreements/${id}/comments`, {
        clause: 'purpose',
        lang: 'en',
        body: 'Between us: fine.',
        suggestion: made.id,
        internal: true,
      }),
      201,
    );
    const seenByGyeonggi = ok(await legalGyeonggi.get(`/api/agreements/${id}/comments`));
    expect(seenByGyeonggi.map((comment: { body: string }) => comment.body)).to.deep.equal(['Shorter.', 'Agreed.']);
    await expectRefused(
      () => legal.post(`/api/agreements/${id}/comments`, { clause: 'financing', lang: 'en', body: 'x', suggestion: made.id }),
      422,
      'RULE_VIOLATION',
    );
  });
});
