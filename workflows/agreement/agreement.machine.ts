import { assign, setup } from 'xstate';
import type { AgreementContext, AgreementEvent, AgreementInput } from './agreement.events.ts';
import {
  isApprovalByNewParty,
  isLastApproval,
  isLastReview,
  isLastSignature,
  isLegalStaff,
  isLegalStaffOrOfficial,
  isReviewByNewParty,
  isSignatureByNewParty,
} from './agreement.guards.ts';

/**
 * Bumped whenever a change to the machine would read an older persisted snapshot differently;
 * stored next to each snapshot so an older agreement can be migrated or run on its own version.
 */
export const AGREEMENT_MACHINE_VERSION = 1;

/**
 * The life of one agreement, from drafting to execution. Pure: no invoked services, no timers, no
 * side effects; the server steps it with xstate's transition() and performs effects after commit.
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
  },
  actions: {
    recordReview: assign({ reviewedBy: ({ context, event }) => [...context.reviewedBy, event.actor.party] }),
    recordApproval: assign({ approvedBy: ({ context, event }) => [...context.approvedBy, event.actor.party] }),
    recordSignature: assign({ signedBy: ({ context, event }) => [...context.signedBy, event.actor.party] }),
    clearApprovals: assign({ reviewedBy: () => [], approvedBy: () => [] }),
  },
}).createMachine({
  id: 'agreement',
  initial: 'drafting',
  context: ({ input }) => ({ parties: [...input.parties], reviewedBy: [], approvedBy: [], signedBy: [] }),
  states: {
    drafting: {
      on: {
        SUBMIT: { guard: 'isLegalStaff', target: 'review' },
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
    executed: { type: 'final' },
    withdrawn: { type: 'final' },
  },
});
