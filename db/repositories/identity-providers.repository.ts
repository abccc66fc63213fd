import type { Queryable } from '../connection.ts';
import type { Lang } from '../stored-shapes.ts';
import type { Role } from '../../workflows/agreement/agreement.events.ts';

/** One entry of a provider's role mapping: a user whose roles claim holds one of `values` gets `role`. */
export interface RoleRule {
  readonly role: Role;
  readonly values: readonly string[];
}

/** A party's OpenID Connect provider as stored; the client secret stays sealed. */
export interface IdentityProvider {
  readonly party: string;
  readonly labels: Readonly<Record<Lang, string>>;
  readonly issuer: string;
  readonly clientId: string;
  readonly sealedClientSecret: string;
  readonly scopes: string;
  readonly emailClaim: string;
  readonly rolesClaim: string;
  /** In order: the first rule a claim value matches gives the role. */
  readonly roleMapping: readonly RoleRule[];
  readonly updatedAt: string;
}

interface IdentityProviderRow {
  party_key: string;
  labels: string;
  issuer: string;
  client_id: string;
  sealed_client_secret: string;
  scopes: string;
  email_claim: string;
  roles_claim: string;
  role_mapping: string;
  updated_at: string;
}

const toProvider = (row: IdentityProviderRow): IdentityProvider => ({
  party: row.party_key,
  // Written only from checked input (configureIdentityProvider): read back as written.
  labels: JSON.parse(row.labels) as Record<Lang, string>,
  issuer: row.issuer,
  clientId: row.client_id,
  sealedClientSecret: row.sealed_client_secret,
  scopes: row.scopes,
  emailClaim: row.email_claim,
  rolesClaim: row.roles_claim,
  roleMapping: JSON.parse(row.role_mapping) as RoleRule[],
  updatedAt: row.updated_at,
});

/** The party's provider, or undefined when its users sign in with passwords only. */
export async function findIdentityProvider(db: Queryable, party: string): Promise<IdentityProvider | undefined> {
  const row = await db<IdentityProviderRow>('identity_providers').where({ party_key: party }).first();
  return row && toProvider(row);
}

/** Every configured provider, by party: what the sign-in page offers. */
export async function listIdentityProviders(db: Queryable): Promise<IdentityProvider[]> {
  return (await db<IdentityProviderRow>('identity_providers').orderBy('party_key')).map(toProvider);
}

/** Sets the party's provider, replacing the one it had. */
export async function saveIdentityProvider(db: Queryable, provider: IdentityProvider): Promise<void> {
  const row: IdentityProviderRow = {
    party_key: provider.party,
    labels: JSON.stringify(provider.labels),
    issuer: provider.issuer,
    client_id: provider.clientId,
    sealed_client_secret: provider.sealedClientSecret,
    scopes: provider.scopes,
    email_claim: provider.emailClaim,
    roles_claim: provider.rolesClaim,
    role_mapping: JSON.stringify(provider.roleMapping),
    updated_at: provider.updatedAt,
  };
  await db('identity_providers').insert(row).onConflict('party_key').merge();
}

/** Removes the party's provider; false when it had none. Its users keep their accounts (and passwords, if any). */
export async function deleteIdentityProvider(db: Queryable, party: string): Promise<boolean> {
  return (await db('identity_providers').where({ party_key: party }).delete()) === 1;
}

/** An authorization request waiting for the provider's answer. */
export interface PendingSsoSignIn {
  readonly stateHash: string;
  readonly party: string;
  readonly browserHash: string;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly nextPath: string;
  readonly fresh: boolean;
  readonly expiresAt: string;
}

export async function insertSsoSignIn(db: Queryable, pending: PendingSsoSignIn): Promise<void> {
  await db('sso_sign_ins').insert({
    state_hash: pending.stateHash,
    party_key: pending.party,
    browser_hash: pending.browserHash,
    code_verifier: pending.codeVerifier,
    nonce: pending.nonce,
    next_path: pending.nextPath,
    fresh: pending.fresh,
    expires_at: pending.expiresAt,
  });
}

/**
 * Takes the pending sign-in with this state once: it is deleted as it is read, so a replayed answer
 * (in any process) finds nothing. Undefined when unknown, taken already or expired at `now`.
 */
export async function takeSsoSignIn(db: Queryable, stateHash: string, now: string): Promise<PendingSsoSignIn | undefined> {
  const row = await db('sso_sign_ins').where({ state_hash: stateHash }).first();
  // Of two requests with the same state, in any processes, only the one whose delete removed the row has it.
  const taken = row ? await db('sso_sign_ins').where({ state_hash: stateHash }).delete() : 0;
  // Expired requests are swept here too, so abandoned ones do not pile up.
  await db('sso_sign_ins').where('expires_at', '<=', now).delete();
  if (taken !== 1 || row.expires_at <= now) return undefined;
  return {
    stateHash: row.state_hash,
    party: row.party_key,
    browserHash: row.browser_hash,
    codeVerifier: row.code_verifier,
    nonce: row.nonce,
    nextPath: row.next_path,
    fresh: Boolean(row.fresh),
    expiresAt: row.expires_at,
  };
}
