import * as asn1js from 'asn1js';
import { RuleViolationError } from '../errors.ts';

/**
 * The budget of a PKCS#12 upload, read from its structure before any key is derived from the passphrase.
 *
 * Every MAC key and every encryption key in a PKCS#12 is derived with an iteration count the file itself
 * names, and node-forge derives in JavaScript on the event loop (about 6.5 µs an iteration here: the issue's
 * 2^31-1 was 1.3 hours). The exporters governments use write far less: OpenSSL 3 2048, Windows 2000,
 * Java's keytool 10,000. So one derivation may take at most 50,000 iterations (five times Java's), and a
 * file at most 150,000 in all (the MAC, the key and the certificates at the cap each): the dearest file
 * accepted costs about a second, once. OWASP's 600,000 for PBKDF2 is for password storage hashed natively,
 * not for a file a stranger chooses and JavaScript expands.
 */
export const MAX_ITERATIONS_PER_DERIVATION = 50_000;
export const MAX_ITERATIONS_PER_FILE = 150_000;
/** A PKCS#12 is a few KiB; this bounds the work a hostile upload can cause. */
export const MAX_PKCS12_BYTES = 64 * 1024;
/** A signer's key, its certificate and a chain of a few issuers; OpenSSL writes two SafeContents. */
export const MAX_SAFE_CONTENTS = 4;
export const MAX_SAFE_BAGS = 16;

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
} as const;
/** pbeWithSHAAnd*: the PKCS#12 PBE schemes (RFC 7292 appendix C), all with PBEParameter { salt, iterations }. */
const PKCS12_PBE = /^1\.2\.840\.113549\.1\.12\.1\.[1-6]$/;
/** PBES1 (RFC 8018 A.3), the same PBEParameter. */
const PBES1 = /^1\.2\.840\.113549\.1\.5\.(1|3|4|6|10|11)$/;

/** The iterations charged so far to one file; every derivation is checked against it before it runs. */
export class IterationBudget {
  private spent = 0;

  /** Throws the 422 naming the limit when `iterations` (for `what`) would exceed either cap. */
  charge(what: string, iterations: bigint): void {
    if (iterations < 1n) throw new RuleViolationError(`The PKCS#12 could not be read: ${what} has an iteration count below 1`);
    if (iterations > BigInt(MAX_ITERATIONS_PER_DERIVATION)) {
      throw new RuleViolationError(
        `The PKCS#12's ${what} iteration count is ${iterations}; at most ${MAX_ITERATIONS_PER_DERIVATION} are accepted per derivation (re-export it with fewer, e.g. openssl pkcs12 -export -iter 2048)`,
        { limit: 'iterations-per-derivation', max: MAX_ITERATIONS_PER_DERIVATION, count: what },
      );
    }
    this.spent += Number(iterations);
    if (this.spent > MAX_ITERATIONS_PER_FILE) {
      throw new RuleViolationError(
        `The PKCS#12's iteration counts add up to more than ${MAX_ITERATIONS_PER_FILE} (reached at the ${what}); re-export it with fewer iterations`,
        { limit: 'iterations-per-file', max: MAX_ITERATIONS_PER_FILE, count: what },
      );
    }
  }
}

/**
 * Walks the PFX (RFC 7292) without the passphrase and checks the MAC's iterations and those of every
 * encryption in sight (encrypted SafeContents, shrouded keys in plain SafeContents) against the caps;
 * keys shrouded inside encrypted SafeContents are charged when they are reached (chargeDerivation).
 * Refuses a file that is no PFX, has too many SafeContents or bags, nests SafeContents, or is signed or
 * enveloped rather than protected by a passphrase. Returns the MAC's iterations (0: no MAC), which the
 * caller charges to the budget of the derivations it then runs.
 */
export function checkPkcs12Structure(der: Buffer): { macIterations: bigint } {
  const budget = new IterationBudget();
  const pfx = children(decode(der), 'the PFX');
  const [version, authSafe, macData] = pfx;
  if (!(version instanceof asn1js.Integer) || !authSafe) throw unreadable('the PFX');
  let macIterations = 0n;
  if (macData) {
    const [, , iterations] = children(macData, 'the MAC data');
    // RFC 7292: iterations INTEGER DEFAULT 1.
    macIterations = iterations === undefined ? 1n : integer(iterations, 'the MAC iterations');
    budget.charge('MAC', macIterations);
  }
  const { type, content } = contentInfo(authSafe, 'the authenticated safe');
  if (type !== OID.data)
    throw new RuleViolationError('The PKCS#12 is protected by a public key, not a passphrase; export it with a passphrase');
  const safeContents = children(decode(octets(content, 'the authenticated safe')), 'the authenticated safe');
  if (safeContents.length > MAX_SAFE_CONTENTS) {
    throw new RuleViolationError(`The PKCS#12 has ${safeContents.length} SafeContents; at most ${MAX_SAFE_CONTENTS} are accepted`, {
      limit: 'safe-contents',
      max: MAX_SAFE_CONTENTS,
    });
  }
  let bags = 0;
  safeContents.forEach((node, index) => {
    const what = `SafeContents ${index + 1}`;
    const { type: contentType, content: value } = contentInfo(node, what);
    if (contentType === OID.encryptedData) {
      // EncryptedData { version, EncryptedContentInfo { contentType, contentEncryptionAlgorithm, [0] encryptedContent } }
      const [, encryptedContentInfo] = children(value, what);
      const [, algorithm] = children(encryptedContentInfo, what);
      chargeAlgorithm(budget, `${what}'s encryption`, algorithm);
      return;
    }
    if (contentType !== OID.data)
      throw new RuleViolationError(`The PKCS#12's ${what} is enveloped for a public key; export it with a passphrase only`);
    for (const bag of children(decode(octets(value, what)), what)) {
      bags += 1;
      if (bags > MAX_SAFE_BAGS)
        throw new RuleViolationError(`The PKCS#12 has more than ${MAX_SAFE_BAGS} bags; at most ${MAX_SAFE_BAGS} are accepted`, {
          limit: 'safe-bags',
          max: MAX_SAFE_BAGS,
        });
      checkSafeBag(budget, bag, `bag ${bags}`);
    }
  });
  return { macIterations };
}

