import { z } from 'zod';
import { safeText } from '../text/safe-text.ts';
import { LANGUAGES } from '../text/languages.ts';
import { withRealWords } from '../text/word-length.ts';
import type { AgreementVariables, LocalizedText, StoredAgreementVariables } from '../../db/stored-shapes.ts';

// Stored with every version of the text, so defined with the other stored shapes.
export type { AgreementVariables, LocalizedText };

/** Printed in the clauses, so held to the word rule of clause text too (word-length.ts). */
const printedText = () => withRealWords(safeText(2000).min(1));
const localizedText = z.object({ en: printedText(), ru: printedText(), ko: printedText() }).strict() satisfies z.ZodType<LocalizedText>;

/**
 * What an agreement's variables must be. Parsing a stored version's variables also fills the
 * defaults added since it was written (signing order, layout).
 */
export const agreementVariablesSchema = z
  .object({
    subject: localizedText,
    areas: z.array(localizedText).min(1).max(50),
    termYears: z.number().int().min(1).max(99),
    noticeMonths: z.number().int().min(1).max(120),
    autoRenewal: z.boolean(),
    entryIntoForce: z.enum(['signature', 'notifications']),
    placeOfSigning: z.string().min(1).max(64),
    signingDate: z.iso.date().nullable(),
    prevailingLanguage: z.enum(LANGUAGES).nullable(),
    conferenceYear: z.number().int().min(1900).max(2200),
    coordinators: z.record(z.string().max(64), localizedText),
    firstSigner: z.string().min(1).max(64).nullable().default(null),
    layout: z.enum(['parallel', 'sequential']).default('parallel'),
  })
  .strict() satisfies z.ZodType<AgreementVariables, StoredAgreementVariables>;
