import type { Block } from '../text/markup.ts';
import type { Lang } from '../text/languages.ts';

/** Text in each of the document's languages. */
export type PerLanguage<T> = Partial<Record<Lang, T>>;

/**
 * One original of an agreement, ready to be laid out: every piece of text in every language, in the
 * original's order (its party's language first, its party named first and signing on the left).
 * Articles carry the clause key, shared by all language versions, so columns align article by article.
 */
export interface AgreementDocument {
  readonly languages: readonly Lang[];
  /** Parallel columns aligned article by article, or each language's complete text in turn. */
  readonly layout: 'parallel' | 'sequential';
  readonly title: PerLanguage<string>;
  /** In a redline, the title's changes. */
  readonly titleMarks?: PerLanguage<readonly ChangeMark[]>;
  /** For the running header. */
  readonly shortTitle: PerLanguage<string>;
  readonly preamble: PerLanguage<readonly MarkedBlock[]>;
  readonly articles: readonly Article[];
  readonly finalClause: PerLanguage<readonly MarkedBlock[]>;
  readonly signatureBlocks: readonly SignatureBlock[];
  /** The final originals' last pages: the audit trail and the hashes, so the signed file carries its own history. */
  readonly appendix: Appendix | null;
  /** Present until the text is final: drawn as a diagonal mark on every page. */
  readonly draft: { readonly version: number; readonly date: string } | null;
  readonly metadata: DocumentMetadata;
  /** A redline's changes: who made each revision the marks name, and the key to their colours. */
  readonly changes?: ChangeLegend;
}

/**
 * A stretch of a redline's text [start, end) (UTF-16 offsets into the paragraph's or item's text):
 * inserted (drawn underlined) or deleted (struck through), by a revision of `AgreementDocument.changes`.
 */
export interface ChangeMark {
  readonly start: number;
  readonly end: number;
  readonly kind: 'insert' | 'delete';
  /** Index into `ChangeLegend.revisions`. */
  readonly revision: number;
}

/** A block of text; in a redline with its changes: `marks` of a paragraph, `itemMarks` per item of a list. */
export type MarkedBlock = Block & {
  /** Set ragged, not justified: lines of a key or list of names, whose long words justify badly. */
  readonly ragged?: boolean;
  readonly marks?: readonly ChangeMark[];
  readonly itemMarks?: readonly (readonly ChangeMark[])[];
};

export interface ChangeLegend {
  readonly revisions: readonly { readonly version: number; readonly author: string; readonly date: string }[];
  /** Set after the title in each language's column: what is compared, and one line per revision, its marks in its colour. */
  readonly heading: PerLanguage<string>;
  readonly lines: PerLanguage<readonly MarkedBlock[]>;
}

export interface Appendix {
  /** "Audit trail" in each of the document's languages. */
  readonly heading: PerLanguage<string>;
  /** One paragraph each, in English: the hashes, then one entry per line of the audit. */
  readonly paragraphs: readonly string[];
}

export interface Article {
  readonly key: string;
  readonly heading: PerLanguage<string>;
  readonly body: PerLanguage<readonly MarkedBlock[]>;
  /** In a redline, an article the later version added or removed whole: its heading is marked too. */
  readonly headingMarks?: PerLanguage<readonly ChangeMark[]>;
}

export interface SignatureBlock {
  readonly party: string;
  /** "For the Government of Sverdlovsk Region" in each language. */
  readonly heading: PerLanguage<string>;
  readonly signatoryName: PerLanguage<string>;
  readonly signatoryTitle: PerLanguage<string>;
}

export interface DocumentMetadata {
  readonly title: string;
  readonly subject: string;
  readonly lang: string;
  /** Derived from the agreement, not the clock, so the same version renders to the same bytes. */
  readonly creationDate: Date;
  readonly keywords: string;
}