/** Counts the bags forge decoded, including those that were inside encrypted SafeContents. */
export function checkBagCount(count: number): void {
  if (count > MAX_SAFE_BAGS)
    throw new RuleViolationError(`The PKCS#12 has ${count} bags; at most ${MAX_SAFE_BAGS} are accepted`, {
      limit: 'safe-bags',
      max: MAX_SAFE_BAGS,
    });
}

/** Charges one derivation forge is about to run: `oid` and the DER of its parameters, as in an AlgorithmIdentifier. */
export function chargeDerivation(budget: IterationBudget, oid: string, parametersDer: Buffer): void {
  chargeScheme(budget, 'encryption', oid, decode(parametersDer));
}

function checkSafeBag(budget: IterationBudget, bag: asn1js.AsnType, what: string): void {
  const [bagId, bagValue] = children(bag, what);
  const type = objectIdentifier(bagId, what);
  if (type === OID.safeContentsBag)
    throw new RuleViolationError('The PKCS#12 nests SafeContents inside a bag, which is not read here; export it flat');
  if (type !== OID.pkcs8ShroudedKeyBag) return;
  // [0] EXPLICIT EncryptedPrivateKeyInfo { encryptionAlgorithm, encryptedData }
  const [encryptedPrivateKeyInfo] = children(bagValue, what);
  const [algorithm] = children(encryptedPrivateKeyInfo, what);
  chargeAlgorithm(budget, 'private key encryption', algorithm);
}

function chargeAlgorithm(budget: IterationBudget, what: string, algorithm: asn1js.AsnType | undefined): void {
  const [oid, parameters] = children(algorithm, what);
  chargeScheme(budget, what, objectIdentifier(oid, what), parameters);
}

function chargeScheme(budget: IterationBudget, what: string, oid: string, parameters: asn1js.AsnType | undefined): void {
  if (oid === OID.pbes2) {
    // PBES2-params { keyDerivationFunc, encryptionScheme }; PBKDF2-params { salt, iterationCount, keyLength?, prf? }
    const [keyDerivation] = children(parameters, what);
    const [kdf, kdfParameters] = children(keyDerivation, what);
    const kdfOid = objectIdentifier(kdf, what);
    if (kdfOid !== OID.pbkdf2)
      throw new RuleViolationError(`The PKCS#12 uses an encryption that cannot be read here (key derivation ${kdfOid})`);
    const [, iterations] = children(kdfParameters, what);
    budget.charge(what, integer(iterations, what));
    return;
  }
  if (PKCS12_PBE.test(oid) || PBES1.test(oid)) {
    const [, iterations] = children(parameters, what);
    budget.charge(what, integer(iterations, what));
    return;
  }
  throw new RuleViolationError(`The PKCS#12 uses an encryption that cannot be read here (${oid})`);
}

function decode(der: Buffer | Uint8Array): asn1js.AsnType {
  // A copy, so asn1js sees exactly these bytes and not the rest of a pooled Buffer.
  const decoded = asn1js.fromBER(Uint8Array.from(der));
  if (decoded.offset === -1 || decoded.offset !== der.length) throw unreadable('the file');
  return decoded.result;
}

/** The elements of a SEQUENCE, SET or explicitly tagged value; a 422 when `node` is none. */
function children(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  const value = (node as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
  if (!node?.idBlock.isConstructed || !Array.isArray(value)) throw unreadable(what);
  return value as asn1js.AsnType[];
}

/** ContentInfo { contentType, [0] EXPLICIT content }. */
function contentInfo(node: asn1js.AsnType, what: string): { type: string; content: asn1js.AsnType } {
  const [type, wrapped] = children(node, what);
  const [content] = children(wrapped, what);
  if (!content) throw unreadable(what);
  return { type: objectIdentifier(type, what), content };
}

/** An OCTET STRING's bytes, also when it comes in BER chunks (as Windows exports do). */
function octets(node: asn1js.AsnType, what: string): Uint8Array {
  if (!(node instanceof asn1js.OctetString)) throw unreadable(what);
  if (!node.idBlock.isConstructed) return node.valueBlock.valueHexView;
  return Buffer.concat(children(node, what).map((chunk) => octets(chunk, what)));
}

function objectIdentifier(node: asn1js.AsnType | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) throw unreadable(what);
  return node.getValue();
}

function integer(node: asn1js.AsnType | undefined, what: string): bigint {
  if (!(node instanceof asn1js.Integer)) throw unreadable(what);
  return node.toBigInt();
}

function unreadable(what: string): RuleViolationError {
  return new RuleViolationError(`The PKCS#12 could not be read: it is not a PKCS#12 file, or it is damaged (${what})`);
}
