import { expect } from 'chai';
import { calendarDayIn, formatDateTime } from '../../server/web/i18n.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { carryToFirstSignature } from './demo-walk.ts';
import { WebClient } from './web-client.ts';

/** Every <time> of a page: its machine value, its hover text and what it shows. */
function timesOf(html: string): { datetime: string; title: string; shown: string }[] {
  return [...html.matchAll(/<time datetime="([^"]+)" title="([^"]+)">([^<]+)<\/time>/g)].map(([, datetime, title, shown]) => ({
    datetime: datetime!,
    title: title!,
    shown: shown!,
  }));
}

describe('web: the calendar day of a moment', () => {
  it('when a signature falls on different days in UTC and in the reader\u2019s zone, then its day is the reader\u2019s', () => {
    // 01:30 in Seoul on 1 December is still 30 November in UTC and in Yekaterinburg.
    expect(calendarDayIn('2026-11-30T16:30:00Z', 'Asia/Seoul')).to.equal('2026-12-01');
    expect(calendarDayIn('2026-11-30T16:30:00Z', 'Asia/Yekaterinburg')).to.equal('2026-11-30');
    expect(calendarDayIn('2026-11-30T16:30:00Z', 'UTC')).to.equal('2026-11-30');
  });
});

describe('web: times in the reader\u2019s time zone, UTC on hover', function () {
  this.timeout(120_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await carryToFirstSignature(server.baseUrl);
  });
  after(() => server?.close());

  for (const [email, lang, zone, offset] of [
    // The letter of intent was signed in 2012, when Yekaterinburg kept UTC+6: the offset is the one of the moment.
    ['legal@sverdlovsk.example', 'ru', 'Asia/Yekaterinburg', /\(UTC\+[56]\)$/],
    ['signatory@gyeonggi.example', 'ko', 'Asia/Seoul', /\(UTC\+9\)$/],
  ] as const) {
    it(`when ${email} reads the agreement, the register and the notifications, then every time is in ${zone} with UTC on hover`, async () => {
      const client = await WebClient.signedIn(server.baseUrl, email);
      for (const page of ['/agreements/2', '/agreements', '/notifications']) {
        const html = (await client.get(page)).html;
        const times = timesOf(html);
        expect(times, page).to.not.be.empty;
        // A <time> without the hover is a time shown only one way.
        expect(html.match(/<time datetime="[^"]+">/g) ?? [], page).to.deep.equal([]);
        for (const time of times) {
          expect(time.shown, page)
            .to.equal(formatDateTime(lang, time.datetime, zone))
            .and.match(offset);
          expect(time.title, page)
            .to.equal(formatDateTime(lang, time.datetime, 'UTC'))
            .and.match(/ UTC$/);
        }
      }
    });
  }

  it('when the Korean signatory makes a calendar feed and verifies an original, then those pages show their times in Seoul time too', async () => {
    const client = await WebClient.signedIn(server.baseUrl, 'signatory@gyeonggi.example');
    expect((await client.postForm('/calendar/feeds', {}, await client.csrfTokenOf('/calendar'))).status).to.equal(200);
    const form = new FormData();
    form.set('_csrf', await client.csrfTokenOf('/verify'));
    form.set('pdf', new Blob([await client.download('/agreements/1/originals/gyeonggi')], { type: 'application/pdf' }), 'original.pdf');
    const verified = await client.send('/verify', { method: 'POST', body: form });
    expect(verified.status).to.equal(200);
    for (const html of [(await client.get('/calendar')).html, verified.html]) {
      const times = timesOf(html);
      expect(times).to.not.be.empty;
      for (const time of times)
        expect(time.shown)
          .to.equal(formatDateTime('ko', time.datetime, 'Asia/Seoul'))
          .and.match(/\(UTC\+9\)$/);
    }
  });

  it('when a user chooses a zone of their own on the account page, then the pages show it, and the party\u2019s again when they go back to it', async () => {
    const client = await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example');
    const account = (await client.get('/account')).html;
    expect(account).to.match(/<option value="Asia\/Tokyo" >Asia\/Tokyo \(Япония, стандартное время, UTC\+9\)<\/option>/);
    expect(account).to.match(/<option value="" selected>[^<]*Asia\/Yekaterinburg/);
    const token = await client.csrfTokenOf('/account');
    const chosen = await client.postForm('/account/time-zone', { timeZone: 'Asia/Tokyo' }, token);
    expect(chosen.status).to.equal(303);
    expect((await server.db('users').where({ email: 'legal@sverdlovsk.example' }).first()).time_zone).to.equal('Asia/Tokyo');
    const [first] = timesOf((await client.get('/agreements/2')).html);
    expect(first!.shown)
      .to.equal(formatDateTime('ru', first!.datetime, 'Asia/Tokyo'))
      .and.contain('(UTC+9)');

    const unknown = await client.postForm('/account/time-zone', { timeZone: 'Mars/Olympus' }, token);
    expect(unknown.status).to.equal(400);
    expect((await server.db('users').where({ email: 'legal@sverdlovsk.example' }).first()).time_zone).to.equal('Asia/Tokyo');

    expect((await client.postForm('/account/time-zone', { timeZone: '' }, token)).status).to.equal(303);
    expect((await server.db('users').where({ email: 'legal@sverdlovsk.example' }).first()).time_zone).to.equal(null);
    const [again] = timesOf((await client.get('/agreements/2')).html);
    expect(again!.shown).to.contain('(UTC+5)');
  });
});
