import { expect } from 'chai';
import { clauseLibrary } from '../../server/text/clause-library.ts';
import { translate } from '../../server/web/i18n.ts';
import { ApiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from './web-client.ts';

describe('web: marking a difference between the languages as intended', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('when a difference is shown on the Korean agreement page, then Gyeonggi legal staff mark it with a reason and the page says so', async () => {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const created = await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] });
    const library = clauseLibrary().clauses.get('duration-and-termination')!.texts.en;
    let agreement = (
      await legal.put(`/api/agreements/${created.body.id}/clauses/duration-and-termination`, {
        lang: 'en',
        text: library.replaceAll('{{count noticeMonths "month" words=true}}', '7 months'),
        expectedVersion: created.body.version,
      })
    ).body;
    for (const lang of ['ru', 'ko']) {
      agreement = (
        await legal.post(`/api/agreements/${created.body.id}/clauses/duration-and-termination/confirm`, {
          lang,
          expectedVersion: agreement.version,
        })
      ).body;
    }

    const web = await WebClient.signedIn(server.baseUrl, 'legal@gyeonggi.example');
    const page = await web.get(`/agreements/${agreement.id}`);
    expect(page.html).to.include(translate('ko', 'consistency.heading')).and.include(translate('ko', 'consistency.rule.numbers'));
    expect(page.html).to.include(`action="/agreements/${agreement.id}/consistency/duration-and-termination/intended"`);

    // The drafting desk shows it on the clause, where the text is fixed, with what each language says.
    const desk = await web.get(`/agreements/${agreement.id}/text`);
    const clause = desk.html.slice(desk.html.indexOf('id="clause-duration-and-termination"'));
    const note = clause.slice(0, clause.indexOf('<div class="languages'));
    expect(note).to.include(translate('ko', 'consistency.heading')).and.include(translate('ko', 'consistency.rule.numbers'));
    expect(note).to.include('<span lang="en">').and.include('7');
    expect(note).to.include(translate('ko', 'consistency.markOnAgreementPage'));

    const token = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const empty = await web.postForm(
      `/agreements/${agreement.id}/consistency/duration-and-termination/intended`,
      { rule: 'numbers', reason: '', expectedVersion: String(agreement.version) },
      token,
    );
    expect(empty.status).to.equal(400);
    expect(await server.db('intended_differences').count({ n: '*' }).first()).to.deep.include({ n: 0 });

    const marked = await web.postForm(
      `/agreements/${agreement.id}/consistency/duration-and-termination/intended`,
      { rule: 'numbers', reason: '영어본의 통보 기간은 양측이 합의한 것이다.', expectedVersion: String(agreement.version) },
      token,
    );
    expect(marked.status).to.equal(303);
    const after = await web.get(`/agreements/${agreement.id}`);
    expect(after.html).to.include(translate('ko', 'consistency.marked'));
    expect(after.html).to.include('영어본의 통보 기간은 양측이 합의한 것이다.');
    expect(after.html).to.include(translate('ko', 'auditEvent.MARK_INTENDED'));
    // Gyeonggi has marked it: no second form for Gyeonggi, while Sverdlovsk still has its own.
    expect(after.html).not.to.include('/consistency/duration-and-termination/intended"');
    const sverdlovsk = await (await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example')).get(`/agreements/${agreement.id}`);
    expect(sverdlovsk.html).to.include(translate('ru', 'consistency.mark'));
  });
});
