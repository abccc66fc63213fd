import type { Knex } from 'knex';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import type { ScheduledEvent } from '../../db/repositories/scheduled-events.repository.ts';
import { findUserIdsOfParties } from '../../db/repositories/users.repository.ts';
import { SYSTEM_ACTOR, type AgreementEventType } from '../../workflows/agreement/agreement.events.ts';
import { step } from '../../workflows/agreement/agreement.workflow.ts';
import type { AgreementVariables } from '../agreements/agreement-variables.ts';
import { commitTransition } from '../agreements/commit-transition.ts';
import { findAgreementRecord, findTextVersion } from '../agreements/load-agreement.ts';
import { notify } from '../notifications/notify.ts';
import type { ScheduledKind } from './lifecycle-plan.ts';
import { SCHEDULER_ACTOR } from '../scheduler/scheduler.ts';
import { usersWhoseTurnItIs } from './notify-transition.ts';

export type LifecycleHandler = (trx: Knex.Transaction, event: ScheduledEvent, now: Date) => Promise<void>;

/**
 * What the scheduler does when an agreement's date arrives: the lifecycle's system events, through
 * the same transition path as people's events. An event the agreement has moved past (say, a term end
 * after termination) is refused by the machine and simply completes.
 */
export function lifecycleHandlers(log: (message: string) => void): Record<ScheduledKind, LifecycleHandler> {
  const send =
    (
      kind: ScheduledKind,
      decide: (record: AgreementRecord, dueOn: string, variables: AgreementVariables) => AgreementEventType,
    ): LifecycleHandler =>
    async (trx, scheduled, now) => {
      const record = await findAgreementRecord(trx, scheduled.agreementId);
      const text = await findTextVersion(trx, scheduled.agreementId);
      if (!record || !text) return;
      const dueOn = scheduled.dueAt.slice(0, 10);
      const type = decide(record, dueOn, text.text.variables);
      const event = { type, actor: SYSTEM_ACTOR, date: dueOn };
      const outcome = step(record.workflow, event);
      if (!outcome.accepted) {
        log(`scheduler: ${kind} for agreement ${record.id} no longer applies in ${record.state}`);
        return;
      }
      const { next, effects } = outcome;
      // System events cause no slow work (no rendering, no signing): nothing to prepare.
      await commitTransition(trx, {
        record,
        next,
        effects,
        prepared: {},
        event,
        actor: SCHEDULER_ACTOR,
        text,
        at: now,
        detail: `due ${dueOn}`,
        handlingKind: kind,
      });
    };

  return {
    'enter-into-force': send('enter-into-force', () => 'ENTER_INTO_FORCE'),
    // At the end of a term: a notice that takes effect by now ends it, else it renews when the text says so, else it expires.
    'term-end': send('term-end', (record, dueOn, variables) => {
      const terminatesOn = record.dates.terminatesOn;
      if (record.workflow.context.notice && terminatesOn && terminatesOn <= dueOn) return 'TERMINATE';
      return variables.autoRenewal ? 'RENEW' : 'EXPIRE';
    }),
    terminate: send('terminate', () => 'TERMINATE'),
    reminder: remind('reminder'),
    overdue: remind('overdue'),
  };

  /** A due date or the notice deadline is near (or past): tell who must act, if they still must. */
  function remind(kind: 'reminder' | 'overdue'): LifecycleHandler {
    return async (trx, scheduled, now) => {
      const record = await findAgreementRecord(trx, scheduled.agreementId);
      if (!record) return;
      const stage = scheduled.payload.stage as string | undefined;
      if (stage && stage !== record.state) return; // the stage is over: nothing to remind of
      // Catching up after downtime, a reminder of a day already past would only be noise.
      const about = (scheduled.payload.noticeDeadlineOn ?? scheduled.payload.dueOn) as string | undefined;
      if (kind === 'reminder' && about && about < now.toISOString().slice(0, 10)) return;
      const userIds =
        stage === undefined
          ? await findUserIdsOfParties(trx, record.parties, ['official', 'legal'])
          : await usersWhoseTurnItIs(trx, record.workflow);
      await notify(trx, { agreementId: record.id, kind, payload: { ...scheduled.payload, title: record.title }, userIds, occurredAt: now });
    };
  }
}
