import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  deleteApiToken,
  insertAccessToken,
  listApiTokens,
  TOKEN_SCOPES,
  type ApiTokenSummary,
} from '../../db/repositories/access-tokens.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { NotFoundError } from '../errors.ts';
import { userText } from '../text/safe-text.ts';
import { confirmPassword } from './confirm-password.ts';
import { hashToken, newToken } from './sessions.ts';

/**
 * Named API tokens for integrations: created, listed and revoked by their owner only. The token is
 * shown once, when created; afterwards only its public id, name and scope are known.
 */
export const createApiTokenInput = z
  .object({
    name: userText(100, { singleLine: true }).trim().min(1),
    /** How long it works; a token nobody remembers should not work forever. */
    expiresInDays: z.number().int().min(1).max(365).default(90),
    /** Read-only unless asked for: an integration that only reads cannot be turned into one that acts. */
    scope: z.enum(TOKEN_SCOPES).default('read'),
    /** The owner's password once more: a session may last hours, the token up to a year. Checked, never stored. */
    password: z.string().max(1024).optional(),
  })
  .strict();
export type CreateApiTokenInput = z.infer<typeof createApiTokenInput>;

export interface CreatedApiToken extends ApiTokenSummary {
  /** The bearer token itself: shown this once, stored only as its hash. */
  readonly token: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function createApiToken(deps: UseCaseDeps, user: User, input: CreateApiTokenInput): Promise<CreatedApiToken> {
  const { name, expiresInDays, scope } = input;
  await confirmPassword(deps, user, input.password, 'mint-token');
  const now = deps.now();
  const token = newToken();
  const summary: ApiTokenSummary = {
    id: randomBytes(12).toString('base64url'),
    name,
    scope,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + expiresInDays * DAY_MS).toISOString(),
  };
  await insertAccessToken(deps.db, { tokenHash: hashToken(token), userId: user.id, kind: 'api-token', publicId: summary.id, ...summary });
  return { ...summary, token };
}

export function listOwnApiTokens(deps: UseCaseDeps, user: User): Promise<ApiTokenSummary[]> {
  return listApiTokens(deps.db, user.id, deps.now().toISOString());
}

/** Revokes one of the user's own tokens; another user's token id answers 404, as an unknown one does. */
export async function revokeApiToken(deps: UseCaseDeps, user: User, id: string): Promise<void> {
  if (!(await deleteApiToken(deps.db, user.id, id))) throw new NotFoundError(`You have no API token ${id}`);
}
