import type { AgreementContext, AgreementEvent, Role } from './agreement.events.ts';

/** Pure predicates over (context, event); the machine composes them into its transitions. */
interface GuardArgs {
  readonly context: AgreementContext;
  readonly event: AgreementEvent;
}

const isPartyInRole =
  (...roles: Role[]) =>
  ({ context, event }: GuardArgs): boolean =>
    context.parties.includes(event.actor.party) && (roles as string[]).includes(event.actor.role);

const isFirstFrom = (list: readonly string[], party: string) => !list.includes(party);

/** True when, counting this event's party, every party is in the list. */
const completes = (list: readonly string[], { context, event }: GuardArgs) =>
  context.parties.every((party) => party === event.actor.party || list.includes(party));

export const isSystem = ({ event }: GuardArgs) => event.actor.role === 'system';
export const isLegalStaff = isPartyInRole('legal');
export const isLegalStaffOrOfficial = isPartyInRole('legal', 'official');
export const isOfficial = isPartyInRole('official');

export const isReviewByNewParty = (args: GuardArgs) => isLegalStaff(args) && isFirstFrom(args.context.reviewedBy, args.event.actor.party);

export const isLastReview = (args: GuardArgs) => isReviewByNewParty(args) && completes(args.context.reviewedBy, args);

export const isApprovalByNewParty = (args: GuardArgs) => isOfficial(args) && isFirstFrom(args.context.approvedBy, args.event.actor.party);

export const isLastApproval = (args: GuardArgs) => isApprovalByNewParty(args) && completes(args.context.approvedBy, args);

/** Sequential signing: the named party signs first; parallel: either may. */
const isSignersTurn = ({ context, event }: GuardArgs) => {
  const first = context.terms.firstSigner;
  return first === null || event.actor.party === first || context.signedBy.includes(first);
};

export const isSignatureByNewParty = (args: GuardArgs) =>
  isPartyInRole('signatory')(args) && isFirstFrom(args.context.signedBy, args.event.actor.party) && isSignersTurn(args);

export const isLastSignature = (args: GuardArgs) => isSignatureByNewParty(args) && completes(args.context.signedBy, args);

/** A party whose completion is its registration notifies it only with the registration (never by hand). */
export const hasRequiredRegistration = ({ context, event }: GuardArgs) =>
  !(context.terms.completionByRegistration ?? []).includes(event.actor.party) || event.registration !== undefined;

/** Entry into force on the later of the two notifications that internal procedures are complete. */
export const isCompletionByNewParty = (args: GuardArgs) =>
  args.context.terms.entryIntoForce === 'notifications' &&
  isLegalStaffOrOfficial(args) &&
  args.context.completions[args.event.actor.party] === undefined &&
  hasRequiredRegistration(args);

export const isLastCompletion = (args: GuardArgs) => isCompletionByNewParty(args) && completes(Object.keys(args.context.completions), args);

/** The text says the agreement enters into force on signature, not on the parties' notifications. */
export const hasEntryOnSignature = ({ context }: Pick<GuardArgs, 'context'>) => context.terms.entryIntoForce === 'signature';

export const isEntryOnSignature = (args: GuardArgs) => isSystem(args) && hasEntryOnSignature(args);

export const isFirstNotice = (args: GuardArgs) => isOfficial(args) && args.context.notice === null;

export const isTerminationAfterNotice = (args: GuardArgs) => isSystem(args) && args.context.notice !== null;
