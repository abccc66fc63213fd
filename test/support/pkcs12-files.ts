import { createCipheriv, pbkdf2Sync } from 'node:crypto';
import * as asn1js from 'asn1js';

/**
 * A PKCS#12 with other iteration counts, made by editing an OpenSSL export's structure: deriving 2^31-1
 * iterations to write one would take as long as the attack it tests. Counts that are not rewritten stay
 * OpenSSL's 2048; a changed file's MAC no longer matches, which does not matter to a file refused before it.
 */
const PBKDF2_PARAMETERS_PATH = [1, 0, 1] as const; // PBES2-params > keyDerivationFunc > PBKDF2-params
export function elements(node: asn1js.AsnType): asn1js.AsnType[] {
  return (node as asn1js.Sequence).valueBlock.value;
}
function octetsOf(node: asn1js.AsnType): Uint8Array {
  return (node as asn1js.OctetString).valueBlock.valueHexView;
}
function decodeDer(bytes: Uint8Array): asn1js.AsnType {
  return asn1js.fromBER(Uint8Array.from(bytes)).result;
}
function setPbkdf2Iterations(algorithm: asn1js.AsnType, iterations: number): void {
  let node = algorithm;
  for (const index of PBKDF2_PARAMETERS_PATH) node = elements(node)[index]!;
  elements(node)[1] = new asn1js.Integer({ value: iterations });
}

interface ModernPkcs12 {
  readonly pfx: asn1js.AsnType;
  /** The certificates' EncryptedData ContentInfo and the key's plain SafeContents, as OpenSSL 3 writes them. */
  readonly certificates: asn1js.AsnType;
  readonly keySafeContents: asn1js.AsnType;
}
export function openModern(der: Buffer): ModernPkcs12 {
  const pfx = decodeDer(der);
  const authenticatedSafe = decodeDer(octetsOf(elements(elements(elements(pfx)[1]!)[1]!)[0]!));
  const [certificates, key] = elements(authenticatedSafe);
  return { pfx, certificates: certificates!, keySafeContents: decodeDer(octetsOf(elements(elements(key!)[1]!)[0]!)) };
}
export const dataContentInfo = (contents: asn1js.AsnType) =>
  new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: contents.toBER() })] }),
    ],
  });
export function closeModern(pfx: asn1js.AsnType, contentInfos: asn1js.AsnType[], keepMac: boolean): Buffer {
  const [version, authSafe, macData] = elements(pfx);
  elements(authSafe!)[1] = dataContentInfo(new asn1js.Sequence({ value: contentInfos })).valueBlock.value[1]!;
  return Buffer.from(new asn1js.Sequence({ value: keepMac ? [version!, authSafe!, macData!] : [version!, authSafe!] }).toBER());
}
const certificateAlgorithm = (certificates: asn1js.AsnType) => elements(elements(elements(elements(certificates)[1]!)[0]!)[1]!)[1]!;
const keyAlgorithm = (keySafeContents: asn1js.AsnType) => elements(elements(elements(elements(keySafeContents)[0]!)[1]!)[0]!)[0]!;

export function withIterations(der: Buffer, counts: { mac?: number; key?: number; certificates?: number }): Buffer {
  const { pfx, certificates, keySafeContents } = openModern(der);
  if (counts.mac !== undefined) elements(elements(pfx)[2]!)[2] = new asn1js.Integer({ value: counts.mac });
  if (counts.key !== undefined) setPbkdf2Iterations(keyAlgorithm(keySafeContents), counts.key);
  if (counts.certificates !== undefined) setPbkdf2Iterations(certificateAlgorithm(certificates), counts.certificates);
  return closeModern(pfx, [certificates, dataContentInfo(keySafeContents)], true);
}

/**
 * The key's SafeContents moved inside an EncryptedData encrypted as OpenSSL encrypts the certificates'
 * (PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC), its shrouded key raised to `keyIterations`: a count
 * nobody can read without the passphrase. Without a MAC, which forge then does not ask for.
 */
export function withKeyInsideEncryptedContents(der: Buffer, passphrase: string, keyIterations: number): Buffer {
  const { pfx, certificates, keySafeContents } = openModern(der);
  setPbkdf2Iterations(keyAlgorithm(keySafeContents), keyIterations);
  const algorithm = certificateAlgorithm(certificates);
  const pbkdf2 = elements(elements(elements(algorithm)[1]!)[0]!)[1]!;
  const salt = octetsOf(elements(pbkdf2)[0]!);
  const iv = octetsOf(elements(elements(elements(algorithm)[1]!)[1]!)[1]!);
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, 2048, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(Buffer.from(keySafeContents.toBER())), cipher.final()]);
  const encryptedContentInfo = elements(elements(elements(certificates)[1]!)[0]!)[1]!;
  const keyContentInfo = new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.6' }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.Integer({ value: 0 }),
              new asn1js.Sequence({
                value: [
                  elements(encryptedContentInfo)[0]!,
                  algorithm,
                  new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: encrypted }),
                ],
              }),
            ],
          }),
        ],
      }),
    ],
  });
  return closeModern(pfx, [certificates, keyContentInfo], false);
}
