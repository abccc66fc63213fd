import { X509Certificate, createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import { DomainError, RuleViolationError } from '../errors.ts';
import { IterationBudget, MAX_PKCS12_BYTES, chargeDerivation, checkBagCount, checkPkcs12Structure } from './pkcs12-limits.ts';

/**
 * Opens a PKCS#12 (.p12/.pfx) a government exports from its own PKI: the signer's certificate, its
 * private key and any issuing certificates. node-forge reads the old encryptions OpenSSL 3 refuses
 * without its legacy provider (RC2-40 and 3DES with SHA-1 MACs, what many CA tools still write) as
 * well as today's PBES2/AES with SHA-256 MACs.
 *
 * The key leaves as PKCS#8 DER, to be sealed at once; nothing here logs, and no error repeats key
 * material or the passphrase. Pure and synchronous: an upload is read through isolated-pkcs12.ts, in a
 * bounded worker thread, since the key derivations it asks for run in JavaScript.
 */

/**
 * PBES2 (RFC 8018) derives the key from the passphrase's bytes, which OpenSSL takes as UTF-8, while the
 * PKCS#12 MAC and the legacy ciphers use its UTF-16 form. forge gets the latter right but hands PBES2 the
 * JavaScript string as if each character were a byte, so a passphrase like "пароль" failed on every
 * OpenSSL 3 export. Encoding it to UTF-8 on the way in to PBES2 makes both agree (ASCII is unchanged).
 */
const UTF8_PASSWORDS = Symbol.for('bilateral.forge-pbes2-utf8-passwords');
type GetCipher = (oid: string, params: unknown, password: string) => unknown;
// @types/node-forge does not declare forge.pki.pbe, which forge's own PKCS#12 code calls through.
const pbe = (forge.pki as unknown as { pbe: { getCipherForPBES2: GetCipher & { [UTF8_PASSWORDS]?: true } } }).pbe;
// Once per forge instance, even if this module is loaded twice (as CommonJS and as ESM, as test runners may).
if (!pbe.getCipherForPBES2[UTF8_PASSWORDS]) {
  const pbes2Cipher = pbe.getCipherForPBES2.bind(pbe);
  pbe.getCipherForPBES2 = Object.assign(
    (oid: string, params: unknown, password: string) => pbes2Cipher(oid, params, forge.util.encodeUtf8(password)),
    {
      [UTF8_PASSWORDS]: true as const,
    },
  );
}

/**
 * Keys shrouded inside encrypted SafeContents cannot be seen before those are decrypted, so every
 * derivation forge starts (PBES2 and PKCS#12 PBE alike go through getCipher) is charged to the budget of
 * the file being read first. The budget sits on forge's own object for the same reason the marker does:
 * a second copy of this module must find the one wrapper installed.
 */
const ACTIVE_BUDGET = Symbol.for('bilateral.forge-pkcs12-iteration-budget');
type Asn1Params = Parameters<typeof forge.asn1.toDer>[0];
const guardedPbe = pbe as unknown as {
  getCipher: ((oid: string, params: Asn1Params, password: string) => unknown) & { [ACTIVE_BUDGET]?: true };
  [ACTIVE_BUDGET]?: IterationBudget;
};
if (!guardedPbe.getCipher[ACTIVE_BUDGET]) {
  const getCipher = guardedPbe.getCipher.bind(pbe);
  guardedPbe.getCipher = Object.assign(
    (oid: string, params: Asn1Params, password: string) => {
      const budget = guardedPbe[ACTIVE_BUDGET];
      if (budget) chargeDerivation(budget, oid, Buffer.from(forge.asn1.toDer(params).getBytes(), 'binary'));
      return getCipher(oid, params, password);
    },
    { [ACTIVE_BUDGET]: true as const },
  );
}

export interface Pkcs12Contents {
  readonly certificatePem: string;
  /** PKCS#8 DER of the RSA private key that matches the certificate. */
  readonly privateKeyPkcs8: Buffer;
  /** The other certificates in the file (issuers, usually), as PEM. */
  readonly otherCertificatePems: string[];
}

export function readPkcs12(pkcs12: Buffer, passphrase: string): Pkcs12Contents {
  if (pkcs12.length === 0) throw new RuleViolationError('The PKCS#12 is empty');
  if (pkcs12.length > MAX_PKCS12_BYTES)
    throw new RuleViolationError(`The PKCS#12 has ${pkcs12.length} bytes; at most ${MAX_PKCS12_BYTES} are accepted`);
  const budget = new IterationBudget();
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    const { macIterations } = checkPkcs12Structure(pkcs12);
    // forge derives the MAC key itself, outside getCipher.
    if (macIterations > 0n) budget.charge('MAC', macIterations);
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(pkcs12.toString('binary')), true);
    // readPkcs12 is synchronous: no other file's reading can run while this budget is the active one.
    guardedPbe[ACTIVE_BUDGET] = budget;
    parsed = forge.pkcs12.pkcs12FromAsn1(asn1, true, passphrase);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    const message = error instanceof Error ? error.message : '';
    throw new RuleViolationError(
      /MAC could not be verified|Invalid password/i.test(message)
        ? 'The PKCS#12 could not be opened: the passphrase is wrong (or the file is damaged)'
        : /unsupported|not supported/i.test(message)
          ? `The PKCS#12 uses an encryption that cannot be read here (${message.slice(0, 200)})`
          : 'The PKCS#12 could not be read: it is not a PKCS#12 file, or it is damaged',
    );
  } finally {
    guardedPbe[ACTIVE_BUDGET] = undefined;
  }
  checkBagCount(parsed.safeContents.reduce((count, contents) => count + contents.safeBags.length, 0));

  const keyBags = [
    ...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(parsed.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  if (keyBags.length === 0)
    throw new RuleViolationError('The PKCS#12 holds no private key; for external signing register the certificate alone');
  if (keyBags.length > 1)
    throw new RuleViolationError(`The PKCS#12 holds ${keyBags.length} private keys; export the signatory's one alone`);
  const keyBag = keyBags[0]!;
  if (!keyBag.key) {
    // forge decrypts the bag but parses only RSA keys; any other kind arrives as bare ASN.1.
    throw new RuleViolationError(
      'The PKCS#12 holds a key that is not RSA; the server signs with RSA keys only (register the certificate alone and sign externally)',
    );
  }
  const privateKeyPkcs8 = Buffer.from(
    forge.asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key as forge.pki.rsa.PrivateKey))).getBytes(),
    'binary',
  );

  const certificatePems = (parsed.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [])
    .map((bag) => (bag.cert ? forge.pki.certificateToPem(bag.cert) : rawCertificatePem(bag)))
    .filter((pem): pem is string => pem !== undefined);
  const privateKey = createPrivateKey({ key: privateKeyPkcs8, format: 'der', type: 'pkcs8' });
  const matching = certificatePems.filter((pem) => new X509Certificate(pem).checkPrivateKey(privateKey));
  if (matching.length === 0) throw new RuleViolationError('The PKCS#12 holds no certificate for its private key');
  const certificatePem = matching[0]!;
  return { certificatePem, privateKeyPkcs8, otherCertificatePems: certificatePems.filter((pem) => pem !== certificatePem) };
}

/** forge parses only RSA certificates; one with another key type still comes through as its ASN.1. */
function rawCertificatePem(bag: forge.pkcs12.Bag): string | undefined {
  if (!bag.asn1) return undefined;
  try {
    return new X509Certificate(Buffer.from(forge.asn1.toDer(bag.asn1).getBytes(), 'binary')).toString();
  } catch {
    return undefined;
  }
}
