import { expect } from 'chai';
import * as scopeApiTokens from '../../db/migrations/20261201020000_scope_api_tokens.ts';
import { insertParty } from '../../db/repositories/parties.repository.ts';
import { insertUser } from '../../db/repositories/users.repository.ts';
import { DEMO_PARTIES, DEMO_USERS } from '../../server/demo/demo-parties.ts';
import { createTestDatabase, TEST_DATABASE_KIND, type TestDatabase } from '../support/database.ts';

const NOW = '2026-01-15T10:00:00.000Z';

describe(`migration: scope API tokens (${TEST_DATABASE_KIND})`, () => {
  let database: TestDatabase;
  afterEach(async () => database?.drop());

  it('when tokens issued before scopes are migrated, then they keep doing what they did: write', async () => {
    database = await createTestDatabase();
    const { db } = database;
    for (const party of DEMO_PARTIES) await insertParty(db, party, NOW);
    const userId = await insertUser(db, { ...DEMO_USERS[0]!, displayName: 'Legal', passwordHash: 'x' }, NOW);
    // Back to the schema before scopes, with a session and a named token of that time.
    await scopeApiTokens.down(db);
    expect(await db.schema.hasColumn('access_tokens', 'scope')).to.equal(false);
    await db('access_tokens').insert([
      { token_hash: 'a'.repeat(64), user_id: userId, created_at: NOW, expires_at: '2027-01-15T10:00:00.000Z', kind: 'api-session' },
      {
        token_hash: 'b'.repeat(64),
        user_id: userId,
        created_at: NOW,
        expires_at: '2027-01-15T10:00:00.000Z',
        kind: 'api-token',
        public_id: 'old',
        name: 'old',
      },
    ]);

    await scopeApiTokens.up(db);

    expect(await db('access_tokens').orderBy('token_hash').select('kind', 'scope')).to.deep.equal([
      { kind: 'api-session', scope: 'write' },
      { kind: 'api-token', scope: 'write' },
    ]);
  });
});
