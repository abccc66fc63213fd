import { Router, type Request, type Response } from 'express';
import Handlebars from 'handlebars';
import { findParty } from '../../db/repositories/parties.repository.ts';
import { changeOwnPassword, choosePreferredLanguage, choosePreferredTimeZone } from '../auth/account.ts';
import { createApiToken, createApiTokenInput, listOwnApiTokens, revokeApiToken, type CreatedApiToken } from '../auth/api-tokens.ts';
import { confirmEnrolment, disableSecondFactor, pendingEnrolmentOf, secondFactorStatus, startEnrolment } from '../auth/second-factor.ts';
import { DomainError, MalformedRequestError } from '../errors.ts';
import { parseBody } from '../http/parse.ts';
import { isLang, LANGUAGES } from '../text/languages.ts';
import { passwordFormProblem, type FormProblem } from './event-form-problem.ts';
import { setFlash } from './flash.ts';
import { field, formAction, param } from './forms.ts';
import { DEFAULT_TIME_ZONE, describeTimeZone, timeZones } from './i18n.ts';
import { pageLanguage, sendPage, type PageServices } from './page.ts';
import { webUser } from './web-session.ts';

/** The user's own account: interface language, password, and API tokens for integrations. */
export function accountPages(services: PageServices): Router {
  const router = Router();
  const { deps } = services;

  const showAccount = async (
    request: Request,
    response: Response,
    created?: CreatedApiToken,
    recoveryCodes?: readonly string[],
    problem?: FormProblem,
  ) => {
    const user = webUser(response);
    const lang = await pageLanguage(deps, request, user);
    await sendPage(
      services,
      request,
      response,
      'account',
      { title: 'account.title', section: 'account', status: problem?.status ?? (created || recoveryCodes ? 201 : 200) },
      {
        problem,
        languages: LANGUAGES.map((code) => ({ code, selected: code === user.locale })),
        followsParty: user.locale === null,
        zoneChoice: {
          party: describeTimeZone(lang, (await findParty(deps.db, user.party))?.timeZone ?? DEFAULT_TIME_ZONE, deps.now()),
          followsParty: user.timeZone === null,
          zones: timeZones().map((zone) => ({ zone, label: describeTimeZone(lang, zone, deps.now()), selected: zone === user.timeZone })),
        },
        currentLang: lang,
        tokens: await listOwnApiTokens(deps, user),
        created,
        secondFactor: await secondFactorStatus(deps, user),
        // The QR code is inline SVG: the Content-Security-Policy allows images from this site only, no data: URLs.
        // It is qrcode's output for our own otpauth URL, no user text, so it is marked safe here rather
        // than written unescaped ({{{ }}}) in a template.
        enrolment: await withSafeQrCode(pendingEnrolmentOf(deps, user)),
        recoveryCodes,
      },
    );
  };

  router.get('/account', (request, response) => showAccount(request, response));

  router.post(
    '/account/language',
    formAction(async (request, response) => {
      const choice = field(request, 'lang');
      if (choice !== '' && !isLang(choice))
        throw new MalformedRequestError(`lang must be one of ${LANGUAGES.join(', ')}, or empty for the party's`);
      await choosePreferredLanguage(deps, webUser(response), choice === '' ? null : choice);
      return { redirect: safeBack(request), flash: 'flash.language' };
    }),
  );

  router.post(
    '/account/time-zone',
    formAction(async (request, response) => {
      const choice = field(request, 'timeZone');
      if (choice !== '' && !timeZones().includes(choice))
        throw new MalformedRequestError("timeZone must be an IANA time zone (such as Asia/Seoul), or empty for the party's");
      await choosePreferredTimeZone(deps, webUser(response), choice === '' ? null : choice);
      return { redirect: safeBack(request), flash: 'flash.timeZone' };
    }),
  );

  // A refusal the person can act on (a wrong current password, a short one, two that differ) is answered on the form.
  router.post('/account/password', async (request, response) => {
    try {
      if (field(request, 'next') !== field(request, 'repeat'))
        throw new MalformedRequestError('The new password and its repetition differ', { field: 'repeat' });
      await changeOwnPassword(
        deps,
        webUser(response),
        { current: field(request, 'current'), next: field(request, 'next') },
        response.locals.sessionToken,
      );
    } catch (error) {
      const lang = await pageLanguage(deps, request, webUser(response));
      const problem = error instanceof DomainError ? passwordFormProblem(lang, error) : undefined;
      if (!problem) throw error;
      return showAccount(request, response, undefined, undefined, problem);
    }
    setFlash(request, response, { kind: 'ok', key: 'flash.password' });
    response.redirect(303, '/account');
  });

  // Not a redirect: the new token is shown this once, on the page that answers the form.
  router.post('/account/tokens', async (request, response) => {
    const input = parseBody(createApiTokenInput, {
      name: field(request, 'name'),
      expiresInDays: Number(field(request, 'expiresInDays') || 90),
      scope: field(request, 'scope') || undefined,
      password: field(request, 'password'),
    });
    await showAccount(request, response, await createApiToken(deps, webUser(response), input));
  });

  router.post(
    '/account/second-factor',
    formAction(async (request, response) => {
      await startEnrolment(deps, webUser(response), field(request, 'password'));
      return { redirect: '/account#second-factor-heading', flash: 'secondFactor.flash.started' };
    }),
  );

  // Not a redirect: the recovery codes are shown this once, on the page that answers the first code.
  router.post('/account/second-factor/confirm', async (request, response) => {
    const { recoveryCodes } = await confirmEnrolment(deps, webUser(response), field(request, 'code'));
    await showAccount(request, response, undefined, recoveryCodes);
  });

  router.post(
    '/account/second-factor/disable',
    formAction(async (request, response) => {
      await disableSecondFactor(deps, webUser(response), { password: field(request, 'password'), code: field(request, 'code') });
      return { redirect: '/account', flash: 'secondFactor.flash.disabled' };
    }),
  );

  router.post(
    '/account/tokens/:tokenId/revoke',
    formAction(async (request, response) => {
      await revokeApiToken(deps, webUser(response), param(request, 'tokenId'));
      return { redirect: '/account', flash: 'flash.revoked' };
    }),
  );

  return router;
}

/** Back to the page the language was chosen on, when the form said which (a path on this site only). */
function safeBack(request: Request): string {
  const back = field(request, 'back');
  return /^\/(?![/\\])[^\s]*$/.test(back) ? back : '/account';
}

async function withSafeQrCode<T extends { qrSvg: string }>(enrolment: Promise<T | null | undefined>) {
  const pending = await enrolment;
  return pending && { ...pending, qrSvg: new Handlebars.SafeString(pending.qrSvg) };
}
