import { Router } from 'express';
import { listParties } from '../../db/repositories/parties.repository.ts';
import { createAgreement, createAgreementInput } from '../agreements/create-agreement.ts';
import type { AgreementCreationLimit } from '../agreements/creation-limit.ts';
import { downloadOriginal } from '../agreements/download-original.ts';
import { exportDocx } from '../agreements/export-docx.ts';
import { findAgreements } from '../agreements/find-agreements.ts';
import { loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { previewOriginal } from '../agreements/preview-original.ts';
import { agreementEventInput, sendAgreementEvent } from '../agreements/send-agreement-event.ts';
import { decide } from '../auth/policy.ts';
import { sendDocx, sendOriginal, sendPreview } from '../http/send-document.ts';
import { listMyNotifications, readNotification } from '../notifications/user-notifications.ts';
import { parseBody, parseId } from '../http/parse.ts';
import { clauseLibrary } from '../text/clause-library.ts';
import { LANGUAGES } from '../text/languages.ts';
import { agreementPageModel, refusal } from './agreement-page.ts';
import { registerPageModel, registerQuery } from './register-page.ts';
import { field, formAction, integerField, param } from './forms.ts';
import { pageLanguage, sendPage, type PageServices } from './page.ts';
import { agreementsOfMyParty } from './waiting-for-me.ts';
import { webUser } from './web-session.ts';

const RECENT_NOTIFICATIONS = 50;

/** The agreements list, the notifications, the agreement page with its actions, and the originals. */
export function agreementPages(services: PageServices, creationLimit: AgreementCreationLimit): Router {
  const router = Router();
  const { deps } = services;

  router.get('/agreements', async (request, response) => {
    const user = webUser(response);
    const lang = await pageLanguage(deps, request, user);
    const query = registerQuery(request.query);
    const page = await findAgreements(deps, user, { ...query, lang });
    const create = decide(user, null, 'agreement.create');
    const parties = await listParties(deps.db);
    await sendPage(
      services,
      request,
      response,
      'agreements',
      { title: 'agreements.title', section: 'agreements' },
      {
        ...registerPageModel(query, page),
        create: create.allowed && {
          kinds: [...clauseLibrary().kinds.keys()],
          counterparties: parties
            .filter((party) => party.key !== user.party)
            .map((party) => ({ key: party.key, name: party.names[lang].short })),
          languages: LANGUAGES.map((code) => ({ code, checked: parties.some((party) => party.language === code) })),
        },
      },
    );
  });

  router.post(
    '/agreements',
    formAction(async (request, response) => {
      const languages = ([] as unknown[]).concat(request.body?.languages ?? []);
      const input = parseBody(createAgreementInput, {
        kind: field(request, 'kind'),
        counterparty: field(request, 'counterparty') || undefined,
        title: field(request, 'title').trim() || undefined,
        languages,
      });
      const user = webUser(response);
      const agreement = await creationLimit.spend(user, () => createAgreement(deps, user, input));
      return { redirect: `/agreements/${agreement.id}`, flash: 'flash.created' };
    }),
  );

  router.get('/notifications', async (request, response) => {
    const user = webUser(response);
    const [agreements, inbox] = await Promise.all([agreementsOfMyParty(deps, user), listMyNotifications(deps, user, RECENT_NOTIFICATIONS)]);
    await sendPage(
      services,
      request,
      response,
      'notifications',
      { title: 'notifications.title', section: 'notifications' },
      {
        agreements: agreements
          .filter((agreement) => agreement.waitingFor.length > 0)
          .map(({ record, waitingFor }) => ({ ...record, waitingFor })),
        unread: inbox.unread,
        notifications: inbox.notifications.map((notification) => ({ ...notification, unread: notification.readAt === null })),
      },
    );
  });

  router.post(
    '/notifications/:id/read',
    formAction(async (request, response) => {
      await readNotification(deps, webUser(response), parseId(param(request, 'id')));
      return { redirect: '/notifications', flash: 'flash.notificationRead' };
    }),
  );

  router.get('/agreements/:id', async (request, response) => {
    const user = webUser(response);
    const record = await loadVisibleAgreement(deps.db, parseId(param(request, 'id')), user);
    const lang = await pageLanguage(deps, request, user);
    const model = await agreementPageModel(deps, record, user, lang);
    await sendPage(
      services,
      request,
      response,
      'agreement',
      { title: 'agreement.title', titleValues: { id: record.id }, section: 'agreements' },
      {
        ...model,
        createRefusal: refusal('agreement.create', decide(user, null, 'agreement.create'))[0],
      },
    );
  });

  router.post(
    '/agreements/:id/events',
    formAction(async (request, response) => {
      const id = parseId(param(request, 'id'));
      const input = parseBody(agreementEventInput, {
        type: field(request, 'type'),
        expectedVersion: integerField(request, 'expectedVersion'),
        comment: field(request, 'comment').trim() || undefined,
        date: field(request, 'date') || undefined,
        password: field(request, 'password') || undefined,
        code: field(request, 'code').trim() || undefined,
      });
      await sendAgreementEvent(deps, webUser(response), id, input);
      return { redirect: `/agreements/${id}`, flash: `flash.event.${input.type}` };
    }),
  );

  router.get('/agreements/:id/originals/:party', async (request, response) => {
    sendOriginal(response, await downloadOriginal(deps, webUser(response), parseId(param(request, 'id')), param(request, 'party')));
  });

  router.get('/agreements/:id/docx', async (request, response) => {
    const query = { original: request.query.original, layout: request.query.layout };
    sendDocx(response, await exportDocx(deps, webUser(response), parseId(param(request, 'id')), query));
  });

  router.get('/agreements/:id/preview', async (request, response) => {
    sendPreview(response, await previewOriginal(deps, webUser(response), parseId(param(request, 'id')), request.query.original));
  });

  return router;
}
