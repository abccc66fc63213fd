import { expect } from 'chai';
import { translate } from '../../server/web/i18n.ts';
import { COOPERATION, HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from './web-client.ts';

describe('web: recording a registration on the agreement page', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('when the agreement is signed, then Sverdlovsk legal staff see what registration needs in Russian and record its submission', async () => {
    server.clock.set('2026-03-02T09:00:00Z');
    const web = await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example');
    expect((await web.get(`/agreements/${COOPERATION}`)).html).to.not.include(translate('ru', 'registration.heading'));
    await runEvents(server, COOPERATION, HAPPY_PATH);

    const page = await web.get(`/agreements/${COOPERATION}`);
    expect(page.html).to.include(translate('ru', 'registration.heading'));
    expect(page.html).to.include(translate('ru', 'registration.need.federal-coordination'));
    expect(page.html).to.include(translate('ru', 'registration.state.pending'));
    expect(page.html).to.include(`action="/agreements/${COOPERATION}/registrations/sverdlovsk"`);
    // Only one's own party's form.
    expect(page.html).to.not.include(`action="/agreements/${COOPERATION}/registrations/gyeonggi"`);

    const token = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const version = /name="expectedVersion" value="(\d+)"/.exec(page.html)![1]!;
    const form = { authority: 'Министерство юстиции Российской Федерации', submittedOn: '2026-03-02', number: '', registeredOn: '' };
    const refused = await web.postForm(
      `/agreements/${COOPERATION}/registrations/sverdlovsk`,
      { ...form, submittedOn: '2020-01-01', expectedVersion: version },
      token,
    );
    expect(refused.status).to.equal(422);
    expect(refused.html).to.include('<html lang="ru">');

    const saved = await web.postForm(`/agreements/${COOPERATION}/registrations/sverdlovsk`, { ...form, expectedVersion: version }, token);
    expect(saved.status).to.equal(303);
    const after = await web.get(`/agreements/${COOPERATION}`);
    expect(after.html).to.include(translate('ru', 'registration.saved'));
    expect(after.html).to.include(translate('ru', 'registration.state.submitted'));
    expect(after.html).to.include(translate('ru', 'auditEvent.RECORD_REGISTRATION'));
    // Registered the same day: the register shows the number and finds the agreement by it.
    const registeredVersion = /name="expectedVersion" value="(\d+)"/.exec(after.html)![1]!;
    const registered = await web.postForm(
      `/agreements/${COOPERATION}/registrations/sverdlovsk`,
      { ...form, number: 'RU66-2026-0042', registeredOn: '2026-03-02', expectedVersion: registeredVersion },
      token,
    );
    expect(registered.status).to.equal(303);
    const shown = await web.get(`/agreements/${COOPERATION}`);
    expect(shown.status).to.equal(200);
    expect(shown.html).to.include('RU66-2026-0042');
    const byNumber = await web.get('/agreements?registration=RU66-2026-0042');
    expect(byNumber.html).to.include(`href="/agreements/${COOPERATION}"`);
    expect(byNumber.html).to.include(translate('ru', 'registration.registeredAs', { number: 'RU66-2026-0042' }));
    expect((await web.get('/agreements?registration=RU66-2026-0043')).html).to.not.include(`href="/agreements/${COOPERATION}"`);

    const dossier = await web.get(`/agreements/${COOPERATION}/dossier`);
    expect(dossier.status).to.equal(200);
    expect(dossier.headers.get('content-type')).to.equal('application/zip');
  });
});
