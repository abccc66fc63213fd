import { createHash, randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../../db/connection.ts';
import {
  deleteAccessToken,
  findTokenOwner,
  insertAccessToken,
  touchAccessToken,
  type TokenKind,
  type TokenScope,
} from '../../db/repositories/access-tokens.repository.ts';
import { findUserByEmail, findUserById, type User } from '../../db/repositories/users.repository.ts';
import { NotFoundError, UnauthenticatedError } from '../errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

/** Sessions, API and web alike, last a working day at most; signing in again starts a new one. */
const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** A web session's last use is written at most this often: the idle timeout is kept to the minute, without a write per page. */
const IDLE_CLOCK_RESOLUTION_MS = 60_000;

/**
 * A session's user, with when the person last proved who they are (null: not known, e.g. an API
 * token) and when they last gave a second-factor code on this session (null: not on it).
 */
export type SessionUser = User & { readonly authenticatedAt: string | null; readonly secondFactorAt: string | null };

// Compared against when the email is unknown, so a wrong email costs as much time as a wrong password.
const decoyHash = hashPassword('decoy password for unknown accounts');

/** Tokens are stored and looked up by this hash only. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** 256 random bits, URL-safe: what a bearer header or a cookie carries. */
export const newToken = () => randomBytes(32).toString('base64url');

/** The user with this email and password; 401 with the same words whether the email or the password is wrong. */
export async function verifyCredentials(db: Database, email: string, password: string): Promise<User> {
  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(password, user?.passwordHash ?? (await decoyHash));
  if (!user || !valid) throw new UnauthenticatedError('Wrong email or password');
  // Said only to whoever knows the password: it reveals nothing to a guesser.
  if (user.disabledAt) throw new AccountDisabledError();
  return user;
}

/** The password was right, but the party's administrator has disabled the account. */
export class AccountDisabledError extends UnauthenticatedError {
  constructor() {
    super("This account has been disabled by your party's administrator");
  }
}

async function startSession(
  db: Queryable,
  user: User,
  kind: TokenKind,
  now: Date,
  authenticatedAt: Date | null = now,
  ssoSid?: string,
): Promise<string> {
  const token = newToken();
  await insertAccessToken(db, {
    tokenHash: hashToken(token),
    userId: user.id,
    kind,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString(),
    ...(authenticatedAt && { authenticatedAt: authenticatedAt.toISOString() }),
    ...(ssoSid && { ssoSid }),
  });
  return token;
}

/** Signs a user in to the API: a fresh bearer token, stored only as its hash. */
export async function signIn(db: Database, email: string, password: string, now: Date): Promise<{ token: string; user: User }> {
  const user = await verifyCredentials(db, email, password);
  return { token: await startSession(db, user, 'api-session', now), user };
}

/** Signs a user in to the web application: the token goes into an HttpOnly cookie, never into a page. */
export async function startWebSession(db: Database, email: string, password: string, now: Date): Promise<{ token: string; user: User }> {
  const user = await verifyCredentials(db, email, password);
  return { token: await startSession(db, user, 'web-session', now), user };
}

/**
 * Signs in to the web application a user the party's identity provider vouched for (single sign-on):
 * the same web session as a password gives. `authenticatedAt` is the provider's `auth_time`, when
 * the person last proved themselves there (null: the provider did not say); `sid` the provider's
 * session, which its back-channel logout may end.
 */
export async function startSsoWebSession(
  db: Queryable,
  user: User,
  now: Date,
  authenticatedAt: Date | null,
  sid?: string,
): Promise<string> {
  if (user.disabledAt) throw new AccountDisabledError();
  return startSession(db, user, 'web-session', now, authenticatedAt, sid);
}

/** The user behind a bearer token (an API session or a named API token) and the token's scope; 401 when unknown or expired. */
export async function authenticate(db: Database, token: string, now: Date): Promise<{ user: User; scope: TokenScope }> {
  const owner = await ownerOf(db, token, now, ['api-session', 'api-token']);
  if (!owner) throw new UnauthenticatedError('The token is unknown or has expired; sign in again');
  return owner;
}

/**
 * The user behind a web session cookie; undefined when it is unknown, expired, or unused for longer
 * than `idleMs` (the page then asks to sign in). Each use moves the idle clock on.
 */
export async function authenticateWebSession(db: Database, token: string, now: Date, idleMs: number): Promise<SessionUser | undefined> {
  const owner = await ownerOf(db, token, now, ['web-session']);
  if (!owner) return undefined;
  const idle = now.getTime() - Date.parse(owner.lastUsedAt);
  if (idle > idleMs) {
    await deleteAccessToken(db, hashToken(token), 'web-session');
    return undefined;
  }
  if (idle >= IDLE_CLOCK_RESOLUTION_MS) await touchAccessToken(db, hashToken(token), now.toISOString());
  return owner.user;
}

export async function endWebSession(db: Database, token: string): Promise<void> {
  await deleteAccessToken(db, hashToken(token), 'web-session');
}

/** Signs out of the API: the session token presented stops working. An API token is revoked by its id instead. */
export async function endApiSession(db: Database, token: string): Promise<void> {
  if (!(await deleteAccessToken(db, hashToken(token), 'api-session'))) {
    throw new NotFoundError('This token is not an API session; revoke an API token with DELETE /api/tokens/:id');
  }
}

/** A disabled user opens nothing, whatever token they hold. */
async function ownerOf(
  db: Database,
  token: string,
  now: Date,
  kinds: readonly TokenKind[],
): Promise<{ user: SessionUser; scope: TokenScope; lastUsedAt: string } | undefined> {
  const owner = await findTokenOwner(db, hashToken(token), now.toISOString(), kinds);
  const user = owner && (await findUserById(db, owner.userId));
  if (!owner || !user || user.disabledAt) return undefined;
  return {
    user: { ...user, authenticatedAt: owner.authenticatedAt, secondFactorAt: owner.secondFactorAt },
    scope: owner.scope,
    lastUsedAt: owner.lastUsedAt,
  };
}
