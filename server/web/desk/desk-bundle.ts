import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { RequestHandler } from 'express';

const ENTRY = fileURLToPath(new URL('./desk-editor.client.ts', import.meta.url));

interface Bundle {
  readonly code: string;
  readonly etag: string;
}

let bundle: Promise<Bundle> | undefined;

/**
 * The drafting desk's editor (ProseMirror and the desk's own code), bundled by esbuild in memory the
 * first time it is asked for and kept for the life of the process: nothing generated is committed or
 * written to disk, and a fresh clone serves it after `npm ci` alone. Everything comes from node_modules;
 * nothing is fetched.
 */
export function deskBundle(): Promise<Bundle> {
  bundle ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((result) => {
    const code = result.outputFiles[0]!.text;
    return { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` };
  });
  // A failed build is not kept: the next request tries again (and the error is logged as a 500).
  bundle.catch(() => {
    bundle = undefined;
  });
  return bundle;
}

/** GET /assets/desk.js */
export const serveDeskBundle: RequestHandler = async (request, response) => {
  const { code, etag } = await deskBundle();
  response.set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600', ETag: etag });
  if (request.get('if-none-match') === etag) return response.status(304).end();
  response.send(code);
};
