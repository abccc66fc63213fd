import type { Database } from '../../db/connection.ts';
import { listUnindexedAgreements } from '../../db/repositories/agreement-search.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { findAgreementRecord, findTextVersion, loadAgreementSource } from '../agreements/load-agreement.ts';
import { indexAgreementText } from './index-agreement-text.ts';

const BATCH = 100;

/**
 * Indexes the agreements written before the register's index existed (or inserted around the
 * use-cases), a batch per transaction, so a start after the migration finds every agreement. Each
 * agreement is indexed in its own transaction with its text; safe to run from several processes at once.
 * Returns how many it indexed.
 */
export async function indexUnindexedAgreements(deps: Pick<UseCaseDeps, 'db' | 'now'>): Promise<number> {
  const db: Database = deps.db;
  let indexed = 0;
  for (;;) {
    const ids = await listUnindexedAgreements(db, BATCH);
    if (ids.length === 0) return indexed;
    const today = deps.now().toISOString().slice(0, 10);
    for (const id of ids) {
      await db.transaction(async (trx) => {
        const record = await findAgreementRecord(trx, id);
        const text = record && (await findTextVersion(trx, id));
        if (!record || !text) return;
        await indexAgreementText(trx, record, await loadAgreementSource(trx, record, text.text), today);
      });
    }
    indexed += ids.length;
  }
}
