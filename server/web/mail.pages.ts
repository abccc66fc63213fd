import { Router } from 'express';
import { MAIL_PREFERENCES } from '../../db/repositories/mail-outbox.repository.ts';
import { chooseMailPreference, showMailOverview } from '../notifications/mail-log.ts';
import { field, formAction } from './forms.ts';
import { sendPage, type PageServices } from './page.ts';
import { webUser } from './web-session.ts';

/**
 * The mail page: how notifications reach me by mail, the mail sent to me (with its text when no SMTP
 * server is configured, so the demo's mail can be read), and for the party administrator the mail to
 * the party's users, failed and bounced mail first.
 */
export function mailPages(services: PageServices): Router {
  const router = Router();
  const { deps } = services;

  router.get('/mail', async (request, response) => {
    const overview = await showMailOverview(deps, webUser(response));
    const showBodies = deps.config.mail.smtpUrl === undefined;
    await sendPage(
      services,
      request,
      response,
      'mail',
      { title: 'mail.page.title', section: 'mail' },
      {
        preferences: MAIL_PREFERENCES.map((code) => ({ code, checked: code === overview.preference })),
        mine: overview.mine.map((mail) => ({ ...mail, body: showBodies ? mail.body : null })),
        party: overview.party,
        demo: showBodies,
      },
    );
  });

  router.post(
    '/mail/preference',
    formAction(async (request, response) => {
      await chooseMailPreference(deps, webUser(response), field(request, 'preference'));
      return { redirect: '/mail', flash: 'mail.page.saved' };
    }),
  );

  return router;
}
