import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Queryable } from '../../db/connection.ts';
import { markSecondFactorProven } from '../../db/repositories/access-tokens.repository.ts';
import {
  advanceLastUsedStep,
  appendSecurityEvent,
  countCodeAttempt,
  countUnusedRecoveryCodes,
  deleteSecondFactor,
  findSecondFactor,
  findUnusedRecoveryCodes,
  forgiveCodeAttempts,
  markRecoveryCodeUsed,
  markSecondFactorConfirmed,
  replaceRecoveryCodes,
  replaceWithPendingSecondFactor,
  usersWithConfirmedSecondFactor,
  type StoredSecondFactor,
} from '../../db/repositories/second-factors.repository.ts';
import { findUserById, type User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { ConflictError, DomainError, MalformedRequestError, NotFoundError, RuleViolationError } from '../errors.ts';
import { openPrivateKey, sealPrivateKey } from '../signing/key-vault.ts';
import { confirmPassword } from './confirm-password.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { hashToken } from './sessions.ts';
import { authorize, type Actor } from './policy.ts';

/**
 * A second factor for signing: TOTP (RFC 6238: SHA-1, six digits, 30-second steps, as every
 * authenticator app reads it), with ten recovery codes. The secret rests sealed under the server's
 * secret, bound to its user; the recovery codes rest hashed with scrypt, like passwords. A code is
 * accepted once: the time step it was accepted for is stored, and a code of that step or an earlier
 * one is refused. Wrong codes are counted in the database, so every process shares the count.
 * Enrolment, disabling, an administrator's reset and a recovery code used are written to the
 * account-security log (account_security_events).
 */
const ISSUER = 'Bilateral';
const PERIOD = 30;
const DIGITS = 6;
/** One step either side: a phone clock a little off still works. */
const WINDOW = 1;
const ATTEMPTS = 5;
const ATTEMPT_WINDOW_MS = 15 * 60_000;
const RECOVERY_CODES = 10;
const BASE32 = 'abcdefghijkmnpqrstuvwxyz23456789';

export type SecurityEvent =
  | 'second-factor.enrolled'
  | 'second-factor.disabled'
  | 'second-factor.reset'
  | 'second-factor.recovery-code-used';

const owner = (userId: number) => `totp:${userId}`;

function totpFor(user: User, secret: Secret): TOTP {
  return new TOTP({ issuer: ISSUER, label: user.email, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret });
}

async function logSecurityEvent(db: Queryable, user: User, actor: User, event: SecurityEvent, at: Date): Promise<void> {
  await appendSecurityEvent(db, { userId: user.id, actorUserId: actor.id, party: user.party, event, at: at.toISOString() });
}

export function secondFactorRequired(deps: UseCaseDeps, user: User): boolean {
  return (deps.config.requireSecondFactor ?? []).includes(user.role);
}

export interface SecondFactorStatus {
  readonly enrolled: boolean;
  readonly pending: boolean;
  readonly required: boolean;
  readonly recoveryCodesLeft: number;
}

export async function secondFactorStatus(deps: UseCaseDeps, user: User): Promise<SecondFactorStatus> {
  const row = await findSecondFactor(deps.db, user.id);
  return {
    enrolled: Boolean(row?.confirmedAt),
    pending: Boolean(row && !row.confirmedAt),
    required: secondFactorRequired(deps, user),
    recoveryCodesLeft: row?.confirmedAt ? await countUnusedRecoveryCodes(deps.db, user.id) : 0,
  };
}

export const startEnrolmentInput = z.object({ password: z.string().max(1024).optional() }).strict();

export interface PendingEnrolment {
  /** The secret in base32, to type into an app that cannot read the QR code. */
  readonly secret: string;
  readonly otpauthUrl: string;
  /** The otpauth URL as an SVG QR code, to be inlined (the Content-Security-Policy allows no data: images). */
  readonly qrSvg: string;
}

/** A new secret, waiting for its first code; replaces an enrolment not yet confirmed. 409 when one is confirmed. */
export async function startEnrolment(deps: UseCaseDeps, user: User, password: string | undefined): Promise<PendingEnrolment> {
  await confirmPassword(deps, user, password, 'second-factor');
  const existing = await findSecondFactor(deps.db, user.id);
  if (existing?.confirmedAt) throw new ConflictError('A second factor is already enrolled; disable it first to enrol another');
  const secret = new Secret({ size: 20 });
  const sealed = sealPrivateKey(deps.config.secret, owner(user.id), Buffer.from(secret.bytes));
  await deps.db.transaction((trx) => replaceWithPendingSecondFactor(trx, user.id, sealed, deps.now().toISOString()));
  return pendingEnrolment(user, secret);
}

/** The enrolment still waiting for its first code (to show it again), or undefined. */
export async function pendingEnrolmentOf(deps: UseCaseDeps, user: User): Promise<PendingEnrolment | undefined> {
  const row = await findSecondFactor(deps.db, user.id);
  if (!row || row.confirmedAt) return undefined;
  return pendingEnrolment(user, openSecret(deps, user.id, row));
}

async function pendingEnrolment(user: User, secret: Secret): Promise<PendingEnrolment> {
  const otpauthUrl = totpFor(user, secret).toString();
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret: secret.base32, otpauthUrl, qrSvg };
}

