import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FONT_FILES } from '../../server/pdf/fonts.ts';

const run = promisify(execFile);
const SCRIPT = path.join(import.meta.dirname, 'libreoffice_uno.py');

/**
 * A real LibreOffice, headless, with a private profile under a temporary directory (so it never
 * touches another LibreOffice on the machine) and the serif the PDFs are set in installed in that
 * profile, driven through UNO by test/support/libreoffice_uno.py. Starting it is slow: one per test file.
 */
export class LibreOffice {
  private constructor(
    private readonly process: ChildProcess,
    private readonly pipe: string,
    readonly directory: string,
  ) {}

  static async start(): Promise<LibreOffice> {
    const directory = mkdtempSync(path.join(tmpdir(), 'bilateral-libreoffice-'));
    const fonts = path.join(directory, 'profile', 'user', 'fonts');
    mkdirSync(fonts, { recursive: true });
    for (const file of Object.values(FONT_FILES)) copyFileSync(file, path.join(fonts, path.basename(file)));
    const pipe = `bilateral-${process.pid}-${Date.now()}`;
    const office = spawn(
      'soffice',
      [
        '--headless',
        '--invisible',
        '--nologo',
        '--norestore',
        '--nodefault',
        `-env:UserInstallation=file://${path.join(directory, 'profile')}`,
        `--accept=pipe,name=${pipe};urp;`,
      ],
      // Its own process group: soffice is a launcher that starts soffice.bin, and stop() ends both.
      { stdio: 'ignore', detached: true },
    );
    return new LibreOffice(office, pipe, directory);
  }

  /** Runs one command of the UNO script against this LibreOffice; its JSON answer. */
  async uno<T = Record<string, unknown>>(command: 'edit' | 'pdf' | 'tracked-changes', args: Record<string, unknown>): Promise<T> {
    const { stdout } = await run('/usr/bin/python3', [SCRIPT, this.pipe, command, JSON.stringify(args)], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
    return JSON.parse(stdout) as T;
  }

  /** A path in this LibreOffice's temporary directory. */
  file(name: string): string {
    return path.join(this.directory, name);
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      process.kill(-this.process.pid!, 'SIGTERM');
      await exited;
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}
