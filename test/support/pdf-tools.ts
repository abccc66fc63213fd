import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The independent checkers of what we produce: poppler (pdfsig, pdftotext, pdffonts, pdfinfo), qpdf, NSS certutil. */
export async function tool(command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(command, [...args], { maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number | string };
    if (failed.code === 'ENOENT') throw new Error(`${command} is not installed; run npm run setup`);
    return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: Number(failed.code ?? 1) };
  }
}

/** Writes bytes to a fresh temporary file and returns its path. */
export function tempFile(name: string, bytes: Buffer | string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bilateral-pdf-')), name);
  writeFileSync(file, bytes);
  return file;
}

/** An NSS database that trusts the given CA certificates, for `pdfsig -nssdir`. */
export async function nssDatabaseTrusting(caCertificatesPem: readonly string[]): Promise<string> {
  const directory = mkdtempSync(path.join(tmpdir(), 'bilateral-nss-'));
  const nssdir = `sql:${directory}`;
  await expectOk(tool('certutil', ['-N', '-d', nssdir, '--empty-password']));
  for (const [index, pem] of caCertificatesPem.entries()) {
    const file = path.join(directory, `ca-${index}.pem`);
    writeFileSync(file, pem);
    await expectOk(tool('certutil', ['-A', '-d', nssdir, '-n', `bilateral-ca-${index}`, '-t', 'CT,C,C', '-i', file]));
  }
  return nssdir;
}

async function expectOk(result: Promise<{ code: number; stderr: string }>): Promise<void> {
  const { code, stderr } = await result;
  if (code !== 0) throw new Error(`certutil failed: ${stderr}`);
}

/** pdfsig's report, one object per signature. */
export interface SignatureReport {
  readonly commonName: string;
  readonly subFilter: string;
  readonly valid: boolean;
  readonly trusted: boolean;
  readonly totalDocument: boolean;
}

/**
 * In signing order (by where each signed range ends), as our verifier reports them: pdfsig itself lists
 * the form's fields, and each original lists its own party's field first.
 */
export function parsePdfsig(output: string): SignatureReport[] {
  const signedUntil = (section: string) => Number(/Signed Ranges: .*\[\d+ - (\d+)\]\s*$/m.exec(section)?.[1] ?? Number.MAX_SAFE_INTEGER);
  return output
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .sort((a, b) => signedUntil(a) - signedUntil(b))
    .map((section) => ({
      commonName: /Signer Certificate Common Name: (.*)/.exec(section)?.[1]?.trim() ?? '',
      subFilter: /Signature Type: (.*)/.exec(section)?.[1]?.trim() ?? '',
      valid: /Signature Validation: Signature is Valid\./.test(section),
      trusted: /Certificate Validation: Certificate is Trusted\./.test(section),
      totalDocument: /Total document signed/.test(section) && !/Not total document signed/.test(section),
    }));
}

/** What LibreOffice says of each file's signatures, in file order: through UNO (python3-uno), with a fresh profile. */
export async function libreOfficeSignatures(files: readonly string[]): Promise<{ valid: boolean; partial: boolean }[][]> {
  const profile = mkdtempSync(path.join(tmpdir(), 'bilateral-lo-'));
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'libreoffice-signatures.py');
  const { stdout, stderr, code } = await tool('/usr/bin/python3', [script, profile, ...files]).finally(() =>
    rmSync(profile, { recursive: true, force: true }),
  );
  if (code !== 0) throw new Error(`LibreOffice could not check the signatures: ${stderr}`);
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}
