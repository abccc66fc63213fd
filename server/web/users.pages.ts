import { Router } from 'express';
import { ROLES } from '../../workflows/agreement/agreement.events.ts';
import { administrationGate, enrolledAmong, proveSecondFactorForSession, resetSecondFactor } from '../auth/second-factor.ts';
import {
  changeUserRole,
  createPartyUser,
  listPartyUsers,
  newUserInput,
  resetUserPassword,
  setUserDisabled,
} from '../auth/user-administration.ts';
import { findSigningCredential } from '../../db/repositories/credentials.repository.ts';
import { REVOCATION_REASONS, findRevocationOfCredential } from '../../db/repositories/revocations.repository.ts';
import { MalformedRequestError, NotFoundError } from '../errors.ts';
import { partyTrustAnchors } from '../signatures/load-trust-anchors.ts';
import { revokeSigningCredential, revokeSigningCredentialInput } from '../signatures/revoke-signing-credential.ts';
import { credentialSigningEnd } from '../signatures/show-signing-credential.ts';
import { parseBody, parseQueryInteger } from '../http/parse.ts';
import { LANGUAGES } from '../text/languages.ts';
import { field, formAction, param } from './forms.ts';
import { pageLanguage, sendPage, type PageServices } from './page.ts';
import { personName } from './person-name.ts';
import { webUser } from './web-session.ts';

/** The party administrator's page: the party's users, a new user, a role changed, a password reset, a signing certificate revoked. */
export function usersPages(services: PageServices): Router {
  const router = Router();
  const { deps } = services;

  router.get('/users', async (request, response) => {
    const user = webUser(response);
    // An administrator whose role must have a second factor enrols, or gives a code, first.
    const gate = await administrationGate(deps, user);
    if (gate !== 'ok') {
      return sendPage(services, request, response, 'users', { title: 'users.title', section: 'users' }, { gate, enrol: gate === 'enrol' });
    }
    const users = await listPartyUsers(deps, user);
    const lang = await pageLanguage(deps, request, user);
    const enrolled = await enrolledAmong(
      deps.db,
      users.map(({ id }) => id),
    );
    // Each user's current signing certificate: whether it is revoked (see revoke-signing-credential.ts),
    // else until when it signs and, when its key or hash ends that sooner than its expiry, which one.
    const anchors = await partyTrustAnchors(deps.db, user.party);
    const now = deps.now().toISOString();
    const certificates = new Map<number, object>();
    for (const listed of users) {
      const credential = await findSigningCredential(deps.db, listed.id);
      if (!credential) continue;
      const revocation = await findRevocationOfCredential(deps.db, credential.id);
      const { signsUntil, limitedBy } = credentialSigningEnd(credential, anchors);
      certificates.set(
        listed.id,
        revocation
          ? { revoked: { revokedAt: revocation.revokedAt, reason: revocation.reason } }
          : { signsUntil, limitedBy, until: signsUntil <= now ? 'signedUntil' : 'signsUntil' },
      );
    }
    await sendPage(
      services,
      request,
      response,
      'users',
      { title: 'users.title', section: 'users' },
      {
        users: users.map((listed) => ({
          id: listed.id,
          email: listed.email,
          displayName: personName(listed, lang),
          role: listed.role,
          sso: listed.sso !== null,
          disabled: listed.disabledAt !== null,
          self: listed.id === user.id,
          secondFactor: enrolled.has(listed.id),
          roles: ROLES.map((code) => ({ code, selected: code === listed.role })),
          certificate: certificates.get(listed.id) ?? null,
        })),
        roles: ROLES,
        revocationReasons: REVOCATION_REASONS,
        languages: LANGUAGES,
      },
    );
  });

  router.post(
    '/users',
    formAction(async (request, response) => {
      const perLanguage = (prefix: string) => Object.fromEntries(LANGUAGES.map((lang) => [lang, field(request, `${prefix}_${lang}`)]));
      const input = parseBody(newUserInput, {
        email: field(request, 'email'),
        role: field(request, 'role'),
        displayName: field(request, 'displayName'),
        password: field(request, 'password'),
        name: perLanguage('name'),
        title: perLanguage('title'),
      });
      await createPartyUser(deps, webUser(response), input);
      return { redirect: '/users', flash: 'flash.userCreated' };
    }),
  );

  router.post(
    '/users/:userId/role',
    formAction(async (request, response) => {
      const role = field(request, 'role');
      if (!(ROLES as readonly string[]).includes(role)) throw new MalformedRequestError(`role must be one of ${ROLES.join(', ')}`);
      await changeUserRole(deps, webUser(response), parseQueryInteger(param(request, 'userId'), 'userId'), role as (typeof ROLES)[number]);
      return { redirect: '/users', flash: 'flash.roleChanged' };
    }),
  );

  router.post(
    '/users/:userId/password',
    formAction(async (request, response) => {
      await resetUserPassword(deps, webUser(response), parseQueryInteger(param(request, 'userId'), 'userId'), field(request, 'password'));
      return { redirect: '/users', flash: 'flash.passwordReset' };
    }),
  );

  for (const [change, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    router.post(
      `/users/:userId/${change}`,
      formAction(async (request, response) => {
        await setUserDisabled(deps, webUser(response), parseQueryInteger(param(request, 'userId'), 'userId'), disabled);
        return { redirect: '/users', flash: disabled ? 'flash.userDisabled' : 'flash.userEnabled' };
      }),
    );
  }

  router.post(
    '/users/second-factor',
    formAction(async (request, response) => {
      await proveSecondFactorForSession(deps, webUser(response), String(response.locals.sessionToken), field(request, 'code'));
      return { redirect: '/users', flash: 'secondFactor.flash.proven' };
    }),
  );

  router.post(
    '/users/:userId/certificate/revocation',
    formAction(async (request, response) => {
      const actor = webUser(response);
      const userId = parseQueryInteger(param(request, 'userId'), 'userId');
      const signatory = (await listPartyUsers(deps, actor)).find((listed) => listed.id === userId);
      if (!signatory) throw new NotFoundError(`There is no user ${userId} in your party`);
      const input = parseBody(revokeSigningCredentialInput, {
        reason: field(request, 'reason'),
        explanation: field(request, 'explanation'),
      });
      await revokeSigningCredential(deps, actor, signatory.email, input);
      return { redirect: '/users', flash: 'flash.certificateRevoked' };
    }),
  );

  router.post(
    '/users/:userId/second-factor/reset',
    formAction(async (request, response) => {
      await resetSecondFactor(deps, webUser(response), parseQueryInteger(param(request, 'userId'), 'userId'));
      return { redirect: '/users', flash: 'secondFactor.flash.reset' };
    }),
  );

  return router;
}
