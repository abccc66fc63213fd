import { z } from 'zod';
import { userText } from '../text/safe-text.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { findParties } from '../../db/repositories/parties.repository.ts';
import { listSignatures } from '../../db/repositories/signatures.repository.ts';
import type { TextVersion } from '../../db/repositories/text-versions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import {
  EVENT_TYPES,
  type AgreementEvent,
  type AgreementEventType,
  type AgreementState,
  type SigningTerms,
} from '../../workflows/agreement/agreement.events.ts';
import { hasActedInStage, step, type Effect, type PersistedWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import { confirmPassword } from '../auth/confirm-password.ts';
import { authorize } from '../auth/policy.ts';
import { confirmSecondFactor } from '../auth/second-factor.ts';
import { RuleViolationError } from '../errors.ts';
import { requiresRegistration } from '../registration/registration-view.ts';
import type { Lang } from '../text/languages.ts';
import { parityProblems, type AgreementText } from './agreement-text.ts';
import type { AgreementVariables } from './agreement-variables.ts';
import { assertConsistent } from './check-consistency.ts';
import { auditedActor, commitTransition } from './commit-transition.ts';
import type { UseCaseDeps } from './deps.ts';
import { prepareEffects, type PreparedEffects } from './effects.ts';
import { loadText, loadVisibleAgreement } from './load-agreement.ts';
import { staleVersion } from './version-conflict.ts';

export const agreementEventInput = z
  .object({
    type: z.enum(EVENT_TYPES),
    expectedVersion: z.number().int().nonnegative(),
    comment: userText(2000, { singleLine: false }).optional(),
    /** NOTIFY_COMPLETION and GIVE_NOTICE: the date of the notification or notice (YYYY-MM-DD), today by default. */
    date: z.iso.date().optional(),
    /** SIGN: the signatory's password once more, to confirm it is them who signs; checked, never stored. */
    password: z.string().max(1024).optional(),
    /** SIGN: a fresh code from the signatory's authenticator app (or a recovery code), once they have enrolled or their role must. */
    code: z.string().max(64).optional(),
  })
  .strict();
export type AgreementEventInput = z.infer<typeof agreementEventInput>;

/**
 * Sends a workflow event as the user. The machine decides first, before anything is written; the
 * slow work of the effects it names (the final originals on entering signing, the signatures on SIGN)
 * is done next, outside the transaction; then one transaction applies everything only if the agreement
 * is still at the version the decision was made on.
 */
export async function sendAgreementEvent(deps: UseCaseDeps, user: User, agreementId: number, input: AgreementEventInput) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  if (input.expectedVersion !== record.version) throw staleVersion(record.version, input.expectedVersion);
  const at = deps.now();
  const decided = await decideEvent(deps, user, record, input, at);
  // After the policy: a signatory who may not sign now learns that, not whether a password was right.
  if (input.type === 'SIGN') {
    await confirmPassword(deps, user, input.password, 'sign');
    await confirmSecondFactor(deps, user, input.code);
  }
  return applyEvent(deps, decided, { prepared: await prepareEffects(deps, decided), detail: input.comment });
}

/** An event the policy and the machine have accepted, with what it was decided on and what it causes. */
export interface DecidedEvent {
  readonly record: AgreementRecord;
  readonly user: User;
  readonly event: AgreementEvent;
  readonly next: PersistedWorkflow;
  readonly effects: readonly Effect[];
  readonly text: TextVersion;
  readonly at: Date;
}

