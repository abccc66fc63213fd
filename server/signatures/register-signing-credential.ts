import { z } from 'zod';
import { insertCredential } from '../../db/repositories/credentials.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { checkSignerCertificate, parseCertificate } from '../signing/certificate-checks.ts';
import { readPkcs12Isolated } from '../signing/isolated-pkcs12.ts';
import { sealPrivateKey } from '../signing/key-vault.ts';
import { MAX_PKCS12_BYTES } from '../signing/pkcs12-limits.ts';
import { credentialOwner } from './credential-owner.ts';
import { partyTrustAnchors } from './load-trust-anchors.ts';
import { findSignatory, showSigningCredential, type SigningCredentialView } from './show-signing-credential.ts';

/**
 * A government brings its own signing certificate for a signatory instead of the demo PKI's: either a
 * PKCS#12 with the private key (the server then signs with it; the key is sealed with AES-256-GCM under
 * the server's secret at once and never returned or logged), or the certificate alone (the signatory
 * then signs externally, on their own device). Either way the certificate must be fit to sign for the
 * party now: valid, allowed to sign, chaining to one of the party's trust anchors. The newest
 * registration is the one that signs; earlier ones stay on record. An uploaded PKCS#12 is read in a
 * bounded worker thread: its key derivations are as dear as the file asks, up to about a second.
 */

const MAX_PEM_CHARACTERS = 16 * 1024;
const pem = z
  .string()
  .max(MAX_PEM_CHARACTERS)
  .regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate');

export const registerSigningCredentialInput = z
  .object({
    /** The PKCS#12 (.p12/.pfx), base64. */
    pkcs12: z
      .base64()
      .max(Math.ceil(MAX_PKCS12_BYTES / 3) * 4)
      .optional(),
    /** Its passphrase; may be empty, as some exports are. */
    passphrase: z.string().max(1024).optional(),
    /** Or: the certificate alone (PEM), for external signing. */
    certificate: pem.optional(),
    /** With the certificate alone: issuing certificates between it and the party's anchor (PEM). */
    chain: z.array(pem).max(8).optional(),
  })
  .strict()
  .superRefine((input, context) => {
    if ((input.pkcs12 === undefined) === (input.certificate === undefined)) {
      context.addIssue({ code: 'custom', message: 'send either pkcs12 (with passphrase) or certificate, not both and not neither' });
    }
    if (input.pkcs12 !== undefined && input.passphrase === undefined)
      context.addIssue({ code: 'custom', path: ['passphrase'], message: 'required with pkcs12' });
    if (input.pkcs12 === undefined && input.passphrase !== undefined)
      context.addIssue({ code: 'custom', path: ['passphrase'], message: 'only with pkcs12' });
    if (input.certificate === undefined && input.chain !== undefined)
      context.addIssue({ code: 'custom', path: ['chain'], message: 'only with certificate' });
  });
export type RegisterSigningCredentialInput = z.infer<typeof registerSigningCredentialInput>;

export async function registerSigningCredential(
  deps: UseCaseDeps,
  actor: User,
  email: string,
  input: RegisterSigningCredentialInput,
): Promise<SigningCredentialView> {
  const signatory = await findSignatory(deps, actor, email, 'signing-credential.register');
  const now = deps.now();
  const supplied =
    input.pkcs12 !== undefined ? await readPkcs12Isolated(Buffer.from(input.pkcs12, 'base64'), input.passphrase ?? '') : undefined;
  const certificatePem = supplied?.certificatePem ?? input.certificate!;
  parseCertificate(certificatePem, 'the certificate');
  try {
    const checked = await checkSignerCertificate({
      certificatePem,
      intermediatePems: supplied?.otherCertificatePems ?? input.chain ?? [],
      anchors: await partyTrustAnchors(deps.db, signatory.party),
      at: now,
      party: signatory.party,
    });
    const record = { party: signatory.party, userId: signatory.id, purpose: 'signing' as const, certificatePem };
    const credential = {
      ...record,
      encryptedKey: supplied ? sealPrivateKey(deps.config.secret, credentialOwner(record), supplied.privateKeyPkcs8) : null,
      // The path without the anchor itself, which the party's anchors already hold.
      chainPems: checked.issuerPems.slice(0, -1),
      createdBy: actor.id,
    };
    await insertCredential(deps.db, credential, now.toISOString());
  } finally {
    supplied?.privateKeyPkcs8.fill(0);
  }
  return showSigningCredential(deps, actor, signatory.email);
}
