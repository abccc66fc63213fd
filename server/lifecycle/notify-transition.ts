import type { Knex } from 'knex';
import { findAgreementUserIds } from '../../db/repositories/notifications.repository.ts';
import { findUserIdsOfParties } from '../../db/repositories/users.repository.ts';
import {
  FORWARD_EVENTS,
  ROLES,
  type AgreementEventType,
  type AgreementState,
  type Role,
} from '../../workflows/agreement/agreement.events.ts';
import { nextEventsFor, type PersistedWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import { notify } from '../notifications/notify.ts';

/**
 * Tells whose turn it is now (or, when `everyone`, at a milestone the machine announces, everyone of
 * both parties) that the agreement moved, and queues the same event for the parties' webhooks. Runs in
 * the transition's transaction.
 */
export async function notifyTransition(
  trx: Knex.Transaction,
  transition: {
    agreementId: number;
    event: AgreementEventType;
    from: AgreementState;
    next: PersistedWorkflow;
    version: number;
    by: string;
    at: Date;
    everyone: boolean;
  },
): Promise<void> {
  const { agreementId, next, everyone } = transition;
  const turns = turnsOf(next);
  const userIds = everyone ? await findAgreementUserIds(trx, agreementId) : await usersWhoseTurnItIs(trx, next);
  await notify(trx, {
    agreementId,
    kind: 'state-changed',
    // `turns`: a milestone told to everyone says "waits for you" only to those it waits for (compose-mail.ts).
    payload: { event: transition.event, from: transition.from, to: next.value, version: transition.version, by: transition.by, turns },
    userIds,
    occurredAt: transition.at,
  });
}

/** Whose turn it is: each role of each party that may move the agreement forward now. */
function turnsOf(workflow: PersistedWorkflow): { party: string; role: Role }[] {
  return workflow.context.parties.flatMap((party) =>
    ROLES.filter((role) => nextEventsFor(workflow, { party, role }).some((type) => FORWARD_EVENTS.includes(type))).map((role) => ({
      party,
      role,
    })),
  );
}

/** The users whose turn it is: their role of their party may move the agreement forward now. */
export async function usersWhoseTurnItIs(trx: Knex.Transaction, workflow: PersistedWorkflow): Promise<number[]> {
  const ids: number[] = [];
  const turns = turnsOf(workflow);
  for (const party of workflow.context.parties) {
    const roles = turns.filter((turn) => turn.party === party).map((turn) => turn.role);
    if (roles.length === 0) continue;
    ids.push(...(await findUserIdsOfParties(trx, [party], roles)));
  }
  return ids;
}
