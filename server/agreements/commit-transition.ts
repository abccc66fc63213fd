import type { Knex } from 'knex';
import { bumpAgreementVersion, type AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry, type AuditedActor } from '../../db/repositories/audit.repository.ts';
import { cancelPendingEvents, scheduleEvent } from '../../db/repositories/scheduled-events.repository.ts';
import type { TextVersion } from '../../db/repositories/text-versions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { AgreementEvent } from '../../workflows/agreement/agreement.events.ts';
import type { Effect, PersistedWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import type { ScheduledKind } from '../lifecycle/lifecycle-plan.ts';
import { notifyTransition } from '../lifecycle/notify-transition.ts';
import { commitEffects, planEffects, type PreparedEffects } from './effects.ts';
import { staleVersion } from './version-conflict.ts';

/** The signed-in user as the audit sees them; the HTTP layer adds where the request came from. */
export function auditedActor(user: { email: string; party: string; role: string; ip?: string; userAgent?: string }): AuditedActor {
  return { email: user.email, party: user.party, role: user.role, ip: user.ip, userAgent: user.userAgent };
}

export interface Transition {
  readonly record: AgreementRecord;
  readonly next: PersistedWorkflow;
  /** What the machine says the transition causes, carried out by the effect table (effects.ts). */
  readonly effects: readonly Effect[];
  /** The slow work those effects needed, done before the transaction. */
  readonly prepared: Partial<PreparedEffects>;
  readonly event: AgreementEvent;
  readonly actor: AuditedActor;
  /** The person who sent the event; absent when the scheduler sends it. */
  readonly user?: User;
  readonly text: TextVersion;
  readonly at: Date;
  /** What the sender adds to the audit entry (a comment, the date a scheduled event was due), before the effects' parts. */
  readonly detail?: string | null;
  /** The scheduled event being handled, when the scheduler sends this one: it is completed, not cancelled. */
  readonly handlingKind?: ScheduledKind;
}

/**
 * Writes one accepted transition inside the caller's transaction: the guarded version update with the
 * new workflow and dates, the schedule that follows from it, the audit entry, the notifications and
 * the rows its effects write (originals, approval, signature). Shared by the events people send and
 * the ones the scheduler sends, so both obey the same rules.
 */
export async function commitTransition(trx: Knex.Transaction, transition: Transition): Promise<void> {
  const { record, next, event, actor, at } = transition;
  const plan = planEffects(transition);
  const updated = await bumpAgreementVersion(trx, record.id, record.version, {
    workflow: next,
    dates: plan.dates,
    updatedAt: at.toISOString(),
  });
  if (!updated) throw staleVersion(undefined, record.version);
  const cancel = plan.cancel.filter((kind) => kind !== transition.handlingKind);
  if (cancel.length > 0) await cancelPendingEvents(trx, record.id, cancel);
  for (const planned of plan.schedule) {
    await scheduleEvent(
      trx,
      { agreementId: record.id, kind: planned.kind, dueAt: new Date(`${planned.dueOn}T00:00:00Z`), payload: planned.payload },
      at,
    );
  }
  await appendAuditEntry(trx, {
    agreementId: record.id,
    at: at.toISOString(),
    by: actor,
    event: event.type,
    from: record.state,
    to: next.value,
    detail: [transition.detail, ...plan.detail].filter(Boolean).join('; ') || null,
  });
  await notifyTransition(trx, {
    agreementId: record.id,
    event: event.type,
    from: record.state,
    next,
    version: record.version + 1,
    by: actor.email,
    at,
    everyone: plan.everyone,
  });
  await commitEffects(trx, transition);
}
