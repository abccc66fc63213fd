import type { Actor as WorkflowActor, AgreementEventType, AgreementState, Role } from '../../workflows/agreement/agreement.events.ts';
import { stateHasTag, step, type PersistedWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import { ForbiddenError, InvalidTransitionError, NotFoundError } from '../errors.ts';

/**
 * The one policy: (role, party, agreement state, action) -> allow or deny, with the reason in words.
 * Every use-case asks it before acting, and the web pages ask it to decide which buttons to show, so
 * the API and the pages can never disagree. Workflow events are decided by the pure machine itself.
 */
export type Action =
  | 'agreement.create'
  | 'agreement.read'
  | 'text.edit'
  | 'text.confirm'
  | 'text.suggest'
  | 'suggestion.decide'
  | 'consistency.intend'
  | 'registration.record'
  | 'obligation.record'
  | 'obligation.complete'
  | 'comment.write'
  | 'deadlines.set'
  | 'original.download'
  | 'users.manage'
  | 'webhooks.manage'
  | `event.${AgreementEventType}`;

/** A person acting: the workflow's actor, never the scheduler's system role. */
export type Actor = WorkflowActor & { readonly role: Role };

export interface AgreementFacts {
  readonly parties: readonly string[];
  readonly state: AgreementState;
  readonly workflow: PersistedWorkflow;
}

export type Decision =
  | { readonly allowed: true }
  /** `hidden`: the agreement is not the actor's party's to see at all (answered as 404, not 403). */
  /** `because`: which of a kind's reasons, where an action has more than one (the pages say each in its own words). */
  | { readonly allowed: false; readonly reason: string; readonly kind: 'hidden' | 'forbidden' | 'not-now'; readonly because?: string };

const allow: Decision = { allowed: true };
const deny = (kind: 'hidden' | 'forbidden' | 'not-now', reason: string, because?: string): Decision => ({
  allowed: false,
  kind,
  reason,
  ...(because !== undefined && { because }),
});

export function decide(actor: Actor, agreement: AgreementFacts | null, action: Action): Decision {
  if (action === 'agreement.create') {
    return actor.role === 'legal' ? allow : deny('forbidden', 'Only legal staff start agreements');
  }
  if (action === 'users.manage' || action === 'webhooks.manage') {
    return actor.role === 'admin' ? allow : deny('forbidden', "Only the party's administrator manages its users and webhooks");
  }
  if (!agreement?.parties.includes(actor.party)) return deny('hidden', 'The agreement is not one of your party’s');
  switch (action) {
    case 'agreement.read':
    case 'original.download':
      return allow;
    // The drafting desk: the drafting party's legal staff write the text; the counterparty's suggest,
    // and confirm the translations; the drafting party's legal staff accept or reject suggestions.
    case 'text.edit':
      if (actor.role !== 'legal') return deny('forbidden', 'Only legal staff change the text');
      if (actor.party !== draftingParty(agreement)) {
        return deny(
          'forbidden',
          `The drafting party (${draftingParty(agreement)}) edits the text; suggest your change instead`,
          'counterparty',
        );
      }
      return whileDrafting(agreement, 'The text can be changed');
    case 'text.confirm':
      if (actor.role !== 'legal') return deny('forbidden', 'Only legal staff confirm a translation');
      return whileDrafting(agreement, 'A translation can be confirmed');
    case 'text.suggest':
      if (actor.role !== 'legal') return deny('forbidden', 'Only legal staff suggest changes to the text');
      return whileDrafting(agreement, 'Changes can be suggested');
    case 'suggestion.decide':
      if (actor.role !== 'legal' || actor.party !== draftingParty(agreement)) {
        return deny('forbidden', `The drafting party's legal staff (${draftingParty(agreement)}) accept or reject suggestions`);
      }
      return whileDrafting(agreement, 'Suggestions can be accepted or rejected');
    // Each party's legal staff answer for their own language texts, so each marks a difference as intended.
    case 'consistency.intend':
      if (actor.role !== 'legal') return deny('forbidden', 'Only legal staff mark a difference between the languages as intended');
      return whileDrafting(agreement, 'A difference can be marked as intended');
    // A party records its own registration (for a Russian region, the federal one) once the agreement is signed.
    case 'registration.record':
      if (actor.role !== 'legal' && actor.role !== 'official')
        return deny('forbidden', 'Legal staff and officials record the registration');
      return stateHasTag(agreement.workflow, 'originals-signed')
        ? allow
        : deny('not-now', `A registration is recorded after both parties have signed; the agreement is in ${agreement.state}`);
    // A party's legal staff and officials keep the obligations its agreements put on it: recorded while
    // the agreement runs, marked done as long as its originals stand (a last report after expiry too).
    case 'obligation.record':
      if (actor.role !== 'legal' && actor.role !== 'official') return deny('forbidden', 'Legal staff and officials record obligations');
      return stateHasTag(agreement.workflow, 'continuable')
        ? allow
        : deny('not-now', `Obligations are recorded while the agreement is signed and running; it is in ${agreement.state}`);
    case 'obligation.complete':
      if (actor.role !== 'legal' && actor.role !== 'official') return deny('forbidden', 'Legal staff and officials mark obligations done');
      return stateHasTag(agreement.workflow, 'originals-signed')
        ? allow
        : deny('not-now', `Obligations belong to a signed agreement; it is in ${agreement.state}`);
    case 'deadlines.set':
      if (actor.role !== 'legal' && actor.role !== 'official') return deny('forbidden', 'Legal staff and officials set the due dates');
      return stateHasTag(agreement.workflow, 'deadlines-settable')
        ? allow
        : deny('not-now', `Due dates belong to drafting, review, approval and signing; the agreement is in ${agreement.state}`);
    case 'comment.write':
      if (actor.role === 'observer') return deny('forbidden', 'Observers read but do not comment');
      return stateHasTag(agreement.workflow, 'commentable')
        ? allow
        : deny('not-now', `Comments are closed once the text is frozen; the agreement is in ${agreement.state}`);
    default: {
      const type = action.slice('event.'.length) as AgreementEventType;
      const outcome = step(agreement.workflow, { type, actor });
      if (outcome.accepted) return allow;
      if (type === 'NOTIFY_COMPLETION' && isCompletionByRegistration(agreement, actor)) {
        return deny(
          'not-now',
          `${actor.party} notifies the completion of its procedures by recording its state registration (PUT /api/agreements/:id/registrations/${actor.party}), not by hand`,
        );
      }
      return outcome.reason === 'wrong-role'
        ? deny('forbidden', `A ${actor.role} of ${actor.party} may not send ${type} while the agreement is in ${agreement.state}`)
        : deny('not-now', `${type} is not possible now: the agreement is in ${agreement.state}`);
    }
  }
}

/** Whether the actor could notify completion now, were it with the registration its party's notification rests on. */
function isCompletionByRegistration(agreement: AgreementFacts, actor: Actor): boolean {
  const registration = { number: '', registeredOn: '' };
  return (
    (agreement.workflow.context.terms.completionByRegistration ?? []).includes(actor.party) &&
    step(agreement.workflow, { type: 'NOTIFY_COMPLETION', actor, registration }).accepted
  );
}

/** The party that started the agreement drafts it: the first of its parties. */
export function draftingParty(agreement: AgreementFacts): string {
  return agreement.parties[0]!;
}

function whileDrafting(agreement: AgreementFacts, what: string): Decision {
  return stateHasTag(agreement.workflow, 'text-editable')
    ? allow
    : deny('not-now', `${what} only while drafting; the agreement is in ${agreement.state}`);
}

/** Throws the refusal that matches the decision: 404 for what the actor may not see, 403, or 409. */
export function authorize(actor: Actor, agreement: AgreementFacts | null, action: Action, notNowDetail = ''): void {
  const decision = decide(actor, agreement, action);
  if (decision.allowed) return;
  if (decision.kind === 'hidden') throw new NotFoundError('There is no such agreement for your party');
  if (decision.kind === 'forbidden') throw new ForbiddenError(decision.reason);
  throw new InvalidTransitionError(decision.reason + notNowDetail);
}

/** Actions on one user's own things: their signing certificate. */
export type UserAction = 'signing-credential.register' | 'signing-credential.read' | 'signing-credential.revoke';

export interface UserFacts {
  readonly id: number;
  readonly party: string;
}

/**
 * A signing certificate is the signatory's own business and their party's administrator's: the
 * signatory registers theirs, or the administrator does for them; only the administrator revokes one,
 * as the party's CA would. A user of another party is hidden.
 */
export function decideOnUser(actor: Actor & { readonly id: number }, subject: UserFacts, action: UserAction): Decision {
  if (subject.party !== actor.party) return deny('hidden', 'The user is not one of your party’s');
  if (action === 'signing-credential.revoke') {
    return actor.role === 'admin' ? allow : deny('forbidden', "Only the party's administrator revokes a signing certificate");
  }
  if (actor.id === subject.id || actor.role === 'admin') return allow;
  return deny(
    'forbidden',
    action === 'signing-credential.register'
      ? "Only the signatory themself or their party's administrator registers a signing certificate"
      : "Only the signatory themself or their party's administrator sees their signing certificate",
  );
}

/** Throws the refusal that matches decideOnUser: 404 for another party's user, 403 otherwise. */
export function authorizeOnUser(actor: Actor & { readonly id: number }, subject: UserFacts, action: UserAction): void {
  throwRefusal(decideOnUser(actor, subject, action), 'There is no such user in your party');
}

/** Actions on a party's own settings: the CA certificates its signatories' certificates must chain to. */
export type PartyAction = 'trust-anchors.read' | 'trust-anchors.manage';

/** A party's users see its trust anchors; only its administrator changes them. Another party's are hidden. */
export function decideOnParty(actor: Actor, party: string, action: PartyAction): Decision {
  if (party !== actor.party) return deny('hidden', 'The party is not yours');
  if (action === 'trust-anchors.read' || actor.role === 'admin') return allow;
  return deny('forbidden', "Only the party's administrator chooses the CAs its signatories' certificates must chain to");
}

/** Throws the refusal that matches decideOnParty: 404 for another party, 403 otherwise. */
export function authorizeOnParty(actor: Actor, party: string, action: PartyAction): void {
  throwRefusal(decideOnParty(actor, party, action), `There is no party "${party}" of yours`);
}

function throwRefusal(decision: Decision, hiddenDetail: string): void {
  if (decision.allowed) return;
  if (decision.kind === 'hidden') throw new NotFoundError(hiddenDetail);
  if (decision.kind === 'forbidden') throw new ForbiddenError(decision.reason);
  throw new InvalidTransitionError(decision.reason);
}
