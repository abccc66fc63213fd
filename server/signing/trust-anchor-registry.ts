import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { z } from 'zod';
import { findPartyTrustAnchors, insertCredential } from '../../db/repositories/credentials.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authorizeOnParty } from '../auth/policy.ts';
import { RuleViolationError } from '../errors.ts';
import { certificateSha256, parseCertificate } from './certificate-checks.ts';
import { certificateView, type CertificateView } from './certificate-view.ts';

/**
 * A party's trust anchors: the CA certificates its signatories' certificates must chain to. Its own CA
 * (the demo PKI's) is one; its administrator registers the government's real CAs. An anchor is a
 * certificate only: the server never holds a CA's key for it.
 */

const KEY_USAGE = '2.5.29.15';
/** keyCertSign is bit 5 of KeyUsage, counted from the first byte's most significant bit. */
const KEY_CERT_SIGN = 0x04;

export const addTrustAnchorInput = z
  .object({ certificate: z.string().max(16 * 1024).regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate') })
  .strict();
export type AddTrustAnchorInput = z.infer<typeof addTrustAnchorInput>;

export interface TrustAnchorView {
  readonly party: string;
  /** 'ca': the party's own CA (demo PKI); 'anchor': registered by its administrator. */
  readonly kind: 'ca' | 'anchor';
  readonly certificate: CertificateView;
  readonly registeredAt: string;
}

export async function listPartyTrustAnchors(deps: UseCaseDeps, actor: User, party: string): Promise<TrustAnchorView[]> {
  authorizeOnParty(actor, party, 'trust-anchors.read');
  return (await findPartyTrustAnchors(deps.db, party)).map((anchor) => ({
    party: anchor.party,
    kind: anchor.purpose === 'ca' ? 'ca' : 'anchor',
    certificate: certificateView(anchor.certificatePem),
    registeredAt: anchor.createdAt,
  }));
}

/** Registers a CA certificate as one of the party's anchors; 422 for one that is no CA, has expired, or is there already. */
export async function addTrustAnchor(deps: UseCaseDeps, actor: User, party: string, input: AddTrustAnchorInput): Promise<TrustAnchorView> {
  authorizeOnParty(actor, party, 'trust-anchors.manage');
  const parsed = parseCertificate(input.certificate, 'the certificate');
  const certificate = new X509Certificate(input.certificate);
  const now = deps.now();
  if (!certificate.ca) throw new RuleViolationError('The certificate is not a CA certificate (basicConstraints CA:TRUE); register the CA that issues the signatories’ certificates');
  const keyUsage = parsed.extensions?.find((extension) => extension.extnID === KEY_USAGE)?.parsedValue;
  if (keyUsage instanceof asn1js.BitString && ((keyUsage.valueBlock.valueHexView[0] ?? 0) & KEY_CERT_SIGN) === 0) {
    throw new RuleViolationError('The CA certificate’s key usage does not allow signing certificates (keyCertSign)');
  }
  if (now > new Date(certificate.validTo)) throw new RuleViolationError(`The CA certificate expired on ${new Date(certificate.validTo).toISOString()}`);
  const sha256 = certificateSha256(input.certificate);
  const existing = await findPartyTrustAnchors(deps.db, party);
  if (existing.some((anchor) => certificateSha256(anchor.certificatePem) === sha256)) {
    throw new RuleViolationError(`The certificate is already one of ${party}'s trust anchors`);
  }
  const pem = certificate.toString();
  await insertCredential(deps.db, { party, userId: null, purpose: 'anchor', certificatePem: pem, encryptedKey: null, createdBy: actor.id }, now.toISOString());
  return { party, kind: 'anchor', certificate: certificateView(pem), registeredAt: now.toISOString() };
}
