import { migrateToLatest, openDatabase } from '../db/connection.ts';
import { listAgreementIds } from '../db/repositories/agreements.repository.ts';
import { verifyAgreementAudit } from './agreements/verify-audit.ts';
import { loadConfig } from './config.ts';

/**
 * `npm run audit:verify [agreement id ...]`: recomputes the audit hash chain of the named agreements
 * (all of them by default) on the configured database and names the first broken entry of each.
 * Exits 1 when any chain is broken.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const requested = process.argv
      .slice(2)
      .map(Number)
      .filter((id) => Number.isInteger(id) && id > 0);
    const ids: number[] = requested.length > 0 ? requested : await listAgreementIds(db);
    let broken = 0;
    for (const id of ids) {
      const result = await verifyAgreementAudit(db, id);
      if (result.valid) {
        console.log(`agreement ${id}: ${result.entries} entries, chain intact (last ${result.lastHash?.slice(0, 16) ?? '-'}…)`);
      } else {
        broken += 1;
        console.log(`agreement ${id}: BROKEN at entry ${result.firstBadSeq} (${result.problem}): ${result.detail}`);
      }
    }
    console.log(`${ids.length - broken} intact, ${broken} broken`);
    process.exitCode = broken > 0 ? 1 : 0;
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
