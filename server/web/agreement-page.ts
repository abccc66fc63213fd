import { listAuditEntries } from '../../db/repositories/audit.repository.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { findParties } from '../../db/repositories/parties.repository.ts';
import { findUsersByEmails, listUsersOfParty, type User } from '../../db/repositories/users.repository.ts';
import { EVENT_TYPES, FORWARD_EVENTS, ROLES, type AgreementEventType } from '../../workflows/agreement/agreement.events.ts';
import { movesOn, nextEventsFor, stateHasTag } from '../../workflows/agreement/agreement.workflow.ts';
import { titleForReader } from '../agreements/agreement-titles.ts';
import { agreementView } from '../agreements/agreement-view.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { PARITY_GATED } from '../agreements/send-agreement-event.ts';
import { decide, type Action, type Decision } from '../auth/policy.ts';
import { FRESH_SIGN_IN_MINUTES, hasPassword, signedInFreshly } from '../auth/confirm-password.ts';
import { asksSecondFactor } from '../auth/second-factor.ts';
import { providerLabel } from '../auth/single-sign-on.ts';
import { agreementObligations } from '../obligations/obligations.ts';
import type { Lang } from '../text/languages.ts';
import { agreementStatus } from './agreement-status.ts';
import { personName } from './person-name.ts';
import { timelineFor } from './timeline.ts';
import { unconfirmedLinks } from './event-form-problem.ts';
import { readerTimeZone, translate } from './i18n.ts';

/**
 * What the agreement page shows one user: the agreement as the API's view has it, its audit as the
 * timeline, each party's progress, and every action with the policy's decision, so the buttons are
 * exactly what the server would accept.
 */