function openSecret(deps: UseCaseDeps, userId: number, row: StoredSecondFactor): Secret {
  const bytes = openPrivateKey(deps.config.secret, owner(userId), row.sealedSecret);
  return new Secret({ buffer: new Uint8Array(bytes).buffer });
}

export const codeInput = z.object({ code: z.string().max(64) }).strict();

/** The first code confirms the enrolment; the answer carries the ten recovery codes, shown this once. */
export async function confirmEnrolment(deps: UseCaseDeps, user: User, code: string | undefined): Promise<{ recoveryCodes: string[] }> {
  const row = await findSecondFactor(deps.db, user.id);
  if (!row) throw new RuleViolationError('Start the enrolment first: no second factor is waiting for its first code', { field: 'code' });
  if (row.confirmedAt) throw new ConflictError('The second factor is already enrolled');
  await checkTotp(deps, user, row, code);
  const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
  const hashed = await Promise.all(
    codes.map(async (recovery) => ({ selector: recovery.slice(0, 5), codeHash: await hashPassword(recovery.slice(6)) })),
  );
  const at = deps.now();
  await deps.db.transaction(async (trx) => {
    if (!(await markSecondFactorConfirmed(trx, user.id, at.toISOString())))
      throw new ConflictError('The second factor is already enrolled');
    await replaceRecoveryCodes(trx, user.id, hashed);
    await logSecurityEvent(trx, user, user, 'second-factor.enrolled', at);
  });
  return { recoveryCodes: codes };
}

/** "xxxxx-xxxxx-xxxxx-xxxxx": the first group finds the stored hash, the other three (75 bits) are the secret. */
function recoveryCode(): string {
  const bytes = randomBytes(20);
  const letters = [...bytes].map((byte) => BASE32[byte % 32]).join('');
  return letters.match(/.{5}/g)!.join('-');
}

export const disableInput = z.object({ password: z.string().max(1024).optional(), code: z.string().max(64).optional() }).strict();

/** The user ends their own second factor with the password and a code; refused where the role requires one. */
export async function disableSecondFactor(deps: UseCaseDeps, user: User, input: z.infer<typeof disableInput>): Promise<void> {
  if (secondFactorRequired(deps, user))
    throw new RuleViolationError('Your role must keep a second factor; ask your administrator for a reset if the device is lost');
  await confirmPassword(deps, user, input.password, 'second-factor');
  const row = await findSecondFactor(deps.db, user.id);
  if (!row?.confirmedAt) throw new NotFoundError('No second factor is enrolled');
  await checkCode(deps, user, row, input.code);
  await removeSecondFactor(deps, user, user, 'second-factor.disabled');
}

