import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FONT_FILES } from '../../server/pdf/fonts.ts';

const run = promisify(execFile);
const SCRIPT = path.join(import.meta.dirname, 'libreoffice_uno.py');
/** A conversion or an edit takes a second or two; one that has not answered in this long never will. */
const COMMAND_TIMEOUT_MS = 60_000;

type UnoCommand = 'ready' | 'edit' | 'pdf' | 'tracked-changes';

/**
 * A real LibreOffice, headless, with a private profile under a temporary directory (so it never
 * touches another LibreOffice on the machine) and the serif the PDFs are set in installed in that
 * profile, driven through UNO by test/support/libreoffice_uno.py. Starting it is slow: one per test file.
 */
export class LibreOffice {
  private office: ChildProcess;
  private pipe: string;

  private constructor(readonly directory: string) {
    [this.office, this.pipe] = this.launch();
  }

  static async start(): Promise<LibreOffice> {
    const directory = mkdtempSync(path.join(tmpdir(), 'bilateral-libreoffice-'));
    const fonts = path.join(directory, 'profile', 'user', 'fonts');
    mkdirSync(fonts, { recursive: true });
    for (const file of Object.values(FONT_FILES)) copyFileSync(file, path.join(fonts, path.basename(file)));
    const office = new LibreOffice(directory);
    await office.run('ready', {});
    return office;
  }

  /**
   * Runs one command of the UNO script against this LibreOffice; its JSON answer. When the office
   * process failed rather than the document (no answer in time, the script gone with nothing on
   * stderr, or the office ended: seen twice in full CI runs, on different commands, never with this
   * file alone), the office is started afresh and the command tried once more, so that one bad office
   * process does not fail a check of what Bilateral wrote. A second failure is the test's; a Python
   * error of the script's own (a text not found) is not tried again.
   */
  async uno<T = Record<string, unknown>>(command: Exclude<UnoCommand, 'ready'>, args: Record<string, unknown>): Promise<T> {
    try {
      return await this.run<T>(command, args);
    } catch (error) {
      const { killed, code, signal, stderr } = error as { killed?: boolean; code?: number; signal?: string; stderr?: string };
      const officeEnded = !this.running;
      if (!killed && !officeEnded && stderr?.trim()) throw error;
      console.warn(
        `LibreOffice failed "${command}" (${killed ? 'no answer in time' : `script exit code ${code}, signal ${signal}`}; office ${officeEnded ? 'ended' : 'running'}): starting it again`,
      );
      await this.end();
      [this.office, this.pipe] = this.launch();
      await this.run('ready', {});
      return this.run<T>(command, args);
    }
  }

  /** A path in this LibreOffice's temporary directory. */
  file(name: string): string {
    return path.join(this.directory, name);
  }

  async stop(): Promise<void> {
    await this.end();
    rmSync(this.directory, { recursive: true, force: true });
  }

  private launch(): [ChildProcess, string] {
    const pipe = `bilateral-${process.pid}-${Date.now()}`;
    const office = spawn(
      'soffice',
      [
        '--headless',
        '--invisible',
        '--nologo',
        '--norestore',
        '--nodefault',
        `-env:UserInstallation=file://${path.join(this.directory, 'profile')}`,
        `--accept=pipe,name=${pipe};urp;`,
      ],
      // Its own process group: soffice is a launcher that starts soffice.bin, and end() ends both.
      { stdio: 'ignore', detached: true },
    );
    return [office, pipe];
  }

  private async run<T>(command: UnoCommand, args: Record<string, unknown>): Promise<T> {
    try {
      const { stdout } = await run('/usr/bin/python3', [SCRIPT, this.pipe, command, JSON.stringify(args)], {
        maxBuffer: 16 * 1024 * 1024,
        timeout: COMMAND_TIMEOUT_MS,
      });
      return JSON.parse(stdout) as T;
    } catch (error) {
      // execFile's message already holds the script's stderr; a killed or crashed script has none to say why.
      const { killed, code, signal } = error as { killed?: boolean; code?: number | null; signal?: string | null };
      if (killed) (error as Error).message = `LibreOffice did not answer "${command}" in ${COMMAND_TIMEOUT_MS / 1000} s`;
      else (error as Error).message += `\n(exit code ${code}, signal ${signal})`;
      throw error;
    }
  }

  private get running(): boolean {
    return this.office.exitCode === null && this.office.signalCode === null;
  }

  private async end(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.office.once('exit', resolve));
    process.kill(-this.office.pid!, 'SIGKILL');
    await exited;
  }
}
