import { z } from 'zod';
import type { Database, Queryable } from '../../db/connection.ts';
import { deleteTokensOfUser } from '../../db/repositories/access-tokens.repository.ts';
import { findParty } from '../../db/repositories/parties.repository.ts';
import {
  findUserByEmail,
  findUserById,
  insertUser,
  listUsersOfParty,
  updateUserDisabled,
  updateUserPasswordHash,
  updateUserRole,
  type User,
} from '../../db/repositories/users.repository.ts';
import { ROLES, type Role } from '../../workflows/agreement/agreement.events.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { assertAcceptablePassword, hashPassword } from './passwords.ts';
import { authorize } from './policy.ts';
import { assertMayAdminister, type ProvingUser } from './second-factor.ts';
import { userText } from '../text/safe-text.ts';

/**
 * A party's administrator manages that party's users: lists them, creates them, changes their role
 * and resets their password. The policy says who is an administrator ('users.manage'); a user of
 * another party is answered 404, as if it did not exist. An administrator whose role must have a
 * second factor has proven it on this session (assertMayAdminister).
 */
// One rule for a person's name and title in every script: printed under a signature in both
// parties' originals, a character no font can draw would stop the other party's drafts.
export const personLine = () => userText(200, { singleLine: true }).trim();
const localized = z.object({ en: personLine(), ru: personLine(), ko: personLine() });

export const newUserInput = z
  .object({
    email: z.email().max(254),
    role: z.enum(ROLES),
    displayName: personLine().min(1),
    password: z.string().max(1024),
    /** The name and title printed under a signature, per language; the display name stands in for a missing name. */
    name: localized.partial().optional(),
    title: localized.partial().optional(),
  })
  .strict();
export type NewUserInput = z.infer<typeof newUserInput>;

export async function listPartyUsers(deps: UseCaseDeps, actor: ProvingUser): Promise<User[]> {
  authorize(actor, null, 'users.manage');
  await assertMayAdminister(deps, actor);
  return listUsersOfParty(deps.db, actor.party);
}

export async function createPartyUser(deps: UseCaseDeps, actor: ProvingUser, input: NewUserInput): Promise<User> {
  authorize(actor, null, 'users.manage');
  await assertMayAdminister(deps, actor);
  return addUser(deps.db, actor.party, input, deps.now());
}

export async function changeUserRole(deps: UseCaseDeps, actor: ProvingUser, userId: number, role: Role): Promise<User> {
  authorize(actor, null, 'users.manage');
  await assertMayAdminister(deps, actor);
  const user = await findUserOfParty(deps.db, actor.party, userId);
  // Otherwise the last administrator could lock the party out of its own users.
  if (user.id === actor.id) throw new RuleViolationError('Administrators cannot change their own role; ask another administrator');
  await updateUserRole(deps.db, user.id, role);
  return (await findUserById(deps.db, user.id))!;
}

/**
 * Disables a user (every session and token of theirs ends; neither a password nor the identity
 * provider signs them in again) or enables them again. Not oneself, so a party keeps an administrator.
 */
export async function setUserDisabled(deps: UseCaseDeps, actor: ProvingUser, userId: number, disabled: boolean): Promise<User> {
  authorize(actor, null, 'users.manage');
  await assertMayAdminister(deps, actor);
  const user = await findUserOfParty(deps.db, actor.party, userId);
  if (user.id === actor.id) throw new RuleViolationError('Administrators cannot disable themselves; ask another administrator');
  await deps.db.transaction(async (trx) => {
    await updateUserDisabled(trx, user.id, disabled ? deps.now().toISOString() : null);
    if (disabled) await deleteTokensOfUser(trx, user.id);
  });
  return (await findUserById(deps.db, user.id))!;
}

/** Sets a new password chosen by the administrator and ends every session and token of the user. */
export async function resetUserPassword(deps: UseCaseDeps, actor: ProvingUser, userId: number, password: string): Promise<void> {
  authorize(actor, null, 'users.manage');
  await assertMayAdminister(deps, actor);
  await replacePassword(deps.db, await findUserOfParty(deps.db, actor.party, userId), password);
}

/** A new password for a user, and every session and token of theirs ended; the administrator's and the command line's way. */
export async function replacePassword(db: Database, user: User, password: string): Promise<void> {
  assertAcceptablePassword(password);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (trx) => {
    await updateUserPasswordHash(trx, user.id, passwordHash);
    await deleteTokensOfUser(trx, user.id);
  });
}

/**
 * Adds a user to a party. The administrator's use-case above and the command line that creates a
 * production's first administrator both come here.
 */
export async function addUser(db: Queryable, party: string, input: NewUserInput, now: Date): Promise<User> {
  if (!(await findParty(db, party))) throw new NotFoundError(`There is no party "${party}"`);
  assertAcceptablePassword(input.password);
  if (await findUserByEmail(db, input.email)) throw new RuleViolationError(`There is already a user ${input.email.toLowerCase()}`);
  const name = { en: input.displayName, ru: input.displayName, ko: input.displayName, ...withoutBlanks(input.name) };
  const title = { en: '', ru: '', ko: '', ...withoutBlanks(input.title) };
  const id = await insertUser(
    db,
    {
      email: input.email,
      party,
      role: input.role,
      displayName: input.displayName,
      profile: { name, title },
      passwordHash: await hashPassword(input.password),
    },
    now.toISOString(),
  );
  return (await findUserById(db, id))!;
}

async function findUserOfParty(db: Queryable, party: string, userId: number): Promise<User> {
  const user = await findUserById(db, userId);
  if (!user || user.party !== party) throw new NotFoundError(`Your party has no user ${userId}`);
  return user;
}

function withoutBlanks(values: Partial<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).filter((entry): entry is [string, string] => Boolean(entry[1])));
}
