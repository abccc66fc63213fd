import { z } from 'zod';
import { bumpAgreementVersion, type AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry } from '../../db/repositories/audit.repository.ts';
import { saveRegistration } from '../../db/repositories/registrations.repository.ts';
import { listSignatures } from '../../db/repositories/signatures.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { stateHasTag } from '../../workflows/agreement/agreement.workflow.ts';
import { agreementView } from '../agreements/agreement-view.ts';
import { auditedActor, commitTransition } from '../agreements/commit-transition.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { prepareEffects } from '../agreements/effects.ts';
import { loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { decideEvent } from '../agreements/send-agreement-event.ts';
import { staleVersion } from '../agreements/version-conflict.ts';
import { authorize } from '../auth/policy.ts';
import { ForbiddenError, RuleViolationError } from '../errors.ts';
import { userText } from '../text/safe-text.ts';
import { registrationViews, type RegistrationView } from './registration-view.ts';

export const recordRegistrationInput = z
  .object({
    authority: userText(200, { singleLine: true }).trim().min(1),
    submittedOn: z.iso.date().nullable().optional(),
    number: userText(100, { singleLine: true }).trim().min(1).nullable().optional(),
    registeredOn: z.iso.date().nullable().optional(),
    expectedVersion: z.number().int().nonnegative(),
  })
  .strict();
export type RecordRegistrationInput = z.infer<typeof recordRegistrationInput>;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A party's legal staff or official record its registration: the authority, the day it was submitted,
 * and once registered the number and the day. A registration, once recorded as registered, stays: it
 * may have put the agreement in force. One transaction: the row, the audit entry, and for a party whose
 * registration completes its notification, NOTIFY_COMPLETION dated on the day of registration.
 */
export async function recordRegistration(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  party: string,
  input: RecordRegistrationInput,
) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'registration.record');
  if (party !== user.party) throw new ForbiddenError(`Each party records its own registration; you are of ${user.party}`);
  if (input.expectedVersion !== record.version) throw staleVersion(record.version, input.expectedVersion);
  const current = (await registrationViews(deps.db, record)).find((view) => view.party === party)!;
  const at = deps.now();
  const registration = {
    authority: input.authority,
    submittedOn: input.submittedOn ?? null,
    number: input.number ?? null,
    registeredOn: input.registeredOn ?? null,
  };
  await assertPlausibleRegistration(deps, record, current, registration, at);

  const completes =
    current.completesNotification &&
    registration.registeredOn !== null &&
    stateHasTag(record.workflow, 'awaiting-completion') &&
    record.workflow.context.completions[party] === undefined;
  const decided = completes
    ? await decideEvent(
        deps,
        user,
        record,
        {
          type: 'NOTIFY_COMPLETION',
          date: registration.registeredOn!,
          registration: { number: registration.number!, registeredOn: registration.registeredOn! },
        },
        at,
      )
    : undefined;
  const prepared = decided ? await prepareEffects(deps, decided) : {};
  const now = at.toISOString();
  await deps.db.transaction(async (trx) => {
    if (decided) {
      await commitTransition(trx, {
        record,
        next: decided.next,
        effects: decided.effects,
        prepared,
        event: decided.event,
        actor: auditedActor(user),
        user,
        text: decided.text,
        at,
        detail: `state registration ${registration.number} of ${registration.registeredOn} (${registration.authority})`,
      });
    } else if (!(await bumpAgreementVersion(trx, agreementId, input.expectedVersion, { updatedAt: now }))) {
      throw staleVersion(undefined, input.expectedVersion);
    }
    await saveRegistration(trx, agreementId, { party, ...registration, userId: user.id, recordedAt: now });
    await appendAuditEntry(trx, {
      agreementId,
      at: now,
      by: auditedActor(user),
      event: 'RECORD_REGISTRATION',
      from: record.state,
      to: decided ? decided.next.value : record.state,
      detail: [
        registration.authority,
        registration.submittedOn && `submitted ${registration.submittedOn}`,
        registration.registeredOn && `registered ${registration.registeredOn} as ${registration.number}`,
      ]
        .filter(Boolean)
        .join('; '),
    });
  });
  return agreementView(deps.db, await loadVisibleAgreement(deps.db, agreementId, user), user);
}

/** The dates lie between the last signature and tomorrow, in order; a number goes with a registration date; a registration stays. */
async function assertPlausibleRegistration(
  deps: UseCaseDeps,
  record: AgreementRecord,
  current: RegistrationView,
  registration: { submittedOn: string | null; number: string | null; registeredOn: string | null },
  at: Date,
): Promise<void> {
  if (current.registeredOn !== null && registration.registeredOn !== current.registeredOn) {
    throw new RuleViolationError(
      `The registration of ${current.party} is recorded as of ${current.registeredOn} (${current.number}); a registration stays as recorded`,
      { registeredOn: current.registeredOn },
    );
  }
  if ((registration.number === null) !== (registration.registeredOn === null)) {
    throw new RuleViolationError('A registration number and the date of registration are recorded together', {
      field: registration.number === null ? 'number' : 'registeredOn',
    });
  }
  const lastSignedOn = (await listSignatures(deps.db, record.id))
    .map((signature) => signature.signedAt.slice(0, 10))
    .sort()
    .at(-1)!;
  const latest = new Date(at.getTime() + DAY_MS).toISOString().slice(0, 10);
  for (const field of ['submittedOn', 'registeredOn'] as const) {
    const date = registration[field];
    if (date !== null && (date < lastSignedOn || date > latest)) {
      throw new RuleViolationError(`${field} cannot be ${date}: it must be from ${lastSignedOn} (the last signature) to ${latest}`, {
        field,
        earliest: lastSignedOn,
        latest,
      });
    }
  }
  if (registration.submittedOn && registration.registeredOn && registration.registeredOn < registration.submittedOn) {
    throw new RuleViolationError(`registeredOn (${registration.registeredOn}) cannot be before submittedOn (${registration.submittedOn})`, {
      field: 'registeredOn',
    });
  }
}
