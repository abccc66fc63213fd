import type { CredentialRecord } from '../../db/repositories/credentials.repository.ts';

/** The label a sealed key is bound to, so a key copied onto another user's row does not open. */
export function credentialOwner(credential: Pick<CredentialRecord, 'party' | 'userId' | 'purpose'>): string {
  return `${credential.purpose}:${credential.party}:${credential.userId ?? 'party'}`;
}
