import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrateToLatest, type Database } from '../../db/connection.ts';
import { migrationSource } from '../../db/migrations/index.ts';
import { insertAgreement } from '../../db/repositories/agreements.repository.ts';
import { insertParty } from '../../db/repositories/parties.repository.ts';
import { listTextVersions, type TextVersion } from '../../db/repositories/text-versions.repository.ts';
import { findUserByEmail, insertUser, type User } from '../../db/repositories/users.repository.ts';
import { contentHash, writeClauseLanguage, type AgreementText } from '../../server/agreements/agreement-text.ts';
import { addClause } from '../../server/agreements/add-clause.ts';
import { findTextVersion } from '../../server/agreements/load-agreement.ts';
import { confirmTranslation } from '../../server/agreements/confirm-translation.ts';
import { createAgreement } from '../../server/agreements/create-agreement.ts';
import { editClause, replaceClause } from '../../server/agreements/edit-clause.ts';
import { updateVariables } from '../../server/agreements/update-variables.ts';
import { DEMO_PARTIES, DEMO_USERS } from '../../server/demo/demo-parties.ts';
import { startWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import { createTestDatabase, TEST_DATABASE_KIND } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const SHARE_CLAUSE_TEXTS = '20261201030000_share_clause_texts';
const EDITS = 20;

/**
 * A clause of about 1.9 KB (Cyrillic is two bytes a letter), different at every edit, written as the
 * desk stores it (no space before the closing tag), so its bytes are the bytes stored.
 */
const longClause = (edit: number) =>
  `<p>Редакция ${edit}. ${'Стороны развивают сотрудничество в области экономики, науки и культуры. '.repeat(13).trimEnd()}</p>`;

async function clauseTextBytes(db: Database): Promise<{ rows: number; bytes: number }> {
  const texts: string[] = await db('clause_texts').pluck('text');
  return { rows: texts.length, bytes: texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) };
}

/** The SQL a piece of work sends, to show what it reads. */
async function queriesOf(db: Database, work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const listener = (query: Knex.Sql) => sent.push(query.sql);
  db.on('query', listener);
  try {
    await work();
  } finally {
    db.off('query', listener);
  }
  return sent;
}

