import { z } from 'zod';
import type { PartyNames } from '../../db/stored-shapes.ts';

// The parties' shapes are stored, so they are defined with the other stored shapes.
export type { Party, PartyNames, PersonProfile } from '../../db/stored-shapes.ts';

/** What a new party's names must hold; checked where a party is added, before it is stored. */
export const partyNamesSchema = z.object({
  en: z.object({ name: z.string(), country: z.string(), short: z.string(), capital: z.string() }),
  ru: z.object({
    nom: z.string(),
    gen: z.string(),
    dat: z.string(),
    acc: z.string(),
    ins: z.string(),
    country: z.string(),
    short: z.string(),
    capital: z.string(),
  }),
  ko: z.object({ name: z.string(), country: z.string(), short: z.string(), capital: z.string() }),
  coordinator: z.object({ en: z.string(), ru: z.string(), ko: z.string() }),
}) satisfies z.ZodType<PartyNames>;
