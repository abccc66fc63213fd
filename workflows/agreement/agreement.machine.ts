import { assign, setup } from 'xstate';
import type { AgreementContext, AgreementEvent, AgreementInput } from './agreement.events.ts';
import {
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

/**
 * The life of one agreement, from drafting to its end. Pure: no invoked services, no timers, no side
 * effects; dates are the agreement's columns and the scheduler sends the system events when they
 * arrive. The server steps it with xstate's transition() and performs effects after commit.
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
      on: {
        SUBMIT: { guard: 'isLegalStaff', target: 'review', actions: 'fixTerms' },
        WITHDRAW: { guard: 'isLegalStaffOrOfficial', target: 'withdrawn' },
      },
    },
    review: {
      on: {
        APPROVE: [
          { guard: 'isLastReview', target: 'approval', actions: 'recordReview' },
          { guard: 'isReviewByNewParty', actions: 'recordReview' },
        ],
        REQUEST_CHANGES: { guard: 'isLegalStaffOrOfficial', target: 'drafting', actions: 'clearApprovals' },
        WITHDRAW: { guard: 'isLegalStaffOrOfficial', target: 'withdrawn' },
      },
    },
    approval: {
      on: {
        APPROVE: [
          { guard: 'isLastApproval', target: 'signing', actions: 'recordApproval' },
          { guard: 'isApprovalByNewParty', actions: 'recordApproval' },
        ],
        REQUEST_CHANGES: { guard: 'isLegalStaffOrOfficial', target: 'drafting', actions: 'clearApprovals' },
        WITHDRAW: { guard: 'isLegalStaffOrOfficial', target: 'withdrawn' },
      },
    },
    // The text is frozen here: no way back to drafting once the originals exist.
    signing: {
      on: {
        SIGN: [
          { guard: 'isLastSignature', target: 'executed', actions: 'recordSignature' },
          { guard: 'isSignatureByNewParty', actions: 'recordSignature' },
        ],
      },
    },
    executed: {
      on: {
        ENTER_INTO_FORCE: { guard: 'isEntryOnSignature', target: 'in-force', actions: 'enterIntoForce' },
        NOTIFY_COMPLETION: [
          { guard: 'isLastCompletion', target: 'in-force', actions: ['recordCompletion', 'enterIntoForce'] },
          { guard: 'isCompletionByNewParty', actions: 'recordCompletion' },
        ],
      },
    },
    'in-force': {
      on: {
        GIVE_NOTICE: { guard: 'isFirstNotice', actions: 'recordNotice' },
        // A notice given too late for this term still lets the agreement renew once; the scheduler decides.
        RENEW: { guard: 'isSystem', actions: 'renew' },
        EXPIRE: { guard: 'isSystem', target: 'expired' },
        TERMINATE: { guard: 'isTerminationAfterNotice', target: 'terminated' },
      },
    },
    expired: { type: 'final' },
    terminated: { type: 'final' },
    withdrawn: { type: 'final' },
  },
});
