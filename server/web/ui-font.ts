import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { boundedThreads } from '../isolation/bounded-threads.ts';

/**
 * The pages' own font: the serif the PDFs embed (Noto Serif KR: Latin, Cyrillic, Hangul), cut down to the
 * characters the interface itself writes (every message of the three catalogues and the clause library's
 * titles and headings) plus ASCII and the Russian alphabet. About 100 KB as WOFF2 instead of 14 MB, so the
 * layout preloads it and app.css lets the browser wait for it (font-display: block): a computer without a
 * Korean font shows the Korean sign-in page in it at once, never □□□ first. Anything else (a title, a
 * comment) that the subset lacks falls through to the whole font, as before.
 *
 * Made with harfbuzz's subsetter (subset-font) once per process, at the first request or when the
 * server warms it up after listening; nothing generated is committed. It is made in a worker thread:
 * the subsetter's WebAssembly memory grows to hold the 14 MB font and never shrinks, so it goes with
 * the thread, which ends a second after, instead of staying in the server's own heap for good.
 */
export const UI_FONT_URL = '/assets/fonts/bilateral-ui.woff2';

const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

/** The characters the subset holds, sorted: what the interface can write. */
export function uiFontCharacters(): string {
  const characters = new Set<string>();
  const add = (text: string) => {
    for (const character of text) characters.add(character);
  };
  for (let code = 0x20; code < 0x7f; code++) add(String.fromCodePoint(code));
  for (let code = 0x410; code < 0x450; code++) add(String.fromCodePoint(code));
  add('ЁёІі«»„“”‘’–—…№·•→←↑↓✓✗□ ');
  for (const file of readdirSync(path.join(TEMPLATES, 'locales'))) add(readFileSync(path.join(TEMPLATES, 'locales', file), 'utf8'));
  for (const clause of readdirSync(path.join(TEMPLATES, 'clauses'))) {
    for (const file of readdirSync(path.join(TEMPLATES, 'clauses', clause)))
      add(readFileSync(path.join(TEMPLATES, 'clauses', clause, file), 'utf8'));
  }
  return [...characters]
    .filter((character) => /[\p{L}\p{N}\p{P}\p{S}\p{Zs}]/u.test(character))
    .sort()
    .join('');
}

const subsetInThread = boundedThreads<string, Uint8Array>(
  new URL('./ui-font.worker.ts', import.meta.url),
  { timeMs: 120_000, memoryMb: 512, threads: 1, queued: 8, warmThreads: 0, idleMs: 1000 },
  'Making the pages’ font',
);

let made: Promise<{ readonly bytes: Buffer; readonly etag: string }> | undefined;

/** The subset as WOFF2 with its entity tag; made once per process (a few seconds), then the same bytes. */
export function uiFont(): Promise<{ readonly bytes: Buffer; readonly etag: string }> {
  made ??= subsetInThread(uiFontCharacters()).then((subset) => {
    // An Uint8Array arrives from another thread; the pages send a Buffer.
    const bytes = Buffer.from(subset.buffer, subset.byteOffset, subset.byteLength);
    return { bytes, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"` };
  });
  // A failure is not remembered: the next request tries again.
  made.catch(() => {
    made = undefined;
  });
  return made;
}
