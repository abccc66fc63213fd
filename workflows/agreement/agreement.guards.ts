import type { AgreementContext, AgreementEvent, Role } from './agreement.events.ts';

/** Pure predicates over (context, event); the machine composes them into its transitions. */
interface GuardArgs {
  readonly context: AgreementContext;
  readonly event: AgreementEvent;
}

const isPartyInRole =
  (...roles: Role[]) =>
  ({ context, event }: GuardArgs): boolean =>
    context.parties.includes(event.actor.party) && roles.includes(event.actor.role);

const isFirstFrom = (list: readonly string[], party: string) => !list.includes(party);

/** True when, counting this event's party, every party is in the list. */
const completes = (list: readonly string[], { context, event }: GuardArgs) =>
  context.parties.every((party) => party === event.actor.party || list.includes(party));

export const isLegalStaff = isPartyInRole('legal');
export const isLegalStaffOrOfficial = isPartyInRole('legal', 'official');

export const isReviewByNewParty = (args: GuardArgs) =>
  isLegalStaff(args) && isFirstFrom(args.context.reviewedBy, args.event.actor.party);

export const isLastReview = (args: GuardArgs) =>
  isReviewByNewParty(args) && completes(args.context.reviewedBy, args);

export const isApprovalByNewParty = (args: GuardArgs) =>
  isPartyInRole('official')(args) && isFirstFrom(args.context.approvedBy, args.event.actor.party);

export const isLastApproval = (args: GuardArgs) =>
  isApprovalByNewParty(args) && completes(args.context.approvedBy, args);

export const isSignatureByNewParty = (args: GuardArgs) =>
  isPartyInRole('signatory')(args) && isFirstFrom(args.context.signedBy, args.event.actor.party);

export const isLastSignature = (args: GuardArgs) =>
  isSignatureByNewParty(args) && completes(args.context.signedBy, args);
