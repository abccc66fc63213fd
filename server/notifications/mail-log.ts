import {
  listMailsOfParty,
  listMailsOfUser,
  MAIL_PREFERENCES,
  updateMailPreference,
  findMailPreferences,
  type MailLogEntry,
  type MailPreference,
  type OutboxMail,
} from '../../db/repositories/mail-outbox.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { decide } from '../auth/policy.ts';
import { MalformedRequestError } from '../errors.ts';

const LOG_LIMIT = 100;

/** What the mail page shows a user: their mail and choice; a party administrator also the party's mail and its failures. */
export interface MailOverview {
  readonly preference: MailPreference;
  readonly mine: readonly OutboxMail[];
  /** Only for the party administrator. */
  readonly party?: { readonly failed: readonly MailLogEntry[]; readonly recent: readonly MailLogEntry[] };
}

/** Reads the user's mail log and, for the party's administrator, the party's (failed mail first). Reads only. */
export async function showMailOverview(deps: UseCaseDeps, user: User): Promise<MailOverview> {
  const preference = (await findMailPreferences(deps.db, [user.id])).get(user.id) ?? 'immediate';
  const mine = await listMailsOfUser(deps.db, user.id, LOG_LIMIT);
  if (!decide(user, null, 'users.manage').allowed) return { preference, mine };
  const [failed, recent] = await Promise.all([
    listMailsOfParty(deps.db, user.party, { limit: LOG_LIMIT, failedOnly: true }),
    listMailsOfParty(deps.db, user.party, { limit: LOG_LIMIT }),
  ]);
  return { preference, mine, party: { failed, recent } };
}

/** Sets how notifications reach the user by mail; a value not among MAIL_PREFERENCES is 400 and changes nothing. */
export async function chooseMailPreference(deps: UseCaseDeps, user: User, preference: string): Promise<void> {
  if (!(MAIL_PREFERENCES as readonly string[]).includes(preference))
    throw new MalformedRequestError(`the mail preference must be one of ${MAIL_PREFERENCES.join(', ')}`);
  await updateMailPreference(deps.db, user.id, preference as MailPreference);
}