/** A code given to administer users counts this long on its web session. */
const ADMINISTRATION_PROOF_MS = 15 * 60_000;

/** An acting user and, when known, when they last proved their second factor on their session. */
export type ProvingUser = User & { readonly secondFactorAt?: string | null };

/**
 * What an administrator must still do before administering the party's users, when their role must
 * have a second factor (REQUIRE_SECOND_FACTOR): `enrol` one, or give a `code` (none given on this
 * session in the last 15 minutes). `ok` otherwise: a password is the keys to every account of the
 * party (an administrator sets passwords and resets second factors), so it is not enough alone.
 */
export async function administrationGate(deps: UseCaseDeps, actor: ProvingUser): Promise<'ok' | 'enrol' | 'code'> {
  // Whoever may not administer at all is refused as such (403), not asked for a second factor.
  authorize(actor, null, 'users.manage');
  if (!secondFactorRequired(deps, actor)) return 'ok';
  if (!(await findSecondFactor(deps.db, actor.id))?.confirmedAt) return 'enrol';
  const proven = actor.secondFactorAt ? Date.parse(actor.secondFactorAt) : Number.NaN;
  return proven > deps.now().getTime() - ADMINISTRATION_PROOF_MS ? 'ok' : 'code';
}

/**
 * Refuses (403) a user-administration use-case the gate does not let through. `code` is a TOTP or
 * recovery code given with the request itself (the API, where there is no session to remember it).
 */
export async function assertMayAdminister(deps: UseCaseDeps, actor: ProvingUser, code?: string): Promise<void> {
  const gate = await administrationGate(deps, actor);
  if (gate === 'ok') return;
  if (gate === 'enrol') {
    throw new DomainError('FORBIDDEN', 'Administering users needs a second factor for your role: enrol one on your account page first');
  }
  if (code === undefined) {
    throw new DomainError('FORBIDDEN', 'Administering users needs a code from your authenticator app: give one on the users page', {
      field: 'code',
    });
  }
  await checkCode(deps, actor, (await findSecondFactor(deps.db, actor.id))!, code);
}

/** The administrator gives a code on the users page: their web session may administer for 15 minutes. */
export async function proveSecondFactorForSession(
  deps: UseCaseDeps,
  actor: User,
  sessionToken: string,
  code: string | undefined,
): Promise<void> {
  authorize(actor, null, 'users.manage');
  const row = await findSecondFactor(deps.db, actor.id);
  if (!row?.confirmedAt) throw new NotFoundError('No second factor is enrolled: enrol one on your account page first');
  await checkCode(deps, actor, row, code);
  await markSecondFactorProven(deps.db, hashToken(sessionToken), deps.now().toISOString());
}

/** The party administrator removes a user's second factor (a lost phone); the user enrols again. Another party's user: 404. */
export async function resetSecondFactor(deps: UseCaseDeps, actor: Actor & ProvingUser, userId: number, code?: string): Promise<void> {
  authorize(actor, null, 'users.manage');
  await assertMayAdminister(deps, actor, code);
  const user = await findUserById(deps.db, userId);
  if (!user || user.party !== actor.party) throw new NotFoundError(`No user ${userId} in your party`);
  await removeSecondFactor(deps, user, actor, 'second-factor.reset');
}

async function removeSecondFactor(deps: UseCaseDeps, user: User, actor: User, event: SecurityEvent): Promise<void> {
  await deps.db.transaction(async (trx) => {
    await deleteSecondFactor(trx, user.id);
    await logSecurityEvent(trx, user, actor, event, deps.now());
  });
}

/**
 * For SIGN, after the password: resolves when the user needs no code (not enrolled, not required),
 * or `code` is a fresh TOTP code of theirs or one of their unused recovery codes.
 */
