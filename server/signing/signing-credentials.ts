import { z } from 'zod';
import { insertCredential, findSigningCredential, type StoredCredential } from '../../db/repositories/credentials.repository.ts';
import { findUserByEmail, type User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authorizeOnUser } from '../auth/policy.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { checkSignerCertificate, parseCertificate } from './certificate-checks.ts';
import { certificateView, type CertificateView } from './certificate-view.ts';
import { credentialOwner } from './credentials.ts';
import { sealPrivateKey } from './key-vault.ts';
import { MAX_PKCS12_BYTES, readPkcs12 } from './pkcs12.ts';
import { partyTrustAnchors } from './trust-anchors.ts';

/**
 * A government brings its own signing certificate for a signatory instead of the demo PKI's: either a
 * PKCS#12 with the private key (the server then signs with it; the key is sealed with AES-256-GCM under
 * the server's secret at once and never returned or logged), or the certificate alone (the signatory
 * then signs externally, on their own device). Either way the certificate must be fit to sign for the
 * party now: valid, allowed to sign, chaining to one of the party's trust anchors. The newest
 * registration is the one that signs; earlier ones stay on record.
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

/** A signatory's signing credential as the API shows it. */
export interface SigningCredentialView {
  readonly email: string;
  readonly party: string;
  readonly certificate: CertificateView;
  /** Issuers up to the trust anchor, nearest first (subjects). */
  readonly chain: string[];
  /** True: the server holds the key and signs on SIGN. False: the signatory signs externally. */
  readonly serverHoldsKey: boolean;
  readonly registeredAt: string;
}

export async function registerSigningCredential(
  deps: UseCaseDeps,
  actor: User,
  email: string,
  input: RegisterSigningCredentialInput,
): Promise<SigningCredentialView> {
  const signatory = await signatoryFor(deps, actor, email, 'signing-credential.register');
  const now = deps.now();
  const supplied = input.pkcs12 !== undefined ? readPkcs12(Buffer.from(input.pkcs12, 'base64'), input.passphrase ?? '') : undefined;
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
  return (await showSigningCredential(deps, actor, signatory.email))!;
}

/** The signatory's current signing credential, or 404 when none is registered. */
export async function showSigningCredential(deps: UseCaseDeps, actor: User, email: string): Promise<SigningCredentialView> {
  const signatory = await signatoryFor(deps, actor, email, 'signing-credential.read');
  const credential = await findSigningCredential(deps.db, signatory.id);
  if (!credential) throw new NotFoundError(`${signatory.email} has no signing certificate registered`);
  return view(signatory, credential);
}

async function signatoryFor(
  deps: UseCaseDeps,
  actor: User,
  email: string,
  action: 'signing-credential.register' | 'signing-credential.read',
): Promise<User> {
  const user = await findUserByEmail(deps.db, email);
  if (!user) throw new NotFoundError('There is no such user in your party');
  authorizeOnUser(actor, user, action);
  if (user.role !== 'signatory')
    throw new RuleViolationError(`${user.email} is not a signatory (${user.role}); only signatories have signing certificates`);
  return user;
}

function view(signatory: User, credential: StoredCredential): SigningCredentialView {
  return {
    email: signatory.email,
    party: signatory.party,
    certificate: certificateView(credential.certificatePem),
    chain: credential.chainPems.map((pem) => certificateView(pem).subject),
    serverHoldsKey: credential.encryptedKey !== null,
    registeredAt: credential.createdAt,
  };
}
