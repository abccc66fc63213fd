import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/connection.ts';
import { insertParty } from '../../db/repositories/parties.repository.ts';
import { findUserById, insertUser, type User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../../server/agreements/deps.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { DEMO_PARTIES, DEMO_USERS } from '../../server/demo/demo-parties.ts';
import type { Role } from '../../workflows/agreement/agreement.events.ts';
import { startWorkflow } from '../../workflows/agreement/agreement.workflow.ts';

/** Test data for the scheduler and notifications: the demo parties, a user per role, agreements as bare rows. */
export const SETUP_AT = '2027-01-01T00:00:00.000Z';

/**
 * A production-mode configuration (no demo) over the given database, with a fresh secret; `environment`
 * adds the variables a test depends on; the rest defaults.
 */
export function testConfig(databaseUrl: string, environment: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    BILATERAL_SECRET: randomBytes(32).toString('hex'),
    PORT: '0',
    ...environment,
  });
}

/** A clock the test moves by hand; `deps.now` reads it. */
export class TestClock {
  constructor(private current: Date) {}
  now = (): Date => new Date(this.current.getTime());
  advance(ms: number): Date {
    this.current = new Date(this.current.getTime() + ms);
    return this.now();
  }
  set(at: Date): void {
    this.current = at;
  }
}

export function testDeps(db: Database, databaseUrl: string, clock: TestClock, environment: NodeJS.ProcessEnv = {}): UseCaseDeps {
  return { db, config: testConfig(databaseUrl, environment), now: clock.now };
}

/** The two demo parties and, optionally, a third that is party to no agreement here. */
export async function insertParties(db: Database, options: { third?: string } = {}): Promise<void> {
  for (const party of DEMO_PARTIES) await insertParty(db, party, SETUP_AT);
  if (options.third) await insertParty(db, { ...DEMO_PARTIES[0]!, key: options.third }, SETUP_AT);
}

export async function insertTestUser(db: Database, party: string, role: Role, email = `${role}@${party}.test`): Promise<User> {
  const profile = DEMO_USERS[0]!.profile;
  const id = await insertUser(
    db,
    { email, party, role, displayName: `${role} of ${party}`, profile, passwordHash: 'not-a-hash' },
    SETUP_AT,
  );
  return (await findUserById(db, id))!;
}

/** An agreement row between the given parties (drafting), enough for foreign keys and party look-ups. */
export async function insertAgreementRow(
  db: Database,
  createdBy: number,
  parties: readonly string[] = ['sverdlovsk', 'gyeonggi'],
): Promise<number> {
  const [inserted] = await db('agreements')
    .insert({
      kind: 'letter-of-intent',
      title: 'A test agreement',
      languages: JSON.stringify(['ru', 'ko']),
      based_on: null,
      state: 'drafting',
      version: 1,
      machine_version: 1,
      snapshot: JSON.stringify(startWorkflow(parties)),
      created_by: createdBy,
      created_at: SETUP_AT,
      updated_at: SETUP_AT,
    })
    .returning('id');
  const id: number = typeof inserted === 'object' ? inserted.id : inserted;
  await db('agreement_parties').insert(parties.map((party, position) => ({ agreement_id: id, party_key: party, position })));
  return id;
}
