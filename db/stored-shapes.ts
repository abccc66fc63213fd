/**
 * The shapes the database stores (JSON and typed columns) that the repositories and the use-cases
 * both name. Types and constants only, importing nothing: db/ depends on nothing above it. The zod
 * schemas in server/ that validate these shapes are typed against them (`satisfies z.ZodType<...>`),
 * so a schema and its stored shape cannot drift apart.
 */

/** The languages an agreement can be written in. */
export const LANGUAGES = ['ru', 'ko', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

/** One text in each language. */
export interface LocalizedText {
  readonly en: string;
  readonly ru: string;
  readonly ko: string;
}

/**
 * A government's names as each language's texts need them. Russian declines names, so the templates
 * get every case they use; the capital is written as it follows "at"/"в"/"에서" in the final clause.
 */
export interface PartyNames {
  readonly en: { readonly name: string; readonly country: string; readonly short: string; readonly capital: string };
  readonly ru: {
    readonly nom: string;
    readonly gen: string;
    readonly dat: string;
    readonly acc: string;
    readonly ins: string;
    readonly country: string;
    readonly short: string;
    readonly capital: string;
  };
  readonly ko: { readonly name: string; readonly country: string; readonly short: string; readonly capital: string };
  /** The body that coordinates cooperation on this party's side, the default for new agreements. */
  readonly coordinator: LocalizedText;
}

/** A row of `parties`. */
export interface Party {
  readonly key: string;
  readonly language: Lang;
  readonly names: PartyNames;
  /** The IANA zone the party's people read times in ("Asia/Seoul"); UTC when not given. */
  readonly timeZone?: string;
}

/** A person's name and title per language, as printed under their signature (`users.profile`). */
export interface PersonProfile {
  readonly name: LocalizedText;
  readonly title: LocalizedText;
}

/**
 * The typed variables an agreement's clauses are filled with, as the current server writes them with
 * each version of the text. Party names are not here: they come from the parties themselves, in the
 * order of the original being rendered.
 */
export interface AgreementVariables {
  /** What the agreement is about, as it follows the document's name in the title. */
  readonly subject: LocalizedText;
  readonly areas: readonly LocalizedText[];
  readonly termYears: number;
  readonly noticeMonths: number;
  readonly autoRenewal: boolean;
  readonly entryIntoForce: 'signature' | 'notifications';
  /** The party whose capital the agreement is signed in. */
  readonly placeOfSigning: string;
  /** Planned date of signature (YYYY-MM-DD); the date the text is frozen when not set. */
  readonly signingDate: string | null;
  readonly prevailingLanguage: Lang | null;
  readonly conferenceYear: number;
  /** Per party key: the body that coordinates the cooperation on that side. */
  readonly coordinators: Readonly<Record<string, LocalizedText>>;
  /** Sequential signing: the party that signs first; null when either may sign first. */
  readonly firstSigner: string | null;
  /** Parallel columns, one per language, or each language's whole text in turn. */
  readonly layout: 'parallel' | 'sequential';
}

/** The variables as a stored version holds them: versions written before signing order and layout existed lack those two. */
export type StoredAgreementVariables = Omit<AgreementVariables, 'firstSigner' | 'layout'> &
  Partial<Pick<AgreementVariables, 'firstSigner' | 'layout'>>;

export type TranslationStatus = 'confirmed' | 'translated' | 'needs-review';

export interface ClauseLanguage {
  readonly text: string;
  readonly status: TranslationStatus;
  /** The clause's source hash this language renders. */
  readonly renders: string;
}

export interface ClauseInstance {
  /** Stable across languages and renumbering: a library key, or `custom-N` for a clause written fresh. */
  readonly key: string;
  readonly origin: 'library' | 'custom';
  readonly sourceHash: string;
  readonly languages: Readonly<Partial<Record<Lang, ClauseLanguage>>>;
}

/** An agreement's text as the current server writes it: its clauses in order and the variables they are filled with. */
export interface AgreementText {
  readonly variables: AgreementVariables;
  readonly clauses: readonly ClauseInstance[];
}

/** The text as a stored version holds it, its variables as they were written. */
export type StoredAgreementText = Omit<AgreementText, 'variables'> & { readonly variables: StoredAgreementVariables };

/** Where a party signs in its original (`originals.signature_fields`). */
export interface SignatureField {
  readonly party: string;
  /** Zero-based page index. */
  readonly page: number;
  /** PDF user space from the top-left corner of the page, like every other box. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
