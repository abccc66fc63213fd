import { initialTransition, transition } from 'xstate';
import {
  EVENT_TYPES,
  ROLES,
  type Actor,
  type AgreementContext,
  type AgreementEvent,
  type AgreementEventType,
  type AgreementState,
} from './agreement.events.ts';
import { AGREEMENT_MACHINE_VERSION, agreementMachine, isEffectType, type Effect, type StateTag } from './agreement.machine.ts';

/** The persisted form of an agreement's workflow: plain JSON, stored beside a plain `state` column. */
export interface PersistedWorkflow {
  readonly value: AgreementState;
  readonly context: AgreementContext;
}

/** Pure: the workflow of a new agreement between these parties. */
export function startWorkflow(parties: readonly string[]): PersistedWorkflow {
  const [snapshot] = initialTransition(agreementMachine, { parties });
  return { value: snapshot.value as AgreementState, context: snapshot.context };
}

/**
 * Pure: a snapshot persisted by an older machine version, brought to the current one. Version 1 knew
 * nothing of signing order or of the life after signature: its agreements sign in either order and
 * enter into force on signature, which is what version 1 texts said by default.
 */
export function upgradeWorkflow(persisted: unknown, machineVersion: number): PersistedWorkflow {
  if (machineVersion > AGREEMENT_MACHINE_VERSION) {
    throw new Error(`workflow saved by machine version ${machineVersion}, newer than this server's ${AGREEMENT_MACHINE_VERSION}`);
  }
  const workflow = persisted as PersistedWorkflow;
  if (machineVersion >= 2) return workflow;
  return {
    value: workflow.value,
    context: {
      ...workflow.context,
      terms: { firstSigner: null, entryIntoForce: 'signature' },
      completions: {},
      inForceSince: null,
      term: 1,
      notice: null,
    },
  };
}

function restore(workflow: PersistedWorkflow) {
  return agreementMachine.resolveState({ value: workflow.value, context: workflow.context });
}

export type { Effect, EffectOf, EffectParams, EffectType, StateTag } from './agreement.machine.ts';

export type StepOutcome =
  /** `effects`: what the transition causes, in xstate's order (exit, transition, entry); the server carries them out. */
  | { readonly accepted: true; readonly next: PersistedWorkflow; readonly effects: readonly Effect[] }
  /**
   * `wrong-role`: another role of the actor's party could send it now;
   * `not-now`: nobody of that party could, in this state with these approvals.
   */
  | { readonly accepted: false; readonly reason: 'wrong-role' | 'not-now' };

/** Pure: the next workflow after this event and the effects it causes, or why it is refused. Nothing is executed. */
export function step(workflow: PersistedWorkflow, event: AgreementEvent): StepOutcome {
  const snapshot = restore(workflow);
  if (!snapshot.can(event)) {
    const { party } = event.actor;
    const anotherRoleCould = ROLES.some((role) => snapshot.can({ ...event, actor: { party, role } }));
    return { accepted: false, reason: anotherRoleCould ? 'wrong-role' : 'not-now' };
  }
  const [next, actions] = transition(agreementMachine, snapshot, event);
  const effects = actions
    .filter((action) => isEffectType(action.type))
    .map((action) => ({ type: action.type, ...(action.params !== undefined && { params: action.params }) }) as Effect);
  return { accepted: true, next: { value: next.value as AgreementState, context: next.context }, effects };
}

/** Pure: whether the workflow's state carries the tag: what the state is or allows. Callers ask this, never a list of state names. */
export function stateHasTag(workflow: PersistedWorkflow, tag: StateTag): boolean {
  return restore(workflow).hasTag(tag);
}

/** Pure: the same question for a state alone, for callers that read the state column without the workflow. */
export function stateNameHasTag(state: AgreementState, tag: StateTag): boolean {
  return agreementMachine.states[state]?.tags.includes(tag) ?? false;
}

/** Pure: whether the party already did in this stage what the event would do again (approve, sign). */
export function hasActedInStage(workflow: PersistedWorkflow, type: AgreementEventType, party: string): boolean {
  const { value, context } = workflow;
  const done = {
    review: ['APPROVE', context.reviewedBy],
    approval: ['APPROVE', context.approvedBy],
    signing: ['SIGN', context.signedBy],
  } as const;
  const stage = done[value as keyof typeof done];
  return stage !== undefined && stage[0] === type && stage[1].includes(party);
}

/**
 * Pure: whether the actor's event, sent now, takes the agreement to another state. Where it does for
 * several actors (either party's legal staff may submit a draft), any one of them is enough; where it
 * does not (the first of two approvals), each of them is needed.
 */
export function movesOn(workflow: PersistedWorkflow, type: AgreementEventType, actor: Actor): boolean {
  const outcome = step(workflow, { type, actor });
  return outcome.accepted && outcome.next.value !== workflow.value;
}

/** Pure: the event types this actor may send now. */
export function nextEventsFor(workflow: PersistedWorkflow, actor: Actor): AgreementEventType[] {
  const snapshot = restore(workflow);
  return EVENT_TYPES.filter((type) => snapshot.can({ type, actor }));
}
