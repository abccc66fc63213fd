import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { RuleViolationError } from '../errors.ts';
import type { TrustAnchor } from './verify-pdf.ts';
import { pathProvableUntil, STRENGTH_SOURCE, weakestAlgorithmOf, type WeakestAlgorithm } from './cryptographic-strength.ts';
import { pkijsCertificate, x509Certificate } from './parsed-certificates.ts';

/**
 * The checks a signer's certificate must pass before it signs for a party (when it is registered, and
 * again at every signing): valid at the signing time, allowed to sign (key usage digitalSignature or
 * nonRepudiation, not a CA), an RSA key of at least 2048 bits or an EC key, a chain of verified
 * links to one of the party's trust anchors, each certificate on the way valid at that time, and no
 * key or hash on that chain past the end of its strength (cryptographic-strength.ts): a signature
 * made with it would be reported as proving nothing the moment it is made.
 * A failure is a 422 that names the problem.
 */

const OID = {
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
} as const;

const MINIMUM_RSA_BITS = 2048;
const EC_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

const cryptoEngine = new pkijs.CryptoEngine({ name: 'nodejs', crypto: webcrypto });

/** What the checks found: the path from the signer's issuer up to and including the anchor. */
export interface CheckedCertificate {
  /** Issuing certificates, nearest first, ending with the trust anchor: what a CMS should embed. */
  readonly issuerPems: string[];
  readonly anchor: TrustAnchor;
}

export interface CertificateToCheck {
  readonly certificatePem: string;
  /** Intermediate certificates that came with it (from a PKCS#12 or registered alongside). */
  readonly intermediatePems?: readonly string[];
  /** The party's anchors; the certificate must chain to one of them. */
  readonly anchors: readonly TrustAnchor[];
  /** The signing time the certificate must be valid at. */
  readonly at: Date;
  /** The party, for messages. */
  readonly party: string;
}

/** Runs every check; throws one RuleViolationError listing each problem found. */
export async function checkSignerCertificate(input: CertificateToCheck): Promise<CheckedCertificate> {
  const certificate = parseCertificate(input.certificatePem, "the signer's certificate");
  const problems: string[] = [];
  const name = x509Certificate(input.certificatePem).subject.replace(/\n/g, ', ');

  const { notBefore, notAfter } = { notBefore: certificate.notBefore.value, notAfter: certificate.notAfter.value };
  if (input.at < notBefore) problems.push(`it is not valid before ${notBefore.toISOString()} (signing time ${input.at.toISOString()})`);
  if (input.at > notAfter) problems.push(`it expired at ${notAfter.toISOString()} (signing time ${input.at.toISOString()})`);

  const keyUsage = certificate.extensions?.find((extension) => extension.extnID === OID.keyUsage)?.parsedValue;
  if (!(keyUsage instanceof asn1js.BitString)) {
    problems.push('it states no key usage; a signing certificate must allow digitalSignature or nonRepudiation');
  } else if (((keyUsage.valueBlock.valueHexView[0] ?? 0) & (0x80 | 0x40)) === 0) {
    problems.push('its key usage allows neither digitalSignature nor nonRepudiation');
  }
  const basicConstraints = certificate.extensions?.find((extension) => extension.extnID === OID.basicConstraints)?.parsedValue;
  if (basicConstraints instanceof pkijs.BasicConstraints && basicConstraints.cA) problems.push('it is a CA certificate, not a signatory’s');

  const keyProblem = publicKeyProblem(input.certificatePem);
  if (keyProblem) problems.push(keyProblem);

  const chain = await chainToAnchor(certificate, input, problems);
  if (problems.length > 0 || !chain) {
    throw new RuleViolationError(`The certificate "${name}" cannot sign for ${input.party}: ${problems.join('; ')}`, { problems });
  }
  return chain;
}

/** SHA-256 of the certificate's DER, hex: how a certificate is named in requests and responses. */
export function certificateSha256(certificatePem: string): string {
  return createHash('sha256').update(x509Certificate(certificatePem).raw).digest('hex');
}