export async function confirmSecondFactor(deps: UseCaseDeps, user: User, code: string | undefined): Promise<void> {
  const row = await findSecondFactor(deps.db, user.id);
  if (!row?.confirmedAt) {
    if (!secondFactorRequired(deps, user)) return;
    throw new DomainError('FORBIDDEN', 'Signing needs a second factor for your role: enrol one on your account page first', {
      field: 'code',
    });
  }
  await checkCode(deps, user, row, code);
}

async function checkCode(deps: UseCaseDeps, user: User, row: StoredSecondFactor, code: string | undefined): Promise<void> {
  const given = (code ?? '').trim().toLowerCase();
  if (given === '')
    throw new RuleViolationError('Signing needs a code from your authenticator app: send "code" with the SIGN event', { field: 'code' });
  if (/^[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}$/.test(given)) return checkRecoveryCode(deps, user, given);
  return checkTotp(deps, user, row, given);
}

async function checkTotp(deps: UseCaseDeps, user: User, row: StoredSecondFactor, code: string | undefined): Promise<void> {
  const given = (code ?? '').replace(/\s+/g, '');
  if (given === '') throw new MalformedRequestError('Send "code", the six digits your authenticator app shows', { field: 'code' });
  await spendAttempt(deps, user);
  const now = deps.now().getTime();
  const delta = /^\d{6}$/.test(given)
    ? totpFor(user, openSecret(deps, user.id, row)).validate({ token: given, timestamp: now, window: WINDOW })
    : null;
  if (delta === null) throw wrongCode();
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  // Atomic: of two requests with the same code, in any processes, one moves the step and the other is refused.
  if (!(await advanceLastUsedStep(deps.db, user.id, step)))
    throw new DomainError('FORBIDDEN', 'This code has been used already; wait for the next one', { field: 'code' });
  await forgiveCodeAttempts(deps.db, user.id);
}

async function checkRecoveryCode(deps: UseCaseDeps, user: User, given: string): Promise<void> {
  await spendAttempt(deps, user);
  const candidates = await findUnusedRecoveryCodes(deps.db, user.id, given.slice(0, 5));
  for (const candidate of candidates) {
    if (!(await verifyPassword(given.slice(6), candidate.codeHash))) continue;
    const at = deps.now();
    const spent = await deps.db.transaction(async (trx) => {
      const used = await markRecoveryCodeUsed(trx, candidate.id, at.toISOString());
      if (used) await logSecurityEvent(trx, user, user, 'second-factor.recovery-code-used', at);
      return used;
    });
    if (!spent) break;
    await forgiveCodeAttempts(deps.db, user.id);
    return;
  }
  throw wrongCode();
}

function wrongCode(): DomainError {
  return new DomainError('FORBIDDEN', 'The code is not right: it is not the one your authenticator app shows now', { field: 'code' });
}

/** Counts an attempt before the code is checked, in the database, so every process shares the count. A right code forgives. */
async function spendAttempt(deps: UseCaseDeps, user: User): Promise<void> {
  const now = deps.now();
  const refused = await countCodeAttempt(deps.db, user.id, ATTEMPTS, ATTEMPT_WINDOW_MS, now);
  if (!refused) return;
  const minutes = Math.max(1, Math.ceil((Date.parse(refused.windowStartedAt) + ATTEMPT_WINDOW_MS - now.getTime()) / 60_000));
  throw new DomainError('FORBIDDEN', `Too many wrong codes; try again in ${minutes} minute(s)`, { field: 'code' });
}

/** Whether SIGN asks this user for a code: enrolled, or required by the role. */
export async function asksSecondFactor(deps: UseCaseDeps, user: User): Promise<boolean> {
  return secondFactorRequired(deps, user) || Boolean((await findSecondFactor(deps.db, user.id))?.confirmedAt);
}

/** Which of these users have a second factor enrolled (the administrator's page offers a reset for them). */
export async function enrolledAmong(db: Queryable, userIds: readonly number[]): Promise<Set<number>> {
  return usersWithConfirmedSecondFactor(db, userIds);
}
