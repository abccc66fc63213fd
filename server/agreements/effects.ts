import type { Knex } from 'knex';
import type { AgreementDates } from '../../db/repositories/agreements.repository.ts';
import { insertApproval } from '../../db/repositories/approvals.repository.ts';
import { insertOriginalRevision, type OriginalRevision } from '../../db/repositories/originals.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { Effect, EffectOf, EffectType } from '../../workflows/agreement/agreement.workflow.ts';
import {
  dueReminders,
  entryIntoForceOnSignature,
  firstTerm,
  hasDurationClause,
  nextTerm,
  termination,
  type PlannedEvent,
  type ScheduledKind,
} from '../lifecycle/lifecycle-plan.ts';
import { auditedActor, type Transition } from './commit-transition.ts';
import type { UseCaseDeps } from './deps.ts';
import { renderFinalOriginals } from './freeze-originals.ts';
import type { DecidedEvent } from './send-agreement-event.ts';
import { commitSignature, type SignedOriginals } from '../signatures/commit-signature.ts';
import { signAgreement } from '../signatures/sign-agreement.ts';

/**
 * What the machine says a transition causes, turned into work: one handler per effect type, so a new
 * effect in the machine does not compile until it has one. `prepare` does the slow work outside the
 * transaction (rendering, signing); `plan` says, purely, what the effect adds to the transition's one
 * update (dates), its schedule, its audit entry and who hears of it; `commit` writes the effect's own
 * rows inside the transaction, after the version-guarded update.
 */
export interface EffectHandler<Type extends EffectType> {
  prepare?(deps: UseCaseDeps, decided: DecidedEvent, effect: EffectOf<Type>): Promise<PreparedFor<Type>>;
  plan?(transition: Transition, effect: EffectOf<Type>): Partial<TransitionPlan>;
  commit?(trx: Knex.Transaction, transition: Transition, effect: EffectOf<Type>, prepared: PreparedFor<Type>): Promise<void>;
}

/** The results of the slow work, per effect that has any; an external signature brings its own. */
export interface PreparedEffects {
  readonly freezeOriginals: readonly OriginalRevision[];
  readonly signOriginals: SignedOriginals;
}
type PreparedFor<Type extends EffectType> = Type extends keyof PreparedEffects ? PreparedEffects[Type] : never;

/** What the effects of one transition add up to, besides their own rows. */
export interface TransitionPlan {
  readonly dates: Partial<AgreementDates>;
  readonly schedule: readonly PlannedEvent[];
  /** Pending events of these kinds are cancelled (a stage left, the agreement ended). */
  readonly cancel: readonly ScheduledKind[];
  /** Parts of the audit entry's detail, after the sender's own. */
  readonly detail: readonly string[];
  /** Everyone of both parties hears of it, not only those whose turn it is. */
  readonly everyone: boolean;
}

const today = (transition: Transition) => transition.at.toISOString().slice(0, 10);

function sender(transition: Transition): User {
  if (!transition.user) throw new Error(`${transition.event.type} needs the user who sent it`);
  return transition.user;
}

export const EFFECT_HANDLERS: { readonly [Type in EffectType]: EffectHandler<Type> } = {
  freezeOriginals: {
    prepare: (deps, { record, user, event, next, text, at }) =>
      renderFinalOriginals(deps, record, text, { by: auditedActor(user), event: event.type, from: record.state, to: next.value }, at),
    plan: ({ text }) => ({ detail: [`text frozen: ${text.contentHash}`] }),
    async commit(trx, _transition, _effect, revisions) {
      for (const revision of revisions) await insertOriginalRevision(trx, revision);
    },
  },
  storeApproval: {
    plan: ({ text }) => ({ detail: [`approved text ${text.contentHash}`] }),
    async commit(trx, transition, { params }) {
      const user = sender(transition);
      await insertApproval(trx, transition.record.id, {
        stage: params.stage,
        party: user.party,
        userId: user.id,
        version: transition.record.version,
        contentHash: transition.text.contentHash,
        approvedAt: transition.at.toISOString(),
      });
    },
  },
  auditApprovalsCleared: {
    plan: ({ record, next }) => ({ detail: [`approvals cleared: returned from ${record.state} to ${next.value}`] }),
  },
  signOriginals: {
    // The server-held key's signatures; an external signature brings its own (complete-external-signature.ts).
    prepare: (deps, { record, user, at }) => signAgreement(deps, record, user, at),
    commit: (trx, transition, _effect, signed) => commitSignature(trx, transition.record.id, sender(transition), signed, transition.at),
  },
  scheduleDueReminders: {
    plan: ({ record }, { params }) => ({ schedule: dueReminders(params.stage, record.dates) }),
  },
  cancelDueReminders: {
    plan: () => ({ cancel: ['reminder', 'overdue'] }),
  },
  scheduleEntryIntoForce: {
    plan: (transition) => entryIntoForceOnSignature(today(transition)),
  },
  startTerm: {
    plan: ({ next, text }) => firstTerm(next.context.inForceSince!, text.text.variables, hasDurationClause(text.text)),
  },
  startNextTerm: {
    plan: ({ record, text }) => nextTerm(record.dates, text.text.variables),
  },
  planTermination: {
    plan: ({ record, event, text }) => termination(event.date!, record.dates, text.text.variables),
  },
  endSchedule: {
    plan: () => ({ cancel: ['term-end', 'terminate', 'reminder'] }),
  },
  announceMilestone: {
    plan: () => ({ everyone: true }),
  },
};

/** The effect's handler; the table's type is what pairs each effect type with a handler of its own params. */
function handlerOf(effect: Effect): EffectHandler<EffectType> {
  return EFFECT_HANDLERS[effect.type];
}

/** Does the slow work of the decided event's effects, outside any transaction. */
export async function prepareEffects(deps: UseCaseDeps, decided: DecidedEvent): Promise<Partial<PreparedEffects>> {
  const prepared: Record<string, unknown> = {};
  for (const effect of decided.effects) {
    const handler = handlerOf(effect);
    if (handler.prepare) prepared[effect.type] = await handler.prepare(deps, decided, effect);
  }
  return prepared as Partial<PreparedEffects>;
}

/** Pure: what the transition's effects add up to, in the order the machine lists them. */
export function planEffects(transition: Transition): TransitionPlan {
  const plan = { dates: {}, schedule: [] as PlannedEvent[], cancel: [] as ScheduledKind[], detail: [] as string[], everyone: false };
  for (const effect of transition.effects) {
    const part = handlerOf(effect).plan?.(transition, effect) ?? {};
    Object.assign(plan.dates, part.dates);
    plan.schedule.push(...(part.schedule ?? []));
    plan.cancel.push(...(part.cancel ?? []));
    plan.detail.push(...(part.detail ?? []));
    plan.everyone ||= part.everyone ?? false;
  }
  return plan;
}

/** Writes the effects' own rows inside the transition's transaction. */
export async function commitEffects(trx: Knex.Transaction, transition: Transition): Promise<void> {
  for (const effect of transition.effects) {
    const handler = handlerOf(effect);
    const prepared = (transition.prepared as Record<string, unknown>)[effect.type];
    if (handler.prepare && prepared === undefined)
      throw new Error(`${transition.event.type} causes ${effect.type}, which was not prepared`);
    if (handler.commit) await handler.commit(trx, transition, effect, prepared as never);
  }
}
