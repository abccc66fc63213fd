import { z } from 'zod';

/**
 * A government's names as each language's texts need them. Russian declines names, so the templates
 * get every case they use; the capital is written as it follows "at"/"в"/"에서" in the final clause.
 */
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
  /** The body that coordinates cooperation on this party's side, the default for new agreements. */
  coordinator: z.object({ en: z.string(), ru: z.string(), ko: z.string() }),
});
export type PartyNames = z.infer<typeof partyNamesSchema>;

export interface Party {
  readonly key: string;
  readonly language: 'ru' | 'ko' | 'en';
  readonly names: PartyNames;
}

/** A person's name and title per language, as printed under their signature. */
export const personProfileSchema = z.object({
  name: z.object({ en: z.string(), ru: z.string(), ko: z.string() }),
  title: z.object({ en: z.string(), ru: z.string(), ko: z.string() }),
});
export type PersonProfile = z.infer<typeof personProfileSchema>;
