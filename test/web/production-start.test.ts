import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DEMO_PARTIES } from '../../server/demo/demo-parties.ts';
import { ApiClient } from '../support/api-client.ts';
import { startServerProcess } from '../support/server-process.ts';
import { WebClient } from './web-client.ts';

const ADMIN_PASSWORD = 'first administrator 2026';

/** Runs the operator's command line (npm run admin) as a process; the password, if any, piped in. */
function admin(args: readonly string[], env: Record<string, string>, stdin = ''): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/admin-cli.ts', ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdin.end(stdin);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('a start without BILATERAL_DEMO (production, staging): no demo users, the first administrator from the command line, a strong secret', function () {
  this.timeout(120_000);
  let directory: string;
  let env: Record<string, string>;

  before(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'bilateral-production-'));
    // No NODE_ENV either: only BILATERAL_DEMO=1 seeds the demo, whatever else the environment says.
    env = {
      BILATERAL_DEMO: '0',
      DATABASE_URL: `sqlite:${path.join(directory, 'bilateral.sqlite')}`,
      BILATERAL_SECRET: randomBytes(32).toString('hex'),
    };
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('when the operator creates a party and its administrator, then the production server has them and no demo users', async () => {
    const names = path.join(directory, 'sverdlovsk.json');
    writeFileSync(names, JSON.stringify(DEMO_PARTIES[0]!.names));
    const party = await admin(['create-party', '--key', 'sverdlovsk', '--language', 'ru', '--names', names], env);
    expect(party.code, party.output).to.equal(0);
    const user = await admin(
      ['create-user', '--party', 'sverdlovsk', '--email', 'admin@sverdlovsk.example', '--role', 'admin', '--name', 'Pavel Kuznetsov'],
      env,
      `${ADMIN_PASSWORD}\n`,
    );
    expect(user.code, user.output).to.equal(0);
    expect(user.output).to.include('Created admin@sverdlovsk.example, admin of sverdlovsk.').and.not.include(ADMIN_PASSWORD);

    const server = await startServerProcess(env.DATABASE_URL!, env.BILATERAL_SECRET!, env);
    try {
      expect(
        (await new ApiClient(server.baseUrl).post('/api/sessions', { email: 'legal@sverdlovsk.example', password: 'demo' })).status,
      ).to.equal(401);
      const web = new WebClient(server.baseUrl);
      const signIn = await web.postForm(
        '/sign-in',
        { email: 'admin@sverdlovsk.example', password: ADMIN_PASSWORD },
        await web.csrfTokenOf('/sign-in'),
      );
      expect(signIn.status).to.equal(303);
      // In production an administrator must have a second factor (REQUIRE_SECOND_FACTOR's default):
      // the users page first sends the new administrator to enrol one.
      const users = await web.get('/users');
      expect(users.status).to.equal(200);
      expect(users.html).to.include('id="admin-factor-heading"').and.include('href="/account"');
    } finally {
      await server.stop();
    }
  });

  it('when the operator gives a short password, then no user is created', async () => {
    const user = await admin(
      ['create-user', '--party', 'sverdlovsk', '--email', 'legal@sverdlovsk.example', '--role', 'legal', '--name', 'Elena Volkova'],
      env,
      'short\n',
    );
    expect(user.code).to.equal(1);
    expect(user.output).to.include('at least 12 characters');
  });

  for (const [problem, secret] of [
    ['missing', ''],
    ['weak', 'abcdef0123456789'],
  ] as const) {
    it(`when the session secret is ${problem}, then the production server refuses to start`, async () => {
      const error = await startServerProcess(env.DATABASE_URL!, secret, { ...env, BILATERAL_SECRET: secret }).then(
        (server) => server.stop().then(() => undefined),
        (refusal: Error) => refusal,
      );
      expect(error?.message).to.match(/BILATERAL_SECRET is (required|too weak)/);
    });
  }
});
