import { expect } from 'chai';
import { translate } from '../../server/web/i18n.ts';
import { LETTER_OF_INTENT } from '../support/execute-demo.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from './web-client.ts';

describe('web: obligations on the agreement page and in the calendar', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('when Gyeonggi legal staff record a yearly obligation in Korean and mark it done, then the page and the calendar show it', async () => {
    server.clock.set('2026-03-02T09:00:00Z');
    const web = await WebClient.signedIn(server.baseUrl, 'legal@gyeonggi.example');
    const page = await web.get(`/agreements/${LETTER_OF_INTENT}`);
    expect(page.html).to.include('<html lang="ko">');
    expect(page.html).to.include(translate('ko', 'obligations.heading'));
    expect(page.html).to.include(translate('ko', 'obligations.none'));
    expect(page.html).to.include(`action="/agreements/${LETTER_OF_INTENT}/obligations"`);
    expect(page.html).to.include('<option value="coordinators">');
    expect(page.html).to.not.include('<option value="final-clause">');
    // The owner offered first is the one recording it.
    expect(page.html).to.match(/<option value="legal@gyeonggi\.example" selected>/);

    const token = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const form = {
      clause: 'coordinators',
      text: '양측 조정관은 매년 1회 이상 회의한다.',
      owner: 'official@gyeonggi.example',
      recurrence: 'yearly',
    };
    const refused = await web.postForm(`/agreements/${LETTER_OF_INTENT}/obligations`, { ...form, dueOn: '2001-01-01' }, token);
    expect(refused.status).to.equal(422);
    expect(refused.html).to.include('<html lang="ko">');
    expect(await server.db('obligations').count({ count: '*' }).first()).to.satisfy((row: { count: unknown }) => Number(row.count) === 0);

    const saved = await web.postForm(`/agreements/${LETTER_OF_INTENT}/obligations`, { ...form, dueOn: '2026-09-30' }, token);
    expect(saved.status).to.equal(303);
    const after = await web.get(`/agreements/${LETTER_OF_INTENT}`);
    expect(after.html).to.include(translate('ko', 'obligations.saved'));
    expect(after.html).to.include(form.text);
    expect(after.html).to.include(translate('ko', 'obligations.recurrence.yearly'));
    expect(after.html).to.include(translate('ko', 'auditEvent.RECORD_OBLIGATION'));
    const [obligation] = await server.db('obligations').select('id');

    const calendar = await web.get('/calendar');
    expect(calendar.html).to.include(`${translate('ko', 'calendar.kind.obligation-due')}: ${form.text}`);

    const done = await web.postForm(
      `/agreements/${LETTER_OF_INTENT}/obligations/${obligation.id}/done`,
      { dueOn: '2026-09-30', note: '2026년 9월 회의 개최' },
      token,
    );
    expect(done.status).to.equal(303);
    const afterDone = await web.get(`/agreements/${LETTER_OF_INTENT}`);
    expect(afterDone.html).to.include(translate('ko', 'obligations.completed'));
    expect(afterDone.html).to.include('2026년 9월 회의 개최');
    expect(afterDone.html).to.include('<input type="hidden" name="dueOn" value="2027-09-30">');

    // The other party sees the obligation, but no form to mark Gyeonggi's done, and records its own.
    const russian = await WebClient.signedIn(server.baseUrl, 'official@sverdlovsk.example');
    const theirs = await russian.get(`/agreements/${LETTER_OF_INTENT}`);
    expect(theirs.html).to.include(translate('ru', 'obligations.heading'));
    expect(theirs.html).to.include(form.text);
    expect(theirs.html).to.not.include(`/obligations/${obligation.id}/done`);
    const observer = await WebClient.signedIn(server.baseUrl, 'observer@sverdlovsk.example');
    expect((await observer.get(`/agreements/${LETTER_OF_INTENT}`)).html).to.not.include(
      `action="/agreements/${LETTER_OF_INTENT}/obligations"`,
    );
  });
});
