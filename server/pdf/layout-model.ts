import type { Lang } from '../text/languages.ts';
import type { FontId } from './fonts.ts';
import type { SignatureField } from '../../db/stored-shapes.ts';

/**
 * What the layout stage produces and the draw stage paints: pages of positioned boxes in PDF points
 * from the top-left corner of the page, plus the logical structure that makes the PDF tagged.
 */

export interface TextBox {
  readonly kind: 'text';
  readonly x: number;
  /** Top of the line. */
  readonly y: number;
  readonly width: number;
  readonly text: string;
  readonly font: FontId;
  readonly size: number;
  readonly lang: Lang | null;
  /** How the line sits in its box; `x` already includes any centering offset. */
  readonly align: 'left' | 'center' | 'justify';
  /** Extra space per word gap that justifies this line to `width` (negative where it is shrunk). */
  readonly wordSpacing: number;
  /** Extra space after each glyph (PDF Tc), a small part of justifying; 0 elsewhere. */
  readonly letterSpacing: number;
  /** The element this line is part of (all lines of a paragraph share one); null for page furniture. */
  readonly element: StructureElement | null;
  /** A redline's inserted or deleted text is set in its revision's colour; otherwise black (grey for furniture). */
  readonly color?: string;
}

/** A line drawn for the eye only (the header rule, a signing line, a redline's underline or strike): furniture to a screen reader. */
export interface RuleBox {
  readonly kind: 'rule';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  /** Default: 0.5 pt, dark grey. */
  readonly color?: string;
  readonly thickness?: number;
}

export type PositionedBox = TextBox | RuleBox;

export interface LaidOutPage {
  readonly boxes: readonly PositionedBox[];
}

/** Standard structure types of ISO 32000 that the document uses. */
export type StructureType = 'Sect' | 'Div' | 'H1' | 'H2' | 'P' | 'L' | 'LI' | 'Lbl' | 'LBody';

/**
 * One node of the logical structure, the reading order a screen reader follows: each language's
 * text as one section with its language, whatever the page layout. Children are added in reading
 * order while the layout is composed.
 */
export interface StructureElement {
  readonly type: StructureType;
  /** BCP 47: set on each language's section and on each line of a signature block. */
  readonly lang: string | null;
  readonly children: StructureElement[];
}

// Stored with each original, so defined with the other stored shapes.
export type { SignatureField };

export interface SectionStart {
  /** `title`, `preamble`, an article's clause key, `final-clause`, `signatures`. */
  readonly key: string;
  /** The language whose text this is in sequential layout; null where all columns start together. */
  readonly lang: Lang | null;
  readonly page: number;
  readonly y: number;
}

export interface Layout {
  readonly pageSize: readonly [width: number, height: number];
  readonly pages: readonly LaidOutPage[];
  readonly sectionStarts: readonly SectionStart[];
  /** The structure tree's top level, in reading order. */
  readonly structure: readonly StructureElement[];
  readonly signatureFields: readonly SignatureField[];
  readonly watermark: string | null;
  /** What the line breaker had to resort to, over the whole document. */
  readonly typesetting: TypesettingReport;
}

/** Counted over the justified paragraphs of a document. */
export interface TypesettingReport {
  /** Paragraphs that needed the second pass (emergency stretch). */
  readonly emergencyParagraphs: number;
  /** Korean words broken between syllables, the last resort. */
  readonly syllableBreaks: number;
  /** Justified lines whose word spaces, or a lone word's letters, still open past the limit. */
  readonly overLimitLines: number;
}
