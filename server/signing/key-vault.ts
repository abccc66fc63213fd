import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Private keys at rest: AES-256-GCM under the server's secret, with a fresh nonce per key and the
 * key's owner bound in as associated data, so a ciphertext moved to another owner does not decrypt.
 * Stored as "v1.<nonce>.<tag>.<ciphertext>", base64url.
 */
const FORMAT = 'v1';

export function sealPrivateKey(secret: Buffer, owner: string, privateKey: Buffer): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secret, nonce).setAAD(Buffer.from(owner));
  const ciphertext = Buffer.concat([cipher.update(privateKey), cipher.final()]);
  return [FORMAT, nonce, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function openPrivateKey(secret: Buffer, owner: string, sealed: string): Buffer {
  const [format, nonce, tag, ciphertext] = sealed.split('.');
  if (format !== FORMAT || !nonce || !tag || !ciphertext) throw new Error(`sealed key for ${owner} is not in ${FORMAT} format`);
  const decipher = createDecipheriv('aes-256-gcm', secret, Buffer.from(nonce, 'base64url'))
    .setAAD(Buffer.from(owner))
    .setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
}
