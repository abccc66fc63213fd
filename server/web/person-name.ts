import type { User } from '../../db/repositories/users.repository.ts';
import type { Lang } from '../text/languages.ts';

/** A person as the reader reads their name: in the script of the reader's language when the account has it (Елена Волкова, 엘레나 볼코바), else as they gave it. */
export function personName(person: Pick<User, 'profile' | 'displayName'>, lang: Lang): string {
  return person.profile.name[lang] || person.displayName;
}
