import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/connection.ts';
import { findTokenOwner, insertAccessToken } from '../../db/repositories/access-tokens.repository.ts';
import { findUserByEmail, findUserById, type User } from '../../db/repositories/users.repository.ts';
import { UnauthenticatedError } from '../errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

// Compared against when the email is unknown, so a wrong email costs as much time as a wrong password.
const decoyHash = hashPassword('decoy password for unknown accounts');

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Signs a user in: a fresh bearer token, stored only as its hash. */
export async function signIn(db: Database, email: string, password: string, now: Date): Promise<{ token: string; user: User }> {
  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(password, user?.passwordHash ?? (await decoyHash));
  if (!user || !valid) throw new UnauthenticatedError('Wrong email or password');
  const token = randomBytes(32).toString('base64url');
  await insertAccessToken(db, {
    tokenHash: hashToken(token),
    userId: user.id,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS).toISOString(),
  });
  return { token, user };
}

/** The user behind a bearer token; 401 when the token is unknown or expired. */
export async function authenticate(db: Database, token: string, now: Date): Promise<User> {
  const userId = await findTokenOwner(db, hashToken(token), now.toISOString());
  const user = userId === undefined ? undefined : await findUserById(db, userId);
  if (!user) throw new UnauthenticatedError('The token is unknown or has expired; sign in again');
  return user;
}
