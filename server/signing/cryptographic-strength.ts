import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * How long a certificate path's cryptography is counted on: the security strength of each key on it
 * (RSA by modulus, elliptic curves by curve) and of each hash its certificates are signed with, mapped
 * to NIST's time frames (SP 800-57 Part 1 Rev. 5, table 4; SP 800-131A Rev. 2): under 112 bits
 * disallowed after 2013, 112 bits (RSA-2048, P-224, SHA-224) acceptable through 2030, 128 bits and
 * more with no end NIST gives yet. A signature or timestamp proves nothing once its weakest part
 * ends, unless something stronger made before then (a document timestamp) carries the proof on,
 * which is what an archive's renewal is for. Pure.
 */

/** Security strength in bits → the moment from which it is no longer counted on; none listed: no end known. */
const STRENGTH_ENDS: readonly { readonly below: number; readonly endsAt: Date }[] = [
  { below: 112, endsAt: new Date('2014-01-01T00:00:00Z') },
  { below: 128, endsAt: new Date('2031-01-01T00:00:00Z') },
];

/** Where the time frames come from, for the reader of a finding. */
export const STRENGTH_SOURCE = 'NIST SP 800-57 Part 1 Rev. 5';

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/** Public keys whose strength their algorithm alone sets (RFC 8410). */
const FIXED_STRENGTH_KEYS: Readonly<Record<string, { readonly name: string; readonly bits: number }>> = {
  '1.3.101.112': { name: 'Ed25519', bits: 128 },
  '1.3.101.113': { name: 'Ed448', bits: 224 },
};

/** Named curves (SEC 2, RFC 5639) by OID: their names and security strength. */
const CURVES: Readonly<Record<string, { readonly name: string; readonly bits: number }>> = {
  '1.2.840.10045.3.1.1': { name: 'P-192', bits: 80 },
  '1.3.132.0.33': { name: 'P-224', bits: 112 },
  '1.2.840.10045.3.1.7': { name: 'P-256', bits: 128 },
  '1.3.132.0.34': { name: 'P-384', bits: 192 },
  '1.3.132.0.35': { name: 'P-521', bits: 256 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', bits: 128 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', bits: 192 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', bits: 256 },
};

/** Hashes by OID: their names and collision resistance in bits (what a signature over them relies on). */
const HASHES: Readonly<Record<string, { readonly name: string; readonly bits: number }>> = {
  '1.2.840.113549.2.5': { name: 'MD5', bits: 0 },
  '1.3.14.3.2.26': { name: 'SHA-1', bits: 63 },
  '2.16.840.1.101.3.4.2.4': { name: 'SHA-224', bits: 112 },
  '2.16.840.1.101.3.4.2.1': { name: 'SHA-256', bits: 128 },
  '2.16.840.1.101.3.4.2.2': { name: 'SHA-384', bits: 192 },
  '2.16.840.1.101.3.4.2.3': { name: 'SHA-512', bits: 256 },
};

/** Signature algorithms by OID: the hash each signs over. */
const SIGNATURE_HASHES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': '1.2.840.113549.2.5',
  '1.2.840.113549.1.1.5': '1.3.14.3.2.26',
  '1.2.840.113549.1.1.14': '2.16.840.1.101.3.4.2.4',
  '1.2.840.113549.1.1.11': '2.16.840.1.101.3.4.2.1',
  '1.2.840.113549.1.1.12': '2.16.840.1.101.3.4.2.2',
  '1.2.840.113549.1.1.13': '2.16.840.1.101.3.4.2.3',
  '1.2.840.10045.4.1': '1.3.14.3.2.26',
  '1.2.840.10045.4.3.1': '2.16.840.1.101.3.4.2.4',
  '1.2.840.10045.4.3.2': '2.16.840.1.101.3.4.2.1',
  '1.2.840.10045.4.3.3': '2.16.840.1.101.3.4.2.2',
  '1.2.840.10045.4.3.4': '2.16.840.1.101.3.4.2.3',
};
/** RSASSA-PSS without parameters hashes with SHA-1 (RFC 4055 §3.1). */
const PSS_DEFAULT_HASH = '1.3.14.3.2.26';