export async function agreementPageModel(deps: UseCaseDeps, record: AgreementRecord, user: User, lang: Lang) {
  const [view, audit, parties, obligations, colleagues] = await Promise.all([
    agreementView(deps.db, record, user),
    listAuditEntries(deps.db, record.id),
    findParties(deps.db, record.parties),
    agreementObligations(deps.db, record.id),
    listUsersOfParty(deps.db, user.party),
  ]);
  const people = new Map(
    (
      await findUsersByEmails(deps.db, [
        ...audit.flatMap((entry) => [entry.actor, ...(entry.detail?.match(/[^\s,;()]+@[^\s,;()]+/g) ?? [])]),
        ...view.signatures.map((signature) => signature.signer),
        ...obligations.flatMap((obligation) => [obligation.owner, ...obligation.completions.map((completion) => completion.doneBy)]),
      ])
    ).map((person) => [person.email, person]),
  );
  const partyLanguage = (key: string) => parties.find((party) => party.key === key)?.language ?? lang;
  const partyName = (key: string) => parties.find((party) => party.key === key)?.names[lang].short ?? key;
  const nameOf = (email: string) => {
    const person = people.get(email);
    return person ? personName(person, lang) : email;
  };
  const events = EVENT_TYPES.map((type) => ({ type, decision: decide(user, record, `event.${type}`) }));
  const maySign = events.some((event) => event.type === 'SIGN' && event.decision.allowed);
  const asksPassword = maySign && hasPassword(user);
  // A user without a password confirms a signature by a fresh sign-in at the party's provider instead.
  const provider = maySign && !asksPassword ? await providerLabel(deps, user.party, lang) : undefined;
  /** The events someone of the parties may send now: an action nobody may take in this stage is not worth explaining. */
  const possibleNow = new Set(record.parties.flatMap((party) => ROLES.flatMap((role) => nextEventsFor(record.workflow, { party, role }))));
  /** Who moves it forward now: each party's roles that may send a forward event. */
  const waitingFor = record.parties.flatMap((party) =>
    ROLES.flatMap((role) => {
      const forward = nextEventsFor(record.workflow, { party, role }).filter((type): type is AgreementEventType =>
        FORWARD_EVENTS.includes(type),
      );
      return forward.length > 0 ? [{ party, role, events: forward, alone: movesOn(record.workflow, forward[0]!, { party, role }) }] : [];
    }),
  );
  const timeline = timelineFor(audit, {
    lang,
    users: people,
    partyName,
    languageOf: (person) => person.locale ?? partyLanguage(person.party),
  });
  const lastMove = timeline.find((entry) => entry.from !== entry.to);
  return {
    agreement: view,
    /** In the reader's language, from the text's title clause. */
    agreementTitle: await titleForReader(deps.db, record, [lang, partyLanguage(user.party)]),
    status: agreementStatus(lang, {
      record,
      view,
      waitingFor,
      partyName,
      reader: user,
      timeZone: readerTimeZone(
        user,
        parties.find((party) => party.key === user.party),
      ),
    }),
    parties: view.parties.map((party) => {
      const signature = view.signatures.find((found) => found.party === party.key);
      return {
        key: party.key,
        name: party.name[lang],
        mine: party.key === user.party,
        reviewed: view.approvals.review.includes(party.key),
        approved: view.approvals.approval.includes(party.key),
        signed: signature && { at: signature.signedAt, by: nameOf(signature.signer) },
        original: `/agreements/${record.id}/originals/${party.key}`,
        docx: `/agreements/${record.id}/docx?original=${party.key}`,
      };
    }),
    allowedEvents: events.filter((event) => event.decision.allowed).map((event) => event.type),
    maySign,
    /** SIGN asks for the password once more; notifications and notices carry their date. */
    asksPassword,
    signAgain: provider && {
      provider,
      minutes: FRESH_SIGN_IN_MINUTES,
      href: `/sign-in/sso/${encodeURIComponent(user.party)}?fresh=1&next=${encodeURIComponent(`/agreements/${record.id}`)}`,
      fresh: signedInFreshly(user, deps.now()),
    },
    /** ... and a code from the authenticator app, when the signatory has enrolled one or must. */
    asksCode: maySign && (await asksSecondFactor(deps, user)),
    asksDate: events.some((event) => (event.type === 'NOTIFY_COMPLETION' || event.type === 'GIVE_NOTICE') && event.decision.allowed),
    refusedEvents: events
      .filter(({ type }) => possibleNow.has(type))
      .flatMap(({ type, decision }) => refusal(`event.${type}`, decision, { event: type })),
    text: { allowed: decide(user, record, 'text.edit').allowed, refusal: refusal('text.edit', decide(user, record, 'text.edit'))[0] },
    /** Each clause with a language not yet confirmed, linked to it on the text page. */
    unconfirmed: unconfirmedLinks(
      lang,
      { agreementId: record.id, clauseName: (key) => translate(lang, `clause.${key}`, { fallback: key }) },
      view.parity,
    ),
    /** The actions the server would refuse until every translation is confirmed: shown, but not offered. */
    waitsForTranslations:
      view.parity.length > 0
        ? events.filter((event) => event.decision.allowed && PARITY_GATED.has(event.type)).map((event) => event.type)
        : [],
    registrations: {
      shown: stateHasTag(record.workflow, 'originals-signed'),
      canRecord: decide(user, record, 'registration.record').allowed,
      /** A certifying officer's download holds the certified copies, signed by them. */
      certifies: user.role === 'certifying',
      parties: view.registrations.map((registration) => ({
        ...registration,
        partyName: partyName(registration.party),
        mine: registration.party === user.party,
        settled: registration.registeredOn !== null,
      })),
    },
    obligations: obligationsModel(),
    consistency: {
      canMark: decide(user, record, 'consistency.intend').allowed,
      differences: view.consistency.map((difference) => ({
        ...difference,
        says: Object.entries(difference.found).map(([language, found]) => ({ language, found: found.join(', ') })),
        markedByMyParty: difference.intendedBy.some((mark) => mark.party === user.party),
        marks: difference.intendedBy.map((mark) => ({ ...mark, partyName: partyName(mark.party) })),
      })),
    },
    timeline,
    /** Why the text is back in drafting, when the last move was a return for changes: the drafters read the reason first. */
    returned: stateHasTag(record.workflow, 'text-editable') && lastMove?.event === 'REQUEST_CHANGES' ? lastMove : undefined,
  };

  /** The obligations the agreement puts on its parties, the forms for one's own, and what they are written under. */
  function obligationsModel() {
    const clauseName = (key: string) => translate(lang, `clause.${key}`, { fallback: key });
    return {
      shown: stateHasTag(record.workflow, 'originals-signed'),
      canRecord: decide(user, record, 'obligation.record').allowed,
      canComplete: decide(user, record, 'obligation.complete').allowed,
      articles: view.clauses
        .filter((clause) => !['title', 'preamble', 'final-clause'].includes(clause.key))
        .map((clause) => ({ key: clause.key, name: clauseName(clause.key) })),
      owners: colleagues
        .filter((colleague) => colleague.disabledAt === null)
        .map((colleague) => ({ email: colleague.email, name: personName(colleague, lang), selected: colleague.id === user.id })),
      list: obligations.map((obligation) => ({
        ...obligation,
        clauseName: clauseName(obligation.clause),
        partyName: partyName(obligation.party),
        ownerName: nameOf(obligation.owner),
        mine: obligation.party === user.party,
        completions: obligation.completions.map((completion) => ({ ...completion, byName: nameOf(completion.doneBy) })),
      })),
    };
  }
}

export interface Refusal {
  /** A key of templates/locales refusal.*: the policy's reason, in the page's language. */
  readonly key: string;
  readonly event?: string;
  /** The policy's own words, kept for the English page's tooltip and for tests. */
  readonly reason: string;
}

/**
 * The policy's reason for refusing an action, as a message key: the group of the action and the kind
 * of refusal (this role never may, or not in this state), or which reason of that kind where there are
 * several. Nothing for what the user may do, or may not see.
 */
export function refusal(action: Action, decision: Decision, values: { event?: string } = {}): Refusal[] {
  if (decision.allowed || decision.kind === 'hidden') return [];
  const group = action.startsWith('event.') ? 'event' : action.replace('.', '-');
  return [{ key: `refusal.${group}.${decision.because ?? decision.kind}`, reason: decision.reason, ...values }];
}
