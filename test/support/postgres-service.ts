import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The machine's PostgreSQL cluster, for the fault tests that restart it (root, Debian's
 * pg_ctlcluster; CI machines of this project run PostgreSQL that way, see .ci/run).
 */
function cluster(): [version: string, name: string] {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length !== 1) throw new Error(`expected one PostgreSQL version in /etc/postgresql, found: ${versions.join(', ')}`);
  return [versions[0]!, 'main'];
}

async function pgctl(action: 'start' | 'restart'): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', ...cluster(), action], { timeout: 120_000 });
}

export async function isPostgresReady(): Promise<boolean> {
  try {
    await run('pg_isready', ['-h', '127.0.0.1', '-p', '5432'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Waits until PostgreSQL accepts connections, at most `timeoutMs`; true when it does. */
export async function waitForPostgres(timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let tries = 0; tries < 600 && Date.now() < deadline; tries += 1) {
    if (await isPostgresReady()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** Restarts the cluster (a fast shutdown: open connections are terminated) and waits until it is back. */
export async function restartPostgres(): Promise<void> {
  await pgctl('restart');
  if (!(await waitForPostgres())) throw new Error('PostgreSQL did not come back after the restart');
}

/** Leaves PostgreSQL running, whatever a test did to it: starts it if it is down. */
export async function ensurePostgresRunning(): Promise<void> {
  if (await isPostgresReady()) return;
  await pgctl('start').catch(() => undefined); // "already running" while it is still starting up is fine
  if (!(await waitForPostgres())) throw new Error('PostgreSQL is down and could not be started');
}
