import { assign, enqueueActions, setup } from 'xstate';
import type { AgreementContext, AgreementEvent, AgreementInput } from './agreement.events.ts';
import {
  hasEntryOnSignature,
  isApprovalByNewParty,
  isCompletionByNewParty,
  isEntryOnSignature,
  isFirstNotice,
  isLastApproval,
  isLastCompletion,
  isLastReview,
  isLastSignature,
  isLegalStaff,
  isLegalStaffOrOfficial,
  isReviewByNewParty,
  isSignatureByNewParty,
  isSystem,
  isTerminationAfterNotice,
} from './agreement.guards.ts';

/**
 * Bumped whenever a change to the machine would read an older persisted snapshot differently; stored
 * next to each snapshot, and agreement.workflow.ts upgrades older snapshots when it loads them.
 * 1: the walking skeleton (drafting to executed). 2: signing order and the life after signature.
 */
export const AGREEMENT_MACHINE_VERSION = 2;

/** The stages whose approvals are stored, each with the hash of the text approved. */
export type ApprovalStage = 'review' | 'approval';
/** The stages that may have a due date, with a reminder before it and an overdue notice after. */
export type DueDatedStage = 'review' | 'approval' | 'signing';

/**
 * What a transition causes beyond its new context, by name. The machine never runs these (they do
 * nothing here): step() returns them as data, in xstate's order (exit, transition, entry), and the
 * server's effect table does the work. The second argument types each effect's params.
 */
const effects = {
  /** Entering signing: render the two final originals once and store them; the audit names the frozen text. */
  freezeOriginals: (_: unknown, _params: undefined) => {},
  /** An APPROVE: the approval row, with the hash of the text approved. */
  storeApproval: (_: unknown, _params: { stage: ApprovalStage }) => {},
  /** A REQUEST_CHANGES: the audit says which stage's approvals were cleared. */
  auditApprovalsCleared: (_: unknown, _params: undefined) => {},
  /** A SIGN: the signatory's signature on both originals, and its row. */
  signOriginals: (_: unknown, _params: undefined) => {},
  /** Entering a due-dated stage: its reminder and overdue notice, when it has a due date. */
  scheduleDueReminders: (_: unknown, _params: { stage: DueDatedStage }) => {},
  /** Leaving a due-dated stage: its pending reminder and overdue notice are cancelled. */
  cancelDueReminders: (_: unknown, _params: undefined) => {},
  /** Executed, entering into force on signature: in force from today, sent by the scheduler. */
  scheduleEntryIntoForce: (_: unknown, _params: undefined) => {},
  /** Entering into force: the first term's end, its last day for a notice, and their events. */
  startTerm: (_: unknown, _params: undefined) => {},
  /** A RENEW: the next term's end, its last day for a notice, and their events. */
  startNextTerm: (_: unknown, _params: undefined) => {},
  /** A GIVE_NOTICE: the termination date the notice leads to, and its event when the term end does not carry it out. */
  planTermination: (_: unknown, _params: undefined) => {},
  /** Expired or terminated: nothing more is due. */
  endSchedule: (_: unknown, _params: undefined) => {},
  /** A state both parties hear about: everyone of both parties is notified, not only those whose turn it is. */
  announceMilestone: (_: unknown, _params: undefined) => {},
};

/** The names of the effects a transition may cause. */
export type EffectType = keyof typeof effects;
/** Each effect's params (undefined for those that take none). */
export type EffectParams = { [Type in EffectType]: Parameters<(typeof effects)[Type]>[1] };
/** One effect as step() returns it: plain data. */
export type EffectOf<Type extends EffectType> = Type extends EffectType
  ? EffectParams[Type] extends undefined
    ? { readonly type: Type }
    : { readonly type: Type; readonly params: EffectParams[Type] }
  : never;
export type Effect = EffectOf<EffectType>;

/** Pure: whether an action name xstate lists is one of the effects (the assign actions are applied, never listed). */
export function isEffectType(type: string): type is EffectType {
  return Object.hasOwn(effects, type);
}

