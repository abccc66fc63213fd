import { expect } from 'chai';
import { insertParty } from '../../db/repositories/parties.repository.ts';
import { addUser } from '../../server/auth/user-administration.ts';
import { DEMO_PARTIES } from '../../server/demo/demo-parties.ts';
import { ApiClient, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';

const SIGNING_DAY = '2026-03-02';

/** The events of an iCalendar document, each as its unfolded properties (RFC 5545: a line starting with a space continues the last). */
function calendarEvents(text: string): Record<string, string>[] {
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
  const events: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      events.push(current!);
      current = undefined;
    } else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon)] = line.slice(colon + 1);
    }
  }
  return events;
}

describe(`calendar of the dates that bind a party (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await insertParty(server.db, { ...DEMO_PARTIES[1]!, key: 'outsider', language: 'en' }, new Date().toISOString());
    await addUser(
      server.db,
      'outsider',
      { email: 'legal@outsider.example', role: 'legal', displayName: 'Outsider', password: DEMO_PASSWORD },
      new Date(),
    );
  });
  after(async () => server?.close());

  it('when a memorandum is signed and both parties notify, then each party’s calendar and feed hold its dates, and no one else’s does', async () => {
    server.clock.set(`${SIGNING_DAY}T09:00:00Z`);
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const created = ok(
      await legal.post('/api/agreements', {
        kind: 'memorandum',
        counterparty: 'gyeonggi',
        languages: ['ru', 'ko'],
        variables: { entryIntoForce: 'notifications', termYears: 2, noticeMonths: 3 },
      }),
      201,
    );
    ok(await legal.put(`/api/agreements/${created.id}/deadlines`, { signingDueOn: '2026-04-30', expectedVersion: created.version }));
    const mine = async (client: ApiClient) =>
      (ok(await client.get('/api/calendar')).dates as { agreementId: number; kind: string; date: string; title: string }[])
        .filter((date) => date.agreementId === created.id)
        .map(({ kind, date }) => [kind, date]);
    expect(await mine(legal)).to.deep.equal([['signing-due', '2026-04-30']]);

    await runEvents(server, created.id, HAPPY_PATH);
    const official = await ApiClient.signIn(server.baseUrl, 'official@gyeonggi.example');
    const { version } = ok(await official.get(`/api/agreements/${created.id}`));
    ok(await official.post(`/api/agreements/${created.id}/events`, { type: 'NOTIFY_COMPLETION', expectedVersion: version }));
    // Sverdlovsk's notification is its state registration.
    ok(
      await legal.put(`/api/agreements/${created.id}/registrations/sverdlovsk`, {
        authority: 'Министерство юстиции Российской Федерации',
        number: 'RU66-2026-0001',
        registeredOn: SIGNING_DAY,
        expectedVersion: version + 1,
      }),
    );
    // In force on the later notification; the term ends two years on; notice is due three months before.
    const expected = [
      ['entry-into-force', SIGNING_DAY],
      ['notice-deadline', '2027-12-02'],
      ['term-end', '2028-03-02'],
    ];
    expect(await mine(legal)).to.deep.equal(expected);
    const gyeonggi = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
    expect(await mine(gyeonggi)).to.deep.equal(expected);
    const outsider = await ApiClient.signIn(server.baseUrl, 'legal@outsider.example');
    expect(await mine(outsider)).to.deep.equal([]);

    // The signed-in user's iCalendar, in their language (Russian for Sverdlovsk).
    const ics = ok(await legal.get('/api/calendar.ics'));
    const events = calendarEvents(ics).filter((event) => event.UID?.startsWith(`agreement-${created.id}-`));
    expect(events.map((event) => [event.UID, event['DTSTART;VALUE=DATE']])).to.deep.equal([
      [`agreement-${created.id}-entry-into-force@bilateral`, '20260302'],
      [`agreement-${created.id}-notice-deadline@bilateral`, '20271202'],
      [`agreement-${created.id}-term-end@bilateral`, '20280302'],
    ]);
    expect(events[1]!.SUMMARY).to.match(/^Последний день для уведомления о прекращении: Меморандум/);
    expect(events[1]!['URL;VALUE=URI']).to.match(new RegExp(`/agreements/${created.id}$`));
  });

  it('when a feed is made, then its URL reads the calendar without signing in until its owner revokes it', async () => {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
    const feed = ok(await legal.post('/api/calendar/feeds', {}), 201);
    expect(feed.url).to.match(/\/api\/calendar\/feed\/[A-Za-z0-9_-]{40,}\.ics$/);
    expect(ok(await legal.get('/api/calendar/feeds')).feeds).to.deep.equal([{ id: feed.id, createdAt: feed.createdAt }]);
    // Only the hash of the token is stored.
    const stored = await server.db('calendar_feeds').where({ public_id: feed.id }).first();
    expect(JSON.stringify(stored)).to.not.include(feed.url.split('/').at(-1).replace('.ics', ''));

    const read = await fetch(feed.url);
    expect(read.status).to.equal(200);
    expect(read.headers.get('content-type')).to.match(/^text\/calendar/);
    const text = await read.text();
    expect(text).to.include('BEGIN:VCALENDAR').and.include('경기도');
    expect(text).to.equal(ok(await legal.get('/api/calendar.ics')));

    const other = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    expect((await other.request('DELETE', `/api/calendar/feeds/${feed.id}`)).status).to.equal(404);
    expect((await fetch(feed.url)).status).to.equal(200);
    expect((await legal.request('DELETE', `/api/calendar/feeds/${feed.id}`)).status).to.equal(204);
    const revoked = await fetch(feed.url);
    expect(revoked.status).to.equal(404);
    expect(revoked.headers.get('content-type')).to.match(/problem\+json/);
    expect((await fetch(`${server.baseUrl}/api/calendar/feed/not-a-token.ics`)).status).to.equal(404);
    expect((await fetch(`${server.baseUrl}/api/calendar.ics`)).status).to.equal(401);
  });
});