/** The weakest part of a path, and until when it is counted on. */
export interface WeakestAlgorithm {
  /** As a reader names it: "RSA-2048", "P-224", "SHA-1". */
  readonly algorithm: string;
  /** From this moment on it is not counted on. */
  readonly endsAt: Date;
}

/**
 * The part of `path` (certificates, any order) whose strength ends first, with that end; undefined
 * when every part is at least 128 bits strong (no end known) or none is recognised (an algorithm
 * nobody here can verify fails its signature check before this matters).
 */
export function weakestAlgorithmOf(path: readonly pkijs.Certificate[], hashOids: readonly string[] = []): WeakestAlgorithm | undefined {
  let weakest: WeakestAlgorithm | undefined;
  const consider = (part: { readonly name: string; readonly bits: number } | undefined) => {
    const endsAt = part && endOf(part.bits);
    if (part && endsAt && (!weakest || endsAt < weakest.endsAt)) weakest = { algorithm: part.name, endsAt };
  };
  for (const certificate of path) {
    consider(publicKeyStrength(certificate.subjectPublicKeyInfo));
    consider(HASHES[signatureHashOf(certificate.signatureAlgorithm)]);
  }
  for (const oid of hashOids) consider(HASHES[oid]);
  return weakest;
}

/**
 * The last moment `path` can be checked as it is: its certificates' earliest expiry, or sooner the end
 * of its weakest algorithm (`weakest`, as weakestAlgorithmOf gives it for the path and its hashes).
 */
export function pathProvableUntil(path: readonly pkijs.Certificate[], weakest: WeakestAlgorithm | undefined): Date {
  const expiresAt = Math.min(...path.map((certificate) => certificate.notAfter.value.getTime()));
  return new Date(weakest ? Math.min(expiresAt, weakest.endsAt.getTime()) : expiresAt);
}

/** From when an RSA key of this many bits is no longer counted on; undefined: no end known. */
export function rsaKeyEndsAt(modulusBits: number): Date | undefined {
  return endOf(rsaStrength(modulusBits));
}

function endOf(bits: number): Date | undefined {
  return STRENGTH_ENDS.find(({ below }) => bits < below)?.endsAt;
}

/** The key's algorithm and size as a reader names it, and its strength; undefined for an algorithm not listed. */
function publicKeyStrength(key: pkijs.PublicKeyInfo): { name: string; bits: number } | undefined {
  const algorithm = key.algorithm.algorithmId;
  if (algorithm === RSA_ENCRYPTION || algorithm === RSASSA_PSS) {
    const parsed = key.parsedKey;
    if (!(parsed instanceof pkijs.RSAPublicKey)) return undefined;
    const modulusBits = bitLength(parsed.modulus.valueBlock.valueHexView);
    return { name: `RSA-${modulusBits}`, bits: rsaStrength(modulusBits) };
  }
  if (algorithm === EC_PUBLIC_KEY) {
    // The curve from the parameters: pkijs parses the points of only three curves.
    const curve = key.algorithm.algorithmParams;
    return curve instanceof asn1js.ObjectIdentifier ? CURVES[curve.valueBlock.toString()] : undefined;
  }
  return FIXED_STRENGTH_KEYS[algorithm];
}

/** SP 800-57 Part 1 table 2: the strength of an RSA modulus of this many bits. */
function rsaStrength(modulusBits: number): number {
  if (modulusBits >= 15_360) return 256;
  if (modulusBits >= 7_680) return 192;
  if (modulusBits >= 3_072) return 128;
  if (modulusBits >= 2_048) return 112;
  return 80;
}

/** The hash a certificate's signature is over (for RSASSA-PSS, from its parameters). */
function signatureHashOf(algorithm: pkijs.AlgorithmIdentifier): string {
  if (algorithm.algorithmId !== RSASSA_PSS) return SIGNATURE_HASHES[algorithm.algorithmId] ?? '';
  if (!algorithm.algorithmParams) return PSS_DEFAULT_HASH;
  try {
    return new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams }).hashAlgorithm.algorithmId;
  } catch {
    return '';
  }
}

/** The bits of a big-endian unsigned integer, its leading zero bytes (DER's sign byte) left out. */
function bitLength(bytes: Uint8Array): number {
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first += 1;
  if (first === bytes.length) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first]!));
}
