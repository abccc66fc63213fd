import type { Queryable } from '../connection.ts';
import type { Lang, PersonProfile } from '../stored-shapes.ts';
import type { Role } from '../../workflows/agreement/agreement.events.ts';

export interface User {
  readonly id: number;
  readonly email: string;
  readonly party: string;
  readonly role: Role;
  readonly displayName: string;
  readonly profile: PersonProfile;
  readonly passwordHash: string;
  /** The interface language the user chose; null: their party's language. */
  readonly locale: Lang | null;
  /** The IANA zone the user chose to read times in; null: their party's. */
  readonly timeZone: string | null;
  /** The party's identity provider's subject (issuer and `sub`) the user signs in as; null: never signed in through it. */
  readonly sso: { readonly issuer: string; readonly subject: string } | null;
  /** When the party's administrator disabled the account; null: it may sign in. */
  readonly disabledAt: string | null;
}

/** What creating a user needs; the interface language is chosen later, by the user. */
export type NewUser = Omit<User, 'id' | 'locale' | 'timeZone' | 'sso' | 'disabledAt'> & { readonly sso?: User['sso'] };

interface UserRow {
  id: number;
  email: string;
  party_key: string;
  role: Role;
  display_name: string;
  profile: string;
  password_hash: string;
  locale: string | null;
  time_zone: string | null;
  sso_issuer: string | null;
  sso_subject: string | null;
  disabled_at: string | null;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  party: row.party_key,
  role: row.role,
  displayName: row.display_name,
  // Both are written only from checked input (newUserInput, the account page's language choice): read back as written.
  profile: JSON.parse(row.profile) as PersonProfile,
  passwordHash: row.password_hash,
  locale: row.locale as Lang | null,
  timeZone: row.time_zone ?? null,
  sso: row.sso_issuer && row.sso_subject ? { issuer: row.sso_issuer, subject: row.sso_subject } : null,
  disabledAt: row.disabled_at ?? null,
});

export async function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  const row = await db<UserRow>('users').where({ email: email.toLowerCase() }).first();
  return row && toUser(row);
}

/** The user bound to this subject of this identity provider. */
export async function findUserBySsoSubject(db: Queryable, issuer: string, subject: string): Promise<User | undefined> {
  const row = await db<UserRow>('users').where({ sso_issuer: issuer, sso_subject: subject }).first();
  return row && toUser(row);
}

/**
 * What a sign-in through the provider refreshes: the subject the user is bound to, the role the
 * provider's claims give. Guarded by the id only; the caller decided the user may be bound.
 */
export async function updateUserFromProvider(db: Queryable, id: number, sso: NonNullable<User['sso']>, role: Role): Promise<void> {
  await db('users').where({ id }).update({ sso_issuer: sso.issuer, sso_subject: sso.subject, role });
}

/** Disables (a time) or enables (null) a user; false when there is no such user. */
export async function updateUserDisabled(db: Queryable, id: number, disabledAt: string | null): Promise<boolean> {
  return (await db('users').where({ id }).update({ disabled_at: disabledAt })) === 1;
}

export async function findUserById(db: Queryable, id: number): Promise<User | undefined> {
  const row = await db<UserRow>('users').where({ id }).first();
  return row && toUser(row);
}

/** The users with these e-mail addresses (the audit names people by them); an unknown address is left out. */
export async function findUsersByEmails(db: Queryable, emails: readonly string[]): Promise<User[]> {
  const wanted = [...new Set(emails.map((email) => email.toLowerCase()))];
  return wanted.length === 0 ? [] : (await db<UserRow>('users').whereIn('email', wanted)).map(toUser);
}

/** The party's users in a role, e.g. its signatory. */
export async function findUsersByRole(db: Queryable, party: string, role: Role): Promise<User[]> {
  return (await db<UserRow>('users').where({ party_key: party, role }).orderBy('id')).map(toUser);
}

export async function countUsers(db: Queryable): Promise<number> {
  const [row] = await db('users').count<{ count: number | string }[]>({ count: '*' });
  return Number(row?.count ?? 0);
}

/** Inserts a user and returns its id; the email is stored lower-case, so sign-in ignores case. */
export async function insertUser(db: Queryable, user: NewUser, now: string): Promise<number> {
  const [row] = await db('users')
    .insert({
      email: user.email.toLowerCase(),
      party_key: user.party,
      role: user.role,
      display_name: user.displayName,
      profile: JSON.stringify(user.profile),
      password_hash: user.passwordHash,
      sso_issuer: user.sso?.issuer ?? null,
      sso_subject: user.sso?.subject ?? null,
      created_at: now,
    })
    .returning('id');
  return typeof row === 'object' ? row.id : row;
}

/** A party's users, by email: what its administrator manages. */
export async function listUsersOfParty(db: Queryable, party: string): Promise<User[]> {
  return (await db<UserRow>('users').where({ party_key: party }).orderBy('email')).map(toUser);
}

/** Changes a user's role; false when there is no such user. */
export async function updateUserRole(db: Queryable, id: number, role: Role): Promise<boolean> {
  return (await db('users').where({ id }).update({ role })) === 1;
}

/** Replaces a user's password hash; false when there is no such user. */
export async function updateUserPasswordHash(db: Queryable, id: number, passwordHash: string): Promise<boolean> {
  return (await db('users').where({ id }).update({ password_hash: passwordHash })) === 1;
}

/** Sets the interface language a user chose (null: their party's). */
export async function updateUserLocale(db: Queryable, id: number, locale: Lang | null): Promise<void> {
  await db('users').where({ id }).update({ locale });
}

/** Sets the time zone a user chose (null: their party's). */
export async function updateUserTimeZone(db: Queryable, id: number, timeZone: string | null): Promise<void> {
  await db('users').where({ id }).update({ time_zone: timeZone });
}

/** The ids of the parties' users holding one of the roles, in id order. Reads only. */
export async function findUserIdsOfParties(db: Queryable, parties: readonly string[], roles: readonly Role[]): Promise<number[]> {
  return (
    await db('users')
      .whereIn('party_key', [...parties])
      .whereIn('role', [...roles])
      .orderBy('id')
      .pluck('id')
  ).map(Number);
}
