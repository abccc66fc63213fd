import type { Queryable } from '../../db/connection.ts';
import { findAgreementTitles } from '../../db/repositories/agreement-search.repository.ts';
import type { Lang } from '../text/languages.ts';

/**
 * What a reader calls each agreement: its title clause in the first of `languages` the text has (the
 * reader's, then their party's), as the register's index holds it for the current text; the agreement's
 * own name (often an English working name) only when the text has none of those languages.
 */
export async function titlesForReader(
  db: Queryable,
  agreements: readonly { readonly id: number; readonly title: string }[],
  languages: readonly Lang[],
): Promise<Map<number, string>> {
  const indexed = await findAgreementTitles(
    db,
    agreements.map((agreement) => agreement.id),
  );
  return new Map(
    agreements.map((agreement) => {
      const titles = indexed.get(agreement.id);
      const title = languages.map((lang) => titles?.get(lang)).find((found) => found !== undefined);
      return [agreement.id, title ?? agreement.title];
    }),
  );
}

/** The title of one agreement for a reader (see titlesForReader). */
export async function titleForReader(
  db: Queryable,
  agreement: { readonly id: number; readonly title: string },
  languages: readonly Lang[],
): Promise<string> {
  return (await titlesForReader(db, [agreement], languages)).get(agreement.id)!;
}
