import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { z } from 'zod';
import {
  findPartyTrustAnchorHistory,
  findTrustAnchorBySha256,
  insertCredential,
  listTrustAnchors,
  type StoredCredential,
} from '../../db/repositories/credentials.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authorizeOnParty } from '../auth/policy.ts';
import { RuleViolationError } from '../errors.ts';
import { certificateSha256, parseCertificate } from '../signing/certificate-checks.ts';
import { trustAnchorView, type TrustAnchorView } from './list-trust-anchors.ts';

/**
 * A party's administrator registers one of the government's CAs as a trust anchor of the party.
 *
 * A CA belongs to one party. CA certificates are public (every signed original embeds them), so without
 * that rule one party's administrator could register the other's CA and have its signatures attributed to
 * the wrong government. A certificate another party has registered, or another certificate of the same
 * CA (same name and key), is refused with 422; the database's unique index on the certificate's SHA-256
 * settles two registrations racing.
 */

const KEY_USAGE = '2.5.29.15';
/** keyCertSign is bit 5 of KeyUsage, counted from the first byte's most significant bit. */
const KEY_CERT_SIGN = 0x04;

export const registerTrustAnchorInput = z
  .object({
    certificate: z
      .string()
      .max(16 * 1024)
      .regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate'),
  })
  .strict();
export type RegisterTrustAnchorInput = z.infer<typeof registerTrustAnchorInput>;

/** Registers a CA certificate as one of the party's anchors; 422 for one that is no CA, not valid now, or registered already (by this party or another). */
export async function registerTrustAnchor(
  deps: UseCaseDeps,
  actor: User,
  party: string,
  input: RegisterTrustAnchorInput,
): Promise<TrustAnchorView> {
  authorizeOnParty(actor, party, 'trust-anchors.manage');
  const parsed = parseCertificate(input.certificate, 'the certificate');
  const certificate = new X509Certificate(input.certificate);
  const now = deps.now();
  if (!certificate.ca)
    throw new RuleViolationError(
      'The certificate is not a CA certificate (basicConstraints CA:TRUE); register the CA that issues the signatories’ certificates',
    );
  const keyUsage = parsed.extensions?.find((extension) => extension.extnID === KEY_USAGE)?.parsedValue;
  if (keyUsage instanceof asn1js.BitString && ((keyUsage.valueBlock.valueHexView[0] ?? 0) & KEY_CERT_SIGN) === 0) {
    throw new RuleViolationError('The CA certificate’s key usage does not allow signing certificates (keyCertSign)');
  }
  if (now < new Date(certificate.validFrom))
    throw new RuleViolationError(
      `The CA certificate is not valid before ${new Date(certificate.validFrom).toISOString()}; register it once it is`,
    );
  if (now > new Date(certificate.validTo))
    throw new RuleViolationError(`The CA certificate expired on ${new Date(certificate.validTo).toISOString()}`);

  const claimed = await findTrustAnchorBySha256(deps.db, certificateSha256(input.certificate));
  if (claimed) throw alreadyRegistered(claimed, party);
  const sameCa = (await listTrustAnchors(deps.db)).find(
    (anchor) => anchor.party !== party && isSameCa(new X509Certificate(anchor.certificatePem), certificate),
  );
  if (sameCa)
    throw new RuleViolationError(`The CA (the same name and key) is one of ${sameCa.party}'s trust anchors; a CA belongs to one party`);

  const pem = certificate.toString();
  const id = await insertCredential(
    deps.db,
    { party, userId: null, purpose: 'anchor', certificatePem: pem, encryptedKey: null, createdBy: actor.id },
    now.toISOString(),
  );
  // Undefined: another registration of the same certificate committed between the check and the insert.
  if (id === undefined) throw alreadyRegistered((await findTrustAnchorBySha256(deps.db, certificateSha256(pem)))!, party);
  return trustAnchorView((await findPartyTrustAnchorHistory(deps.db, party)).find((anchor) => anchor.id === id)!);
}

function alreadyRegistered(claimed: StoredCredential, party: string): RuleViolationError {
  return new RuleViolationError(
    claimed.party === party
      ? `The certificate is already one of ${party}'s trust anchors${claimed.retired ? ` (retired at ${claimed.retired.at}; a retired anchor is not registered again)` : ''}`
      : `The certificate is one of ${claimed.party}'s trust anchors; a CA belongs to one party`,
  );
}

/** The same CA: the same name and the same key, whichever of its certificates each one is. */
function isSameCa(a: X509Certificate, b: X509Certificate): boolean {
  return a.subject === b.subject && a.publicKey.equals(b.publicKey);
}