/** Asks the policy and the machine, and checks the text where the event commits the parties to it; writes nothing. */
export async function decideEvent(
  deps: UseCaseDeps,
  user: User,
  record: AgreementRecord,
  input: Pick<AgreementEventInput, 'type' | 'date'> & Pick<AgreementEvent, 'registration'>,
  at: Date,
): Promise<DecidedEvent> {
  const today = at.toISOString().slice(0, 10);
  const text = await loadText(deps.db, record);
  const event: AgreementEvent = {
    type: input.type,
    actor: user,
    date: input.date ?? today,
    ...(input.type === 'SUBMIT' && { terms: await signingTerms(deps, record, text.text.variables) }),
    ...(input.registration && { registration: input.registration }),
  };
  const alreadyDone = hasActedInStage(record.workflow, input.type, user.party)
    ? `, and ${user.party} has already done so in this stage`
    : '';
  // A completion that rests on a registration is sent by recording it, which its caller has authorized.
  authorize(user, record, input.registration ? 'registration.record' : `event.${input.type}`, alreadyDone);
  if (input.date !== undefined) await assertPlausibleDate(deps, record, input.type, input.date, at);
  const outcome = step(record.workflow, event);
  if (!outcome.accepted) throw new Error(`the policy allowed ${input.type} but the machine refused it`);
  if (PARITY_GATED.has(input.type)) {
    assertTranslationParity(text.text, record.languages, input.type);
    await assertConsistent(deps.db, record, text.text, input.type);
  }
  return { record, user, event, next: outcome.next, effects: outcome.effects, text, at };
}

/** A notification or notice may arrive a day ahead by the sender's clock (Seoul is UTC+9), no more. */
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A dated event (a notification of completion, a notice) cannot be dated before the agreement's last
 * signature, nor beyond tomorrow: a backdated one would put the agreement in force, or end it,
 * years before it was signed.
 */
async function assertPlausibleDate(
  deps: UseCaseDeps,
  record: AgreementRecord,
  type: AgreementEventType,
  date: string,
  at: Date,
): Promise<void> {
  const lastSignedOn = (await listSignatures(deps.db, record.id))
    .map((signature) => signature.signedAt.slice(0, 10))
    .sort()
    .at(-1);
  const latest = new Date(at.getTime() + DAY_MS).toISOString().slice(0, 10);
  if (date > latest || (lastSignedOn !== undefined && date < lastSignedOn)) {
    const range = lastSignedOn === undefined ? `on or before ${latest}` : `from ${lastSignedOn} (the last signature) to ${latest}`;
    throw new RuleViolationError(`${type} cannot be dated ${date}: the date must be ${range}`, {
      date,
      earliest: lastSignedOn ?? null,
      latest,
    });
  }
}

/**
 * Commits a decided event in one transaction guarded by the version it was decided on: the transition
 * (state, schedule, audit, notifications) and what its effects write with what was prepared for them
 * (the originals' new revisions, the approval, the signature). `detail` is the sender's part of the
 * audit entry: their comment, or how an external signature was made.
 */
export async function applyEvent(
  deps: UseCaseDeps,
  decided: DecidedEvent,
  done: { prepared: Partial<PreparedEffects>; detail?: string },
): Promise<{ state: AgreementState; version: number }> {
  const { record, user, event, next, effects, text, at } = decided;
  await deps.db.transaction(async (trx) => {
    await commitTransition(trx, {
      record,
      next,
      effects,
      prepared: done.prepared,
      event,
      actor: auditedActor(user),
      user,
      text,
      at,
      detail: done.detail,
    });
  });
  return { state: next.value, version: record.version + 1 };
}

/** Fixed at submission from the text: who signs first and how the agreement enters into force. */
async function signingTerms(deps: UseCaseDeps, record: AgreementRecord, variables: AgreementVariables): Promise<SigningTerms> {
  const parties = await findParties(deps.db, record.parties);
  return {
    firstSigner: variables.firstSigner,
    entryIntoForce: variables.entryIntoForce,
    completionByRegistration: parties.filter(requiresRegistration).map((party) => party.key),
  };
}

/** Events that commit the parties to the text: refused while any translation is not confirmed. */
export const PARITY_GATED: ReadonlySet<AgreementEventType> = new Set<AgreementEventType>(['SUBMIT', 'APPROVE', 'SIGN']);

function assertTranslationParity(text: AgreementText, languages: readonly Lang[], type: AgreementEventType): void {
  const problems = parityProblems(text, languages);
  if (problems.length === 0) return;
  const list = problems.map((problem) => `${problem.clause} (${problem.lang}: ${problem.status})`).join(', ');
  throw new RuleViolationError(`${type} needs every clause confirmed in every language; not yet: ${list}`, { unconfirmed: problems });
}
