/**
 * The roles a user can hold inside one party: legal staff draft, officials approve, signatories sign,
 * observers read, and an administrator manages the party's users. Only the first three act in the workflow.
 * The certifying officer signs the certified true copies of the signed texts that a registration asks for.
 */
export const ROLES = ['legal', 'official', 'signatory', 'observer', 'admin', 'certifying'] as const;
export type Role = (typeof ROLES)[number];

/** The scheduler acts as `system` when a date arrives; no user holds that role. */
export const SYSTEM_ACTOR = { party: '*', role: 'system' } as const;

/** Who sends an event: the party they act for and the role they act in. */
export interface Actor {
  readonly party: string;
  readonly role: Role | 'system';
}

/** Events people send. */
export const EVENT_TYPES = ['SUBMIT', 'APPROVE', 'REQUEST_CHANGES', 'SIGN', 'WITHDRAW', 'NOTIFY_COMPLETION', 'GIVE_NOTICE'] as const;
/** Events only the scheduler sends, when a date in the agreement arrives. */
export const SYSTEM_EVENT_TYPES = ['ENTER_INTO_FORCE', 'RENEW', 'EXPIRE', 'TERMINATE'] as const;
export type AgreementEventType = (typeof EVENT_TYPES)[number] | (typeof SYSTEM_EVENT_TYPES)[number];
/** The events by which a user moves an agreement forward: being able to send one means the agreement waits for you. The others (withdraw, request changes, notice) never wait for anyone. */
export const FORWARD_EVENTS: readonly AgreementEventType[] = ['SUBMIT', 'APPROVE', 'SIGN', 'NOTIFY_COMPLETION'];

export interface AgreementEvent {
  readonly type: AgreementEventType;
  readonly actor: Actor;
  /**
   * The date the event takes effect (YYYY-MM-DD): a notification's date, a notice's date, a scheduled
   * date. Sent with every event that records one (the use-cases default it to today).
   */
  readonly date?: string;
  /** SUBMIT: how the text says it is signed and enters into force, fixed for the rounds that follow. */
  readonly terms?: SigningTerms;
  /**
   * NOTIFY_COMPLETION of a party whose completion is its registration: the registration it rests on,
   * sent only by recording the registration (server/registration/registrations.ts).
   */
  readonly registration?: { readonly number: string; readonly registeredOn: string };
}

export interface SigningTerms {
  /** The party that must sign first, or null when either may. */
  readonly firstSigner: string | null;
  readonly entryIntoForce: 'signature' | 'notifications';
  /**
   * The parties whose notification of completion is their state registration (a Russian region's,
   * Federal Law 4-FZ art. 9): their NOTIFY_COMPLETION must carry it. Absent in terms fixed before
   * this rule: then nobody's must.
   */
  readonly completionByRegistration?: readonly string[];
}

export const STATES = ['drafting', 'review', 'approval', 'signing', 'executed', 'in-force', 'expired', 'terminated', 'withdrawn'] as const;
export type AgreementState = (typeof STATES)[number];

/** What the machine remembers between events; plain JSON so it persists as is. */
export interface AgreementContext {
  /** The two party keys; only they may act on the agreement. */
  readonly parties: readonly string[];
  /** Parties whose legal staff approved in review. */
  readonly reviewedBy: readonly string[];
  /** Parties whose official approved in approval. */
  readonly approvedBy: readonly string[];
  /** Parties whose signatory signed. */
  readonly signedBy: readonly string[];
  readonly terms: SigningTerms;
  /** Per party: the date it notified that its internal procedures are complete. */
  readonly completions: Readonly<Record<string, string>>;
  readonly inForceSince: string | null;
  /** Which term the agreement is in: 1, then one more per automatic renewal. */
  readonly term: number;
  /** The termination notice, once a party has given it. */
  readonly notice: { readonly party: string; readonly date: string } | null;
}

export interface AgreementInput {
  readonly parties: readonly string[];
}
