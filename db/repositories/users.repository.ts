import type { Queryable } from '../connection.ts';
import { personProfileSchema, type PersonProfile } from '../../server/parties/party.ts';
import type { Role } from '../../workflows/agreement/agreement.events.ts';

export interface User {
  readonly id: number;
  readonly email: string;
  readonly party: string;
  readonly role: Role;
  readonly displayName: string;
  readonly profile: PersonProfile;
  readonly passwordHash: string;
}

interface UserRow {
  id: number;
  email: string;
  party_key: string;
  role: Role;
  display_name: string;
  profile: string;
  password_hash: string;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  party: row.party_key,
  role: row.role,
  displayName: row.display_name,
  profile: personProfileSchema.parse(JSON.parse(row.profile)),
  passwordHash: row.password_hash,
});

export async function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  const row = await db<UserRow>('users').where({ email: email.toLowerCase() }).first();
  return row && toUser(row);
}

export async function findUserById(db: Queryable, id: number): Promise<User | undefined> {
  const row = await db<UserRow>('users').where({ id }).first();
  return row && toUser(row);
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
export async function insertUser(db: Queryable, user: Omit<User, 'id'>, now: string): Promise<number> {
  const [row] = await db('users')
    .insert({
      email: user.email.toLowerCase(),
      party_key: user.party,
      role: user.role,
      display_name: user.displayName,
      profile: JSON.stringify(user.profile),
      password_hash: user.passwordHash,
      created_at: now,
    })
    .returning('id');
  return typeof row === 'object' ? row.id : row;
}