/**
 * What a state is or allows, for callers that decide by it (the policy, downloads, the pages) instead
 * of by state names.
 */
export type StateTag =
  | 'text-editable'
  | 'commentable'
  | 'deadlines-settable'
  | 'originals-frozen'
  | 'originals-signed'
  | 'continuable'
  /** Signed and not ended: the end of its term and the last day for notice bind the parties. */
  | 'running'
  /** The end of its term binds it now or did (running, or ended by expiry): the calendar keeps that date. */
  | 'term-dated'
  /** Signed, waiting for the parties' notifications that their procedures are done. */
  | 'awaiting-completion'
  /** The stage is still ahead or under way, so its due date binds. */
  | 'review-ahead'
  | 'approval-ahead'
  | 'signing-ahead';

/**
 * The life of one agreement, from drafting to its end. Pure: no invoked services, no timers, no side
 * effects; dates are the agreement's columns and the scheduler sends the system events when they
 * arrive. The server steps it with xstate's transition() and carries out the effects it names.
 */
export const agreementMachine = setup({
  types: {
    context: {} as AgreementContext,
    events: {} as AgreementEvent,
    input: {} as AgreementInput,
  },
  guards: {
    isLegalStaff,
    isLegalStaffOrOfficial,
    isReviewByNewParty,
    isLastReview,
    isApprovalByNewParty,
    isLastApproval,
    isSignatureByNewParty,
    isLastSignature,
    isCompletionByNewParty,
    isLastCompletion,
    isEntryOnSignature,
    isFirstNotice,
    isTerminationAfterNotice,
    isSystem,
  },
  actions: {
    fixTerms: assign({ terms: ({ context, event }) => event.terms ?? context.terms }),
    recordReview: assign({ reviewedBy: ({ context, event }) => [...context.reviewedBy, event.actor.party] }),
    recordApproval: assign({ approvedBy: ({ context, event }) => [...context.approvedBy, event.actor.party] }),
    recordSignature: assign({ signedBy: ({ context, event }) => [...context.signedBy, event.actor.party] }),
    clearApprovals: assign({ reviewedBy: () => [], approvedBy: () => [] }),
    recordCompletion: assign({ completions: ({ context, event }) => ({ ...context.completions, [event.actor.party]: event.date! }) }),
    /** In force from the later notification, or from the date the scheduler sends. */
    enterIntoForce: assign({
      inForceSince: ({ context, event }) => [event.date!, ...Object.values(context.completions)].sort().at(-1)!,
    }),
    recordNotice: assign({ notice: ({ event }) => ({ party: event.actor.party, date: event.date! }) }),
    renew: assign({ term: ({ context }) => context.term + 1 }),
    ...effects,
  },
}).createMachine({
  id: 'agreement',
  initial: 'drafting',
  context: ({ input }) => ({
    parties: [...input.parties],
    reviewedBy: [],
    approvedBy: [],
    signedBy: [],
    terms: { firstSigner: null, entryIntoForce: 'signature' },
    completions: {},
    inForceSince: null,
    term: 1,
    notice: null,
  }),
  states: {
    drafting: {
      tags: ['text-editable', 'commentable', 'deadlines-settable', 'review-ahead', 'approval-ahead', 'signing-ahead'] satisfies StateTag[],
      on: {
        SUBMIT: { guard: 'isLegalStaff', target: 'review', actions: 'fixTerms' },
        WITHDRAW: { guard: 'isLegalStaffOrOfficial', target: 'withdrawn' },
      },
    },
    review: {
      tags: ['commentable', 'deadlines-settable', 'review-ahead', 'approval-ahead', 'signing-ahead'] satisfies StateTag[],
      entry: { type: 'scheduleDueReminders', params: { stage: 'review' } },
      exit: 'cancelDueReminders',
      on: {
        APPROVE: [
          { guard: 'isLastReview', target: 'approval', actions: ['recordReview', { type: 'storeApproval', params: { stage: 'review' } }] },
          { guard: 'isReviewByNewParty', actions: ['recordReview', { type: 'storeApproval', params: { stage: 'review' } }] },
        ],
        REQUEST_CHANGES: { guard: 'isLegalStaffOrOfficial', target: 'drafting', actions: ['clearApprovals', 'auditApprovalsCleared'] },
        WITHDRAW: { guard: 'isLegalStaffOrOfficial', target: 'withdrawn' },
      },
    },
    approval: {
      tags: ['commentable', 'deadlines-settable', 'approval-ahead', 'signing-ahead'] satisfies StateTag[],
      entry: { type: 'scheduleDueReminders', params: { stage: 'approval' } },
      exit: 'cancelDueReminders',
      on: {
        APPROVE: [
          {
            guard: 'isLastApproval',
            target: 'signing',
            actions: ['recordApproval', { type: 'storeApproval', params: { stage: 'approval' } }],
          },
          { guard: 'isApprovalByNewParty', actions: ['recordApproval', { type: 'storeApproval', params: { stage: 'approval' } }] },
        ],
        REQUEST_CHANGES: { guard: 'isLegalStaffOrOfficial', target: 'drafting', actions: ['clearApprovals', 'auditApprovalsCleared'] },
        WITHDRAW: { guard: 'isLegalStaffOrOfficial', target: 'withdrawn' },
      },
    },
    // The text is frozen here: no way back to drafting once the originals exist.
    signing: {
      tags: ['deadlines-settable', 'originals-frozen', 'signing-ahead'] satisfies StateTag[],
      entry: ['freezeOriginals', { type: 'scheduleDueReminders', params: { stage: 'signing' } }, 'announceMilestone'],
      exit: 'cancelDueReminders',
      on: {
        SIGN: [
          { guard: 'isLastSignature', target: 'executed', actions: ['recordSignature', 'signOriginals'] },
          { guard: 'isSignatureByNewParty', actions: ['recordSignature', 'signOriginals'] },
        ],
      },
    },
    executed: {
      tags: ['originals-frozen', 'originals-signed', 'continuable', 'running', 'term-dated', 'awaiting-completion'] satisfies StateTag[],
      entry: [
        enqueueActions(({ context, enqueue }) => {
          if (hasEntryOnSignature({ context })) enqueue('scheduleEntryIntoForce');
        }),
        'announceMilestone',
      ],
      on: {
        ENTER_INTO_FORCE: { guard: 'isEntryOnSignature', target: 'in-force', actions: 'enterIntoForce' },
        // A party's written notification that its procedures are done. For a Russian party this is its state
        // registration (Federal Law 4-FZ, Government Decree 552): recording the registration sends this event
        // for the Russian party, dated on the day of registration (server/registration/registrations.ts).
        NOTIFY_COMPLETION: [
          { guard: 'isLastCompletion', target: 'in-force', actions: ['recordCompletion', 'enterIntoForce'] },
          { guard: 'isCompletionByNewParty', actions: 'recordCompletion' },
        ],
      },
    },
    'in-force': {
      tags: ['originals-frozen', 'originals-signed', 'continuable', 'running', 'term-dated'] satisfies StateTag[],
      entry: ['startTerm', 'announceMilestone'],
      on: {
        GIVE_NOTICE: { guard: 'isFirstNotice', actions: ['recordNotice', 'planTermination'] },
        // A notice given too late for this term still lets the agreement renew once; the scheduler decides.
        RENEW: { guard: 'isSystem', actions: ['renew', 'startNextTerm'] },
        EXPIRE: { guard: 'isSystem', target: 'expired' },
        TERMINATE: { guard: 'isTerminationAfterNotice', target: 'terminated' },
      },
    },
    expired: {
      type: 'final',
      tags: ['originals-frozen', 'originals-signed', 'term-dated'] satisfies StateTag[],
      entry: ['endSchedule', 'announceMilestone'],
    },
    terminated: {
      type: 'final',
      tags: ['originals-frozen', 'originals-signed'] satisfies StateTag[],
      entry: ['endSchedule', 'announceMilestone'],
    },
    withdrawn: { type: 'final', entry: 'announceMilestone' },
  },
});
