import { boundedThreads } from '../isolation/bounded-threads.ts';
import type { Pkcs12Contents } from './pkcs12.ts';
import type { Pkcs12Reply, Pkcs12Task } from './pkcs12.worker.ts';

/**
 * Uploaded PKCS#12 files are read in a bounded worker thread: node-forge derives their keys in
 * JavaScript, up to about a second for the most iterations pkcs12-limits.ts lets a file ask for, and no
 * upload may hold the server's own thread for that long. Registering a credential is rare, so threads
 * start when needed and stay few.
 */
const readInThread = boundedThreads<Pkcs12Task, Pkcs12Reply>(
  new URL('./pkcs12.worker.ts', import.meta.url),
  // 10 s: the dearest file accepted, a thread's start and a short queue. 256 MB: forge needs a few.
  { timeMs: 10_000, memoryMb: 256, threads: 2, queued: 8, warmThreads: 0 },
  'Reading the PKCS#12',
);

/** readPkcs12 in a bounded worker thread: the same contents or the same 422, or a 422 naming the bound a file exceeded. */
export async function readPkcs12Isolated(pkcs12: Buffer, passphrase: string): Promise<Pkcs12Contents> {
  // A copy of the file's own bytes: a small Buffer is a view of a pool the other thread has no business seeing.
  const reply = await readInThread({ pkcs12: new Uint8Array(pkcs12), passphrase });
  const { privateKeyPkcs8 } = reply;
  return { ...reply, privateKeyPkcs8: Buffer.from(privateKeyPkcs8.buffer, privateKeyPkcs8.byteOffset, privateKeyPkcs8.byteLength) };
}