/** Parses a PEM certificate or says in a 422 that it is not one. */
export function parseCertificate(pem: string, what: string): pkijs.Certificate {
  try {
    return pkijsCertificate(pem);
  } catch {
    throw new RuleViolationError(`${what} is not a readable X.509 certificate (send it PEM-encoded)`);
  }
}

/** RSA of at least 2048 bits, or EC on a NIST curve (ETSI TS 119 312); what pkijs and NSS both verify. */
function publicKeyProblem(certificatePem: string): string | undefined {
  const key = x509Certificate(certificatePem).publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    return bits < MINIMUM_RSA_BITS ? `its RSA key has ${bits} bits; at least ${MINIMUM_RSA_BITS} are required` : undefined;
  }
  if (key.asymmetricKeyType === 'ec') {
    return EC_CURVES.has(details.namedCurve ?? '')
      ? undefined
      : `its EC key is on the curve ${details.namedCurve}, not P-256, P-384 or P-521`;
  }
  return `its key is of type ${key.asymmetricKeyType}, neither RSA nor EC`;
}

async function chainToAnchor(
  certificate: pkijs.Certificate,
  input: CertificateToCheck,
  problems: string[],
): Promise<CheckedCertificate | undefined> {
  // A retired anchor trusts nothing signed from its retirement on.
  const inService = input.anchors.filter((anchor) => !anchor.retiredAt || input.at < new Date(anchor.retiredAt));
  if (inService.length === 0) {
    problems.push(`${input.party} has no trust anchor in service; its administrator registers the CA certificate first`);
    return undefined;
  }
  const anchors = inService.map((anchor) => ({
    anchor,
    certificate: parseCertificate(anchor.certificatePem, `a trust anchor of ${anchor.party}`),
  }));
  const signerTbs = Buffer.from(certificate.tbsView);
  if (anchors.some(({ certificate: anchor }) => signerTbs.equals(anchor.tbsView))) {
    problems.push('it is a trust anchor itself');
    return undefined;
  }
  const intermediates = (input.intermediatePems ?? []).map((pem) => parseCertificate(pem, 'an intermediate certificate'));
  // pkijs takes the last of `certs` as the end entity.
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: anchors.map(({ certificate: anchor }) => anchor),
    certs: [...intermediates, certificate],
    checkDate: input.at,
  });
  const result = await engine.verify({}, cryptoEngine).catch((error: unknown) => ({
    result: false,
    resultMessage: error instanceof Error ? error.message : String(error),
  }));
  const path = engine.certs;
  const root = path.at(-1);
  const found =
    result.result && root ? anchors.find(({ certificate: anchor }) => Buffer.from(anchor.tbsView).equals(root.tbsView)) : undefined;
  if (!found) {
    problems.push(
      /not yet valid or expired/.test(result.resultMessage)
        ? `a certificate on its chain to ${input.party}'s trust anchors is not valid at ${input.at.toISOString()}`
        : `it does not chain to any of ${input.party}'s trust anchors (${result.resultMessage})`,
    );
    return undefined;
  }
  const weakest = weakestAlgorithmOf(path);
  if (weakest && input.at >= weakest.endsAt) {
    problems.push(
      `its chain's ${weakest.algorithm} is counted on only until ${weakest.endsAt.toISOString()} (${STRENGTH_SOURCE}); a signature made with it at ${input.at.toISOString()} would prove nothing`,
    );
    return undefined;
  }
  const issuerPems = path.slice(1).map((issuer) => toPem(Buffer.from(issuer.toSchema().toBER(false))));
  return { issuerPems, anchor: found.anchor };
}

/**
 * Until when a signer's path (its certificate, then its issuers to the anchor) can sign, its earliest
 * expiry, and the weakest algorithm on it.
 */
export function signingPathEnd(path: readonly pkijs.Certificate[]): {
  signsUntil: Date;
  expiresAt: Date;
  weakest: WeakestAlgorithm | undefined;
} {
  const weakest = weakestAlgorithmOf(path);
  return { signsUntil: pathProvableUntil(path, weakest), expiresAt: pathProvableUntil(path, undefined), weakest };
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
