import { z } from 'zod';
import { safeText } from '../text/safe-text.ts';
import { LANGUAGES } from '../text/languages.ts';
import { withRealWords } from '../text/word-length.ts';

/** Printed in the clauses, so held to the word rule of clause text too (word-length.ts). */
const printedText = () => withRealWords(safeText(2000).min(1));
const localizedText = z.object({ en: printedText(), ru: printedText(), ko: printedText() }).strict();
export type LocalizedText = z.infer<typeof localizedText>;

/**
 * The typed variables an agreement's clauses are filled with, stored with the agreement. Party names
 * are not here: they come from the parties themselves, in the order of the original being rendered.
 */
export const agreementVariablesSchema = z
  .object({
    /** What the agreement is about, as it follows the document's name in the title. */
    subject: localizedText,
    areas: z.array(localizedText).min(1).max(50),
    termYears: z.number().int().min(1).max(99),
    noticeMonths: z.number().int().min(1).max(120),
    autoRenewal: z.boolean(),
    entryIntoForce: z.enum(['signature', 'notifications']),
    /** The party whose capital the agreement is signed in. */
    placeOfSigning: z.string().min(1).max(64),
    /** Planned date of signature (YYYY-MM-DD); the date the text is frozen when not set. */
    signingDate: z.iso.date().nullable(),
    prevailingLanguage: z.enum(LANGUAGES).nullable(),
    conferenceYear: z.number().int().min(1900).max(2200),
    /** Per party key: the body that coordinates the cooperation on that side. */
    coordinators: z.record(z.string().max(64), localizedText),
    /** Sequential signing: the party that signs first; null when either may sign first. */
    firstSigner: z.string().min(1).max(64).nullable().default(null),
    /** Parallel columns, one per language, or each language's whole text in turn. */
    layout: z.enum(['parallel', 'sequential']).default('parallel'),
  })
  .strict();

export type AgreementVariables = z.infer<typeof agreementVariablesSchema>;
