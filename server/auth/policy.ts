import type { AgreementEventType, AgreementState, Role } from '../../workflows/agreement/agreement.events.ts';
import { step, type PersistedWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
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
  | 'comment.write'
  | 'deadlines.set'
  | 'original.download'
  | 'users.manage'
  | 'webhooks.manage'
  | `event.${AgreementEventType}`;

export interface Actor {
  readonly party: string;
  readonly role: Role;
}

export interface AgreementFacts {
  readonly parties: readonly string[];
  readonly state: AgreementState;
  readonly workflow: PersistedWorkflow;
}

export type Decision =
  | { readonly allowed: true }
  /** `hidden`: the agreement is not the actor's party's to see at all (answered as 404, not 403). */
  | { readonly allowed: false; readonly reason: string; readonly kind: 'hidden' | 'forbidden' | 'not-now' };

const allow: Decision = { allowed: true };
const deny = (kind: 'hidden' | 'forbidden' | 'not-now', reason: string): Decision => ({ allowed: false, kind, reason });

const TEXT_EDITING_STATES: readonly AgreementState[] = ['drafting'];
const DEADLINE_STATES: readonly AgreementState[] = ['drafting', 'review', 'approval', 'signing'];
const COMMENTING_STATES: readonly AgreementState[] = ['drafting', 'review', 'approval'];

export function decide(actor: Actor, agreement: AgreementFacts | null, action: Action): Decision {
  if (action === 'agreement.create') {
    return actor.role === 'legal' ? allow : deny('forbidden', 'Only legal staff start agreements');
  }
  if (action === 'users.manage' || action === 'webhooks.manage') {
    return actor.role === 'admin' ? allow : deny('forbidden', "Only the party's administrator manages its users and webhooks");
  }
  if (!agreement || !agreement.parties.includes(actor.party)) return deny('hidden', 'The agreement is not one of your party’s');
  switch (action) {
    case 'agreement.read':
    case 'original.download':
      return allow;
    case 'text.edit':
      if (actor.role !== 'legal') return deny('forbidden', 'Only legal staff change the text');
      return TEXT_EDITING_STATES.includes(agreement.state)
        ? allow
        : deny('not-now', `The text can be changed only while drafting; the agreement is in ${agreement.state}`);
    case 'deadlines.set':
      if (actor.role !== 'legal' && actor.role !== 'official') return deny('forbidden', 'Legal staff and officials set the due dates');
      return DEADLINE_STATES.includes(agreement.state)
        ? allow
        : deny('not-now', `Due dates belong to drafting, review, approval and signing; the agreement is in ${agreement.state}`);
    case 'comment.write':
      if (actor.role === 'observer') return deny('forbidden', 'Observers read but do not comment');
      return COMMENTING_STATES.includes(agreement.state)
        ? allow
        : deny('not-now', `Comments are closed once the text is frozen; the agreement is in ${agreement.state}`);
    default: {
      const type = action.slice('event.'.length) as AgreementEventType;
      const outcome = step(agreement.workflow, { type, actor });
      if (outcome.accepted) return allow;
      return outcome.reason === 'wrong-role'
        ? deny('forbidden', `A ${actor.role} of ${actor.party} may not send ${type} while the agreement is in ${agreement.state}`)
        : deny('not-now', `${type} is not possible now: the agreement is in ${agreement.state}`);
    }
  }
}

/** Throws the refusal that matches the decision: 404 for what the actor may not see, 403, or 409. */
export function authorize(actor: Actor, agreement: AgreementFacts | null, action: Action, notNowDetail = ''): void {
  const decision = decide(actor, agreement, action);
  if (decision.allowed) return;
  if (decision.kind === 'hidden') throw new NotFoundError('There is no such agreement for your party');
  if (decision.kind === 'forbidden') throw new ForbiddenError(decision.reason);
  throw new InvalidTransitionError(decision.reason + notNowDetail);
}
