import { outcomeOf, type ThreadOutcome } from '../isolation/bounded-threads.ts';
import { readDocx, type ReadDocx } from './docx-reader.ts';

/** Runs in a worker thread (see isolated-docx-reading.ts): one uploaded Word file per call. */
export default function readDocxInWorker(docx: Uint8Array): Promise<ThreadOutcome<ReadDocx>> {
  return outcomeOf(() => readDocx(Buffer.from(docx.buffer, docx.byteOffset, docx.byteLength)));
}
