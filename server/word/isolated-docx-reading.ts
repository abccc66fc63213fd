import { boundedThreads } from '../isolation/bounded-threads.ts';
import type { ReadDocx } from './docx-reader.ts';

/**
 * Uploaded Word files are read in bounded worker threads, like uploaded PDFs: DOCX_LIMITS bound what
 * the zip may inflate to, and a thread's heap and time bound what the XML of a hostile file may cost,
 * so no upload holds the server's own thread while other users wait.
 */
const readInThread = boundedThreads<Uint8Array, ReadDocx>(
  new URL('./read-docx.worker.ts', import.meta.url),
  // 256 MB: the 48 MB a file may inflate to, parsed into a DOM, with room to spare.
  { timeMs: 20_000, memoryMb: 256, threads: 2, queued: 8, warmThreads: 0 },
  'Reading the Word file',
);

/** readDocx in a bounded worker thread: the same reading, or a 422 naming the bound a file exceeded. */
export function readDocxIsolated(docx: Uint8Array): Promise<ReadDocx> {
  return readInThread(docx);
}
