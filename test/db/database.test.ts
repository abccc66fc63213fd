import { expect } from 'chai';
import { migrationSource } from '../../db/migrations/index.ts';
import { bumpAgreementVersion, findAgreement, insertAgreement } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry, auditHash, listAuditEntries } from '../../db/repositories/audit.repository.ts';
import { findAgreementTitles, replaceSearchIndex } from '../../db/repositories/agreement-search.repository.ts';
import { insertParty } from '../../db/repositories/parties.repository.ts';
import { insertSignature } from '../../db/repositories/signatures.repository.ts';
import { insertUser } from '../../db/repositories/users.repository.ts';
import { DEMO_PARTIES, DEMO_USERS } from '../../server/demo/demo-parties.ts';
import { findKind } from '../../server/text/clause-library.ts';
import { startWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import { createTestDatabase, TEST_DATABASE_KIND, type TestDatabase } from '../support/database.ts';

const NOW = '2026-01-15T10:00:00.000Z';

describe(`database (${TEST_DATABASE_KIND})`, () => {
  let database: TestDatabase;
  let agreementId: number;

  beforeEach(async () => {
    database = await createTestDatabase();
    const { db } = database;
    for (const party of DEMO_PARTIES) await insertParty(db, party, NOW);
    const userId = await insertUser(db, { ...DEMO_USERS[0]!, displayName: 'Legal', passwordHash: 'x' }, NOW);
    const kind = findKind('letter-of-intent')!;
    agreementId = await insertAgreement(db, {
      kind: kind.kind,
      title: 'A test agreement',
      languages: ['ru', 'ko'],
      basedOn: null,
      state: 'drafting',
      workflow: startWorkflow(['sverdlovsk', 'gyeonggi']),
      parties: ['sverdlovsk', 'gyeonggi'],
      createdBy: userId,
      createdAt: NOW,
      updatedAt: NOW,
    });
  });
  afterEach(async () => database?.drop());

  it('when the migrations are rolled back and run again, then the schema comes back whole', async () => {
    const { db } = database;
    await db.migrate.rollback({ migrationSource }, true);
    expect(await db.schema.hasTable('agreements')).to.equal(false);
    await db.migrate.latest({ migrationSource });
    for (const table of [
      'parties',
      'users',
      'agreements',
      'text_versions',
      'approvals',
      'comments',
      'originals',
      'signatures',
      'audit_events',
      'credentials',
    ]) {
      expect(await db.schema.hasTable(table), table).to.equal(true);
    }
  });

  it('when an agreement is written and read back, then its JSON columns and parties come back as they were', async () => {
    const record = await findAgreement(database.db, agreementId);
    expect(record).to.include({ kind: 'letter-of-intent', state: 'drafting', version: 1 });
    expect(record!.parties).to.deep.equal(['sverdlovsk', 'gyeonggi']);
    expect(record!.languages).to.deep.equal(['ru', 'ko']);
    expect(record!.workflow).to.deep.equal(JSON.parse(JSON.stringify(startWorkflow(['sverdlovsk', 'gyeonggi']))));
  });

  it('when two changes race from the same version, then exactly one is applied', async () => {
    const { db } = database;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => db.transaction((trx) => bumpAgreementVersion(trx, agreementId, 1, { updatedAt: NOW }))),
    );
    expect(results.filter(Boolean)).to.have.length(1);
    expect((await findAgreement(db, agreementId))!.version).to.equal(2);
  });

  it('when audit entries are appended, then each links to the previous one and its hash covers its fields', async () => {
    const { db } = database;
    const entry = {
      agreementId,
      at: NOW,
      by: { email: 'legal@sverdlovsk.example', party: 'sverdlovsk', role: 'legal', ip: '127.0.0.1' },
      detail: null,
    };
    await appendAuditEntry(db, { ...entry, event: 'CREATE', from: null, to: 'drafting' });
    await appendAuditEntry(db, { ...entry, event: 'SUBMIT', from: 'drafting', to: 'review' });
    const [first, second] = await listAuditEntries(db, agreementId);
    expect(first!).to.include({ seq: 1, actor: 'legal@sverdlovsk.example', ip: '127.0.0.1', userAgent: null });
    expect(first!.prevHash).to.equal('0'.repeat(64));
    expect(second!.prevHash).to.equal(first!.hash);
    const { hash, ...fields } = second!;
    expect(auditHash(fields)).to.equal(hash);
    expect(auditHash({ ...fields, to: 'executed' })).to.not.equal(hash);
  });

  it('when the parties sign, then the agreement holds the last signature’s time only once both have, and the migration computes it for earlier ones', async () => {
    const { db } = database;
    const signedAt = async () => (await db('agreements').where({ id: agreementId }).first('signed_at')).signed_at;
    const signature = (party: string, at: string) => ({ party, userId: 1, certificateSubject: `CN=${party}`, signedAt: at });
    await insertSignature(db, agreementId, signature('sverdlovsk', '2026-01-20T09:00:00.000Z'));
    expect(await signedAt(), 'one of two parties').to.equal(null);
    await insertSignature(db, agreementId, signature('gyeonggi', '2026-01-21T09:00:00.000Z'));
    expect(await signedAt()).to.equal('2026-01-21T09:00:00.000Z');

    // Signed before the column existed: rolled back and migrated again, it is computed from the signatures.
    await db.migrate.down({ migrationSource, name: '20261202160000_add_signed_at' });
    expect(await db.schema.hasColumn('agreements', 'signed_at')).to.equal(false);
    await db.migrate.latest({ migrationSource });
    expect(await signedAt()).to.equal('2026-01-21T09:00:00.000Z');
  });

  it('when an agreement is indexed, then it has a title in every reader language to sort by, and readers still get only its text’s own', async () => {
    const { db } = database;
    const sortTitles = async () =>
      (await db('agreement_titles').where({ agreement_id: agreementId }).orderBy('lang').select('lang', 'title', 'from_text')).map(
        (row) => [row.lang, row.title, Boolean(row.from_text)],
      );
    const expected = [
      ['en', 'A test agreement', false],
      ['ko', '의향서', true],
      ['ru', 'Письмо о намерениях', true],
    ];
    await replaceSearchIndex(db, agreementId, { entries: [], titles: { ru: 'Письмо о намерениях', ko: '의향서' } });
    expect(await sortTitles()).to.deep.equal(expected);
    expect([...(await findAgreementTitles(db, [agreementId])).get(agreementId)!.keys()].sort()).to.deep.equal(['ko', 'ru']);

    // Indexed before the column existed (only the text's languages): the migration adds the others.
    await db.migrate.down({ migrationSource, name: '20261202170000_complete_agreement_titles' });
    await db('agreement_titles').where({ agreement_id: agreementId, lang: 'en' }).delete();
    await db.migrate.latest({ migrationSource });
    expect(await sortTitles()).to.deep.equal(expected);
  });
});
