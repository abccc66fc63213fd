import { expect } from 'chai';
import { translate } from '../../server/web/i18n.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from './web-client.ts';

describe('web: the calendar page and its feeds', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('when Gyeonggi legal staff open the calendar, then its dates are in Korean, and a feed made there works until revoked there', async () => {
    const web = await WebClient.signedIn(server.baseUrl, 'legal@gyeonggi.example');
    const page = await web.get('/calendar');
    expect(page.status).to.equal(200);
    expect(page.html).to.include('<html lang="ko">').and.include(translate('ko', 'calendar.title'));
    // The seeded letter of intent entered into force on signature, 14 June 2012.
    expect(page.html).to.include('<time datetime="2012-06-14">2012년 6월 14일</time>');
    expect(page.html).to.include(translate('ko', 'calendar.kind.entry-into-force'));

    const download = await web.get('/calendar.ics');
    expect(download.headers.get('content-type')).to.match(/^text\/calendar/);
    expect(download.html).to.include('DTSTART;VALUE=DATE:20120614');

    const token = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const made = await web.postForm('/calendar/feeds', {}, token);
    expect(made.status).to.equal(200);
    const url = /<code class="feed-url">([^<]+)<\/code>/.exec(made.html)![1]!;
    expect((await fetch(url)).status).to.equal(200);
    // Shown once: the page read again shows the feed but not its address.
    const again = await web.get('/calendar');
    expect(again.html).to.not.include(url);
    const id = /action="\/calendar\/feeds\/([^/]+)\/revoke"/.exec(again.html)![1]!;
    const revoked = await web.postForm(`/calendar/feeds/${id}/revoke`, {}, token);
    expect(revoked.status).to.equal(303);
    expect((await web.get('/calendar')).html).to.include(translate('ko', 'calendar.revoked'));
    expect((await fetch(url)).status).to.equal(404);
  });
});
