import { expect } from 'chai';
import { MAX_WORD_LENGTH } from '../../server/text/word-length.ts';
import { ApiClient, type ApiResponse, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe(`clause limits API (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let legal: ApiClient;
  let id: number;

  const editPurpose = (text: string) => legal.put(`/api/agreements/${id}/clauses/purpose`, { lang: 'en', text, expectedVersion: 1 });
  /** Asserts a refusal with 422 and the limit named, and that nothing stored changed. */
  const expectRefused = async (request: () => Promise<ApiResponse>, expected: { detail: RegExp; limit?: string }) => {
    const before = await storedAgreement(server.db, id);
    const refused = await request();
    expect(refused.status, refused.body?.detail).to.equal(422);
    expect(refused.contentType).to.match(/problem\+json/);
    expect(refused.body.detail).to.match(expected.detail);
    if (expected.limit) expect(refused.body.limit).to.equal(expected.limit);
    expect(await storedAgreement(server.db, id)).to.equal(before);
    const agreement = ok(await legal.get(`/api/agreements/${id}`));
    expect(agreement.version).to.equal(1);
  };

  before(async () => {
    server = await startTestServer();
    legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
  });
  after(async () => server?.close());

  beforeEach(async () => {
    id = ok(await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] }), 201).id;
  });

  it('when a clause holds a word longer than the limit, then it is refused with the limit named and nothing changes', async () => {
    const word = 'x'.repeat(MAX_WORD_LENGTH + 1);
    await expectRefused(() => editPurpose(`<p>The Parties shall ${word} cooperate.</p>`), {
      detail: new RegExp(
        `^clause "purpose" \\(en\\): a word of ${MAX_WORD_LENGTH + 1} characters .*limit of ${MAX_WORD_LENGTH} characters for one word$`,
      ),
      limit: `${MAX_WORD_LENGTH} characters per word`,
    });
    const purpose = ok(await legal.get(`/api/agreements/${id}`)).clauses.find((clause: { key: string }) => clause.key === 'purpose');
    expect(purpose.texts.en).to.not.include(word);
  });

  it('when a word is exactly at the limit, then the clause is stored', async () => {
    // The full stop belongs to the word, as the line breaker sees it.
    const edited = ok(await editPurpose(`<p>The Parties shall cooperate: ${'x'.repeat(MAX_WORD_LENGTH - 1)}.</p>`));
    expect(edited.version).to.equal(2);
  });

  it('when a template joins variables into one overlong word, then the printed word is refused', async () => {
    // A new agreement's three areas: 3 x 3 x 8 = 72 letters with no space between them.
    await expectRefused(() => editPurpose('<p>{{#each areas}}{{#each @root.areas}}xxxxxxxx{{/each}}{{/each}}</p>'), {
      detail: /^clause "purpose" \(en\): a word of 72 characters/,
    });
  });

  it('when a printed variable holds an overlong word, then it is refused naming the field and nothing changes', async () => {
    const areas = [{ en: 'trade', ru: 'торговля', ko: 'a'.repeat(MAX_WORD_LENGTH + 1) }];
    await expectRefused(() => legal.put(`/api/agreements/${id}/variables`, { variables: { areas }, expectedVersion: 1 }), {
      detail: new RegExp(`variables\\.areas\\.0\\.ko: contains a word of ${MAX_WORD_LENGTH + 1} characters`),
    });
  });

  it('when a clause calls {{log}} or nests loops too deep, then it is refused naming the clause and language and nothing changes', async () => {
    await expectRefused(() => editPurpose('<p>{{log "the clause text"}}</p>'), {
      detail: /^clause "purpose" \(en\): the helper "log" is not allowed/,
    });
    const fiveLoops = `<p>${'{{#each @root.areas}}'.repeat(5)}x${'{{/each}}'.repeat(5)}</p>`;
    await expectRefused(() => editPurpose(fiveLoops), {
      detail: /^clause "purpose" \(en\): loops \(\{\{#each\}\}\) nest more than 2 deep$/,
      limit: 'loop depth 2',
    });
  });
});
