import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

const MAX_REMEMBERED = 320;
/** Deflated bytes by a hash of the bytes deflated, the one used longest ago first. */
const remembered = new Map<string, Buffer>();

/**
 * `deflateSync` (zlib's default level), remembered by a SHA-256 of the bytes: a new version of an
 * agreement draws most of its pages, and has most of its dictionaries (pages, fonts, structure), as
 * the last one did, and deflating them again was a quarter of a warm rendering. Hashing is a tenth of
 * deflating. Bounded: a page's content is a few kilobytes deflated.
 */
export function rememberedDeflate(bytes: Uint8Array): Buffer {
  const key = createHash('sha256').update(bytes).digest('base64');
  let deflated = remembered.get(key);
  if (deflated === undefined) {
    deflated = deflateSync(bytes);
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  } else remembered.delete(key);
  remembered.set(key, deflated);
  return deflated;
}
