/**
 * What the verification found wrong with a signature, a document timestamp or a revision, as data: a
 * stable code, the values the finding is about, and the English sentence the API has always answered
 * (integrations and logs read it). Readers in other languages say a finding from its code and values
 * (the verify page: verify.message.<code>), never from the sentence, so rewording a sentence changes no
 * translation. Pure.
 */

/** What a finding's value is, so a reader can say it: a moment (ISO 8601), a party's key, a CRL reason's name, or words as they are. */
export const FINDING_VALUE_KINDS = {
  at: 'moment',
  claimed: 'moment',
  stamped: 'moment',
  party: 'party',
  reason: 'revocationReason',
  authority: 'text',
  revision: 'text',
  algorithm: 'text',
} as const;

type FindingValueName = keyof typeof FINDING_VALUE_KINDS;

/** Every code and the values a finding of it carries; a code here without a message in a locale fails test/web/verify-messages.test.ts. */
export const FINDING_VALUES = {
  changed: [],
  signatureBroken: [],
  malformed: [],
  attributes: [],
  keyUsage: [],
  caCertificate: [],
  unknownIssuer: [],
  impersonated: ['party'],
  severalParties: [],
  retiredIssuer: ['party', 'at'],
  chainNotValid: ['at'],
  revokedBefore: ['at', 'reason'],
  revokedAfter: ['at', 'reason'],
  revocationUnchecked: [],
  signingTime: [],
  signingTimeDisagrees: ['claimed', 'stamped'],
  timestamps: [],
  timestampBroken: [],
  timestampUnproven: ['at', 'authority'],
  timestampExpired: ['at'],
  algorithmEnding: ['at', 'algorithm'],
  algorithmEnded: ['at', 'algorithm'],
  unsignedChange: [],
  trailingBytes: [],
  revisionStructure: [],
  notStoredRevision: ['revision', 'party'],
} as const satisfies Record<string, readonly FindingValueName[]>;

export type FindingCode = keyof typeof FINDING_VALUES;

type ValuesOf<C extends FindingCode> = { readonly [Name in (typeof FINDING_VALUES)[C][number]]: string };

/** One finding; `message` is the English sentence, the same as the report's `problems` or `warnings` entry. */
export type Finding = {
  readonly [C in FindingCode]: { readonly code: C; readonly values: ValuesOf<C>; readonly message: string };
}[FindingCode];

/** A finding of `code` said as `message`; the values its code carries are required, and only those. */
export function finding<C extends FindingCode>(
  code: C,
  message: string,
  ...values: (typeof FINDING_VALUES)[C] extends readonly [] ? [] : [ValuesOf<C>]
): Finding {
  return { code, values: values[0] ?? {}, message } as Finding;
}

/** The English sentences of `findings`, as the report's `problems` and `warnings` list them. */
export function messagesOf(findings: readonly Finding[]): string[] {
  return findings.map(({ message }) => message);
}