describe(`text versions (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let legal: User;

  before(async () => {
    server = await startTestServer();
    legal = (await findUserByEmail(server.db, 'legal@sverdlovsk.example'))!;
  });
  after(async () => server?.close());

  it('when one clause is edited N times, then clause_texts grows by those N texts and each version by a manifest that holds no text', async () => {
    const { db } = server.deps;
    const created = await createAgreement(server.deps, legal, { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] });
    const first = (await findTextVersion(db, created.id))!;
    const storedBefore = await clauseTextBytes(db);

    let expected: AgreementText = first.text;
    const written: TextVersion[] = [first];
    for (let edit = 1; edit <= EDITS; edit += 1) {
      const input = { lang: 'ru' as const, text: longClause(edit), as: 'translation' as const, expectedVersion: written.at(-1)!.version };
      await editClause(server.deps, legal, created.id, 'purpose', input);
      expected = replaceClause(expected, 'purpose', (clause) => writeClauseLanguage(clause, 'ru', input.text, 'translation'));
      written.push((await findTextVersion(db, created.id))!);
    }

    const storedAfter = await clauseTextBytes(db);
    const editedBytes = Array.from({ length: EDITS }, (_, index) => Buffer.byteLength(longClause(index + 1))).reduce(
      (sum, bytes) => sum + bytes,
    );
    expect(storedAfter.rows - storedBefore.rows).to.equal(EDITS);
    expect(storedAfter.bytes - storedBefore.bytes).to.equal(editedBytes);

    const manifests: string[] = await db('text_versions').where({ agreement_id: created.id }).orderBy('version').pluck('manifest');
    expect(manifests).to.have.length(EDITS + 1);
    const wholeText = JSON.stringify(written.at(-1)!.text).length;
    for (const manifest of manifests) {
      expect(manifest).to.not.include('Редакция');
      // The manifest's size is the agreement's shape (clauses, languages, statuses), not its texts.
      expect(Math.abs(manifest.length - manifests[0]!.length)).to.be.below(16);
      expect(manifest.length).to.be.below(wholeText / 3);
    }

    // Rebuilt exactly: the text the use-cases computed, and the hash recorded when it was written.
    const latest = written.at(-1)!;
    expect(latest.text).to.deep.equal(expected);
    expect(contentHash(latest.text)).to.equal(latest.contentHash);
    const middle = (await findTextVersion(db, created.id, written[EDITS / 2]!.version))!;
    expect(middle.text.clauses.find((clause) => clause.key === 'purpose')!.languages.ru!.text).to.equal(longClause(EDITS / 2));
    expect(contentHash(middle.text)).to.equal(middle.contentHash);
  });

  it('when the versions are listed page by page, then no text is read and the pages hold every version once, newest first', async () => {
    const { db } = server.deps;
    const created = await createAgreement(server.deps, legal, { kind: 'memorandum' });
    let version = created.version;
    for (let edit = 1; edit <= 9; edit += 1) {
      version = (
        await editClause(server.deps, legal, created.id, 'purpose', {
          lang: 'ru',
          text: `<p>Редакция ${edit}.</p>`,
          expectedVersion: version,
        })
      ).version;
    }

    const pages: number[][] = [];
    const sql = await queriesOf(db, async () => {
      for (let before: number | undefined; pages.length === 0 || before !== undefined; ) {
        const page = await listTextVersions(db, created.id, { limit: 4, before });
        for (const entry of page) expect(entry).to.have.all.keys('version', 'contentHash', 'createdBy', 'createdAt', 'change');
        pages.push(page.map((entry) => entry.version));
        before = page.length === 4 ? page.at(-1)!.version : undefined;
      }
    });

    expect(pages).to.deep.equal([
      [10, 9, 8, 7],
      [6, 5, 4, 3],
      [2, 1],
    ]);
    expect(sql).to.have.length(3);
    for (const statement of sql) expect(statement).to.not.match(/manifest|clause_texts/);
  });

  it('when a database written before clause texts were shared is migrated, then every version rebuilds as it was, and rolling back restores the documents', async () => {
    // Texts as the use-cases make them: created, edited, confirmed, extended, re-filled.
    const created = await createAgreement(server.deps, legal, { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] });
    let version = (
      await editClause(server.deps, legal, created.id, 'purpose', {
        lang: 'ko',
        text: '<p>새로운 목적.</p>',
        expectedVersion: created.version,
      })
    ).version;
    version = (await confirmTranslation(server.deps, legal, created.id, 'purpose', { lang: 'ru', expectedVersion: version })).version;
    version = (
      await addClause(server.deps, legal, created.id, { lang: 'en', text: '<p>A clause written fresh.</p>', expectedVersion: version })
    ).version;
    await updateVariables(server.deps, legal, created.id, { variables: { termYears: 7 }, expectedVersion: version });
    const versions = (await listTextVersions(server.db, created.id, { limit: 200 })).reverse();
    const history = await Promise.all(versions.map(async ({ version: at }) => (await findTextVersion(server.db, created.id, at))!));

    const database = await createTestDatabase();
    try {
      const { db } = database;
      await db.migrate.down({ migrationSource, name: SHARE_CLAUSE_TEXTS });
      expect(await db.schema.hasTable('clause_texts')).to.equal(false);
      const agreementId = await insertOldAgreement(db);
      // The rows exactly as the code before this migration wrote them: the whole text in `document`.
      const documents = history.map((entry) => JSON.stringify(entry.text));
      await db('text_versions').insert(
        history.map((entry, index) => ({
          agreement_id: agreementId,
          version: entry.version,
          document: documents[index],
          content_hash: entry.contentHash,
          created_by: 1,
          created_at: entry.createdAt,
          change: JSON.stringify(entry.change),
        })),
      );

      await migrateToLatest(db);

      expect(await db.schema.hasColumn('text_versions', 'document')).to.equal(false);
      for (const entry of history) {
        const rebuilt = (await findTextVersion(db, agreementId, entry.version))!;
        expect(rebuilt.text, `version ${entry.version}`).to.deep.equal(entry.text);
        expect(rebuilt).to.include({ version: entry.version, contentHash: entry.contentHash, createdAt: entry.createdAt });
        expect(contentHash(rebuilt.text)).to.equal(entry.contentHash);
      }
      expect((await listTextVersions(db, agreementId, { limit: 200 })).map((entry) => entry.version)).to.deep.equal(
        history.map((entry) => entry.version).reverse(),
      );

      await db.migrate.down({ migrationSource, name: SHARE_CLAUSE_TEXTS });
      expect(await db('text_versions').where({ agreement_id: agreementId }).orderBy('version').pluck('document')).to.deep.equal(documents);
    } finally {
      await database.drop();
    }
  });
});

/** The demo parties, one user and an agreement, written with the repositories into a database one migration behind. */
async function insertOldAgreement(db: Database): Promise<number> {
  const at = '2026-01-15T10:00:00.000Z';
  for (const party of DEMO_PARTIES) await insertParty(db, party, at);
  const userId = await insertUser(db, { ...DEMO_USERS[0]!, displayName: 'Legal', passwordHash: 'x' }, at);
  expect(userId).to.equal(1);
  return insertAgreement(db, {
    kind: 'cooperation-agreement',
    title: 'An agreement from before the migration',
    languages: ['ru', 'ko', 'en'],
    basedOn: null,
    state: 'drafting',
    workflow: startWorkflow(['sverdlovsk', 'gyeonggi']),
    parties: ['sverdlovsk', 'gyeonggi'],
    createdBy: userId,
    createdAt: at,
    updatedAt: at,
  });
}
