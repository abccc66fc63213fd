/** The roles a user can hold inside one party. */
export const ROLES = ['legal', 'official', 'signatory'] as const;
export type Role = (typeof ROLES)[number];

/** Who sends an event: the party they act for and the role they act in. */
export interface Actor {
  readonly party: string;
  readonly role: Role;
}

export const EVENT_TYPES = ['SUBMIT', 'APPROVE', 'REQUEST_CHANGES', 'SIGN', 'WITHDRAW'] as const;
export type AgreementEventType = (typeof EVENT_TYPES)[number];

export interface AgreementEvent {
  readonly type: AgreementEventType;
  readonly actor: Actor;
}

export const STATES = ['drafting', 'review', 'approval', 'signing', 'executed', 'withdrawn'] as const;
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
}

export interface AgreementInput {
  readonly parties: readonly string[];
}
