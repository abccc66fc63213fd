import type { Queryable } from '../connection.ts';
import type { Party, PartyNames } from '../stored-shapes.ts';

interface PartyRow {
  key: string;
  language: Party['language'];
  names: string;
  time_zone: string;
}

const toParty = (row: PartyRow): Party => ({
  key: row.key,
  language: row.language,
  // Checked where the party was added (admin-cli.ts); read back as written.
  names: JSON.parse(row.names) as PartyNames,
  timeZone: row.time_zone,
});

/** Reads one party; undefined when the key is unknown. */
export async function findParty(db: Queryable, key: string): Promise<Party | undefined> {
  const row = await db<PartyRow>('parties').where({ key }).first();
  return row && toParty(row);
}

/** Reads the named parties, in the order asked for. */
export async function findParties(db: Queryable, keys: readonly string[]): Promise<Party[]> {
  const rows = await db<PartyRow>('parties').whereIn('key', [...keys]);
  return keys.flatMap((key) => rows.filter((row) => row.key === key).map(toParty));
}

export async function listParties(db: Queryable): Promise<Party[]> {
  return (await db<PartyRow>('parties').orderBy('key')).map(toParty);
}

/** Inserts a party; the caller's transaction decides when it becomes visible. */
export async function insertParty(db: Queryable, party: Party, now: string): Promise<void> {
  await db('parties').insert({
    key: party.key,
    language: party.language,
    names: JSON.stringify(party.names),
    time_zone: party.timeZone ?? 'UTC',
    created_at: now,
  });
}
