import { Router, type Request, type Response } from 'express';
import { findParty, listParties } from '../../db/repositories/parties.repository.ts';
import { findUsersByEmails, type User } from '../../db/repositories/users.repository.ts';
import { stateHasTag } from '../../workflows/agreement/agreement.workflow.ts';
import { titlesForReader } from '../agreements/agreement-titles.ts';
import { createAgreement, createAgreementInput } from '../agreements/create-agreement.ts';
import type { AgreementCreationLimit } from '../agreements/creation-limit.ts';
import { downloadOriginal } from '../agreements/download-original.ts';
import { exportDocx } from '../agreements/export-docx.ts';
import { findAgreements } from '../agreements/find-agreements.ts';
import { findAgreementRecord, loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { previewOriginal } from '../agreements/preview-original.ts';
import { agreementEventInput, sendAgreementEvent } from '../agreements/send-agreement-event.ts';
import { decide } from '../auth/policy.ts';
import { DomainError, MalformedRequestError } from '../errors.ts';
import { TechnicalError } from '../http/problem.ts';
import { sendDocx, sendOriginal, sendPreview } from '../http/send-document.ts';
import { describeItem } from '../notifications/compose-mail.ts';
import { listMyNotifications, readAllNotifications, readNotification } from '../notifications/user-notifications.ts';
import { parseBody, parseId } from '../http/parse.ts';
import { clauseLibrary } from '../text/clause-library.ts';
import { LANGUAGES, LOCALE, type Lang } from '../text/languages.ts';
import { agreementPageModel, refusal } from './agreement-page.ts';
import { registerPageModel, registerQuery } from './register-page.ts';
import { createFormProblem, eventFormProblem, type FormProblem } from './event-form-problem.ts';
import { setFlash } from './flash.ts';
import { field, formAction, integerField, param } from './forms.ts';
import { translate } from './i18n.ts';
import { pageLanguage, sendPage, type PageServices } from './page.ts';
import { personName } from './person-name.ts';
import { agreementsOfMyParty } from './waiting-for-me.ts';
import { webUser } from './web-session.ts';

const RECENT_NOTIFICATIONS = 50;
/** The kind the new-agreement form offers first: the one that needs no earlier agreement and is most often made. */
const DEFAULT_KIND = 'cooperation-agreement';

/** The agreements list, the notifications, the agreement page with its actions, and the originals. */
export function agreementPages(services: PageServices, creationLimit: AgreementCreationLimit): Router {
  const router = Router();
  const { deps } = services;

  async function continuableAgreements(user: User, lang: Lang) {
    const records = (await agreementsOfMyParty(deps, user))
      .map(({ record }) => record)
      .filter((record) => stateHasTag(record.workflow, 'continuable'));
    const party = await findParty(deps.db, user.party);
    const titles = await titlesForReader(deps.db, records, [lang, party?.language ?? lang]);
    return records.map((record) => ({ id: record.id, title: titles.get(record.id) }));
  }

  /** The register with the new-agreement form; after a refused creation, with the problem on the form and what was chosen kept. */
  async function sendAgreementsPage(request: Request, response: Response, problem?: (lang: Lang) => FormProblem) {
    const user = webUser(response);
    const lang = await pageLanguage(deps, request, user);
    const query = registerQuery(request.query);
    const page = await findAgreements(deps, user, { ...query, lang });
    const create = decide(user, null, 'agreement.create');
    const parties = await listParties(deps.db);
    const shown = problem?.(lang);
    const chosen = shown?.values ?? {};
    const chosenLanguages = chosen.languages?.split(',');
    await sendPage(
      services,
      request,
      response,
      'agreements',
      { title: 'agreements.title', section: 'agreements', status: shown?.status },
      {
        ...registerPageModel(query, page),
        problem: shown,
        create: create.allowed && {
          // An agreement of cooperation unless chosen otherwise: a protocol needs the agreement it amends.
          kinds: [...clauseLibrary().kinds.keys()].map((key) => ({ key, selected: key === (chosen.kind || DEFAULT_KIND) })),
          /** What a new document may continue or amend: the party's executed agreements, by their title. */
          bases: (await continuableAgreements(user, lang)).map((base) => ({ ...base, selected: String(base.id) === chosen.basedOn })),
          counterparties: parties
            .filter((party) => party.key !== user.party)
            .map((party) => ({ key: party.key, name: party.names[lang].short, selected: party.key === chosen.counterparty })),
          languages: LANGUAGES.map((code) => ({
            code,
            checked: chosenLanguages ? chosenLanguages.includes(code) : parties.some((party) => party.language === code),
          })),
        },
      },
    );
  }

  router.get('/agreements', async (request, response) => {
    await sendAgreementsPage(request, response);
  });

  router.post('/agreements', async (request, response) => {
    const languages = ([] as unknown[]).concat(request.body?.languages ?? []);
    try {
      const input = parseBody(createAgreementInput, {
        kind: field(request, 'kind'),
        counterparty: field(request, 'counterparty') || undefined,
        title: field(request, 'title').trim() || undefined,
        languages,
        basedOn: field(request, 'basedOn') ? integerField(request, 'basedOn') : undefined,
      });
      const user = webUser(response);
      const agreement = await creationLimit.spend(user, () => createAgreement(deps, user, input));
      setFlash(request, response, { kind: 'ok', key: 'flash.created' });
      response.redirect(303, `/agreements/${agreement.id}`);
    } catch (error) {
      if (!answersOnTheForm(error)) throw error;
      const values = {
        kind: field(request, 'kind'),
        counterparty: field(request, 'counterparty'),
        title: field(request, 'title'),
        basedOn: field(request, 'basedOn'),
        languages: languages.filter((lang): lang is string => typeof lang === 'string').join(','),
      };
      await sendAgreementsPage(request, response, (lang) => createFormProblem(lang, error, values));
    }
  });

  router.get('/notifications', async (request, response) => {
    const user = webUser(response);
    const lang = await pageLanguage(deps, request, user);
    const [agreements, inbox, party] = await Promise.all([
      agreementsOfMyParty(deps, user),
      listMyNotifications(deps, user, RECENT_NOTIFICATIONS),
      findParty(deps.db, user.party),
    ]);
    const waiting = agreements.filter((agreement) => agreement.waitingFor.length > 0);
    const mentionedIds = new Set(inbox.notifications.flatMap(({ agreementId }) => (agreementId === null ? [] : [agreementId])));
    const mentioned = (await Promise.all([...mentionedIds].map((id) => findAgreementRecord(deps.db, id)))).filter(
      (record) => record !== undefined,
    );
    const titles = await titlesForReader(deps.db, [...waiting.map(({ record }) => record), ...mentioned], [lang, party?.language ?? lang]);
    const [senderUsers, parties] = await Promise.all([
      findUsersByEmails(
        deps.db,
        inbox.notifications.flatMap(({ payload }) => (typeof payload.by === 'string' ? [payload.by] : [])),
      ),
      listParties(deps.db),
    ]);
    const senders = new Map(
      senderUsers.map((sender) => [
        sender.email,
        { name: personName(sender, lang), party: parties.find((candidate) => candidate.key === sender.party)?.names[lang].short },
      ]),
    );
    await sendPage(
      services,
      request,
      response,
      'notifications',
      { title: 'notifications.title', section: 'notifications' },
      {
        agreements: waiting.map(({ record, waitingFor }) => ({ ...record, agreementTitle: titles.get(record.id), waitingFor })),
        unread: inbox.unread,
        notifications: inbox.notifications.map((notification) => ({
          ...notification,
          unread: notification.readAt === null,
          // One sentence, as the mail says it: the agreement's title in the reader's language and what happened.
          line: describeItem(
            lang,
            {
              ...notification,
              title: notification.agreementId === null ? null : (titles.get(notification.agreementId) ?? null),
              link: '',
              at: notification.createdAt,
              byParty: typeof notification.payload.by === 'string' ? senders.get(notification.payload.by)?.party : undefined,
            },
            user,
          ),
          by: typeof notification.payload.by === 'string' ? senders.get(notification.payload.by)?.name : undefined,
        })),
      },
    );
  });

  router.post(
    '/notifications/read',
    formAction(async (_request, response) => {
      await readAllNotifications(deps, webUser(response));
      return { redirect: '/notifications', flash: 'flash.notificationsRead' };
    }),
  );

  router.post(
    '/notifications/:id/read',
    formAction(async (request, response) => {
      await readNotification(deps, webUser(response), parseId(param(request, 'id')));
      return { redirect: '/notifications', flash: 'flash.notificationRead' };
    }),
  );

  /** The agreement page; after a refused action, with the problem on the form that caused it. */
  async function sendAgreementPage(request: Request, response: Response, id: number, problem?: (lang: Lang) => FormProblem) {
    const user = webUser(response);
    const record = await loadVisibleAgreement(deps.db, id, user);
    const lang = await pageLanguage(deps, request, user);
    const model = await agreementPageModel(deps, record, user, lang);
    const shown = problem?.(lang);
    await sendPage(
      services,
      request,
      response,
      'agreement',
      { title: 'agreement.title', titleValues: { id: record.id }, section: 'agreements', status: shown?.status },
      {
        ...model,
        problem: shown,
        createRefusal: refusal('agreement.create', decide(user, null, 'agreement.create'))[0],
      },
    );
  }

  router.get('/agreements/:id', async (request, response) => {
    await sendAgreementPage(request, response, parseId(param(request, 'id')));
  });

  router.post('/agreements/:id/events', async (request, response) => {
    const id = parseId(param(request, 'id'));
    const expectedVersion = integerField(request, 'expectedVersion');
    try {
      const input = parseBody(agreementEventInput, {
        type: field(request, 'type'),
        expectedVersion,
        comment: field(request, 'comment').trim() || undefined,
        date: field(request, 'date') || undefined,
        password: field(request, 'password') || undefined,
        code: field(request, 'code').trim() || undefined,
      });
      // The form asks the reason for a return: the drafters read it in the timeline and on the page.
      if (input.type === 'REQUEST_CHANGES' && !input.comment) {
        throw new MalformedRequestError('A return for changes says why: send "comment"', { field: 'comment' });
      }
      // ... and the signatory confirms having read what they sign.
      if (input.type === 'SIGN' && field(request, 'readConfirmed') !== 'yes') {
        throw new MalformedRequestError('Confirm that you have read the text you sign', { field: 'readConfirmed' });
      }
      await sendAgreementEvent(deps, webUser(response), id, input);
      setFlash(request, response, { kind: 'ok', key: `flash.event.${input.type}` });
      response.redirect(303, `/agreements/${id}`);
    } catch (error) {
      if (!answersOnTheForm(error)) throw error;
      // Everything typed but the password: the confirmation of having read and the code stay as given.
      const values = {
        comment: field(request, 'comment'),
        date: field(request, 'date'),
        readConfirmed: field(request, 'readConfirmed'),
        code: field(request, 'code').trim(),
      };
      await sendAgreementPage(request, response, id, (lang) =>
        eventFormProblem(lang, error, {
          agreementId: id,
          expectedVersion,
          values,
          clauseName: (key) => translate(lang, `clause.${key}`, { fallback: key }),
        }),
      );
    }
  });

  router.get('/agreements/:id/originals/:party', async (request, response) => {
    sendOriginal(response, await downloadOriginal(deps, webUser(response), parseId(param(request, 'id')), param(request, 'party')));
  });

  router.get('/agreements/:id/docx', async (request, response) => {
    const query = { original: request.query.original, layout: request.query.layout };
    sendDocx(response, await exportDocx(deps, webUser(response), parseId(param(request, 'id')), query));
  });

  router.get('/agreements/:id/preview', async (request, response) => {
    const user = webUser(response);
    const id = parseId(param(request, 'id'));
    const lang = await pageLanguage(deps, request, user);
    // The preview is the document alone; the page it was opened from is one link away.
    const back = { href: `/agreements/${id}`, label: translate(lang, 'preview.back', { id }), lang: LOCALE[lang] };
    sendPreview(response, await previewOriginal(deps, user, id, request.query.original, back));
  });

  return router;
}

/**
 * The refusals the person at the form can act on: a wrong field, a stale version, a rule of the workflow.
 * A missing session, a broken form token, an agreement out of sight or a server fault keep the error page.
 */
function answersOnTheForm(error: unknown): error is DomainError {
  return (
    error instanceof DomainError &&
    !(error instanceof TechnicalError) &&
    ['MALFORMED_REQUEST', 'FORBIDDEN', 'VERSION_CONFLICT', 'INVALID_TRANSITION', 'RULE_VIOLATION'].includes(error.code)
  );
}
