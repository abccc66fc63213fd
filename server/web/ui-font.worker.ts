import { readFileSync } from 'node:fs';
import subsetFont from 'subset-font';
import { outcomeOf, type ThreadOutcome } from '../isolation/bounded-threads.ts';
import { FONT_FILES } from '../pdf/fonts.ts';

/** Runs in a worker thread (see ui-font.ts): the serif cut down to these characters, as WOFF2. */
export default function subsetUiFontInWorker(characters: string): Promise<ThreadOutcome<Uint8Array>> {
  return outcomeOf(async () => new Uint8Array(await subsetFont(readFileSync(FONT_FILES.serif), characters, { targetFormat: 'woff2' })));
}
