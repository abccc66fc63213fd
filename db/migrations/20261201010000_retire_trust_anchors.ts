import { X509Certificate } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * A CA certificate belongs to one party, and an anchor is retired rather than deleted.
 *
 * anchor_sha256: the SHA-256 of a CA certificate's DER on the row that is a party's claim on it (its demo
 * CA or a registered anchor), under a unique index, so two administrators registering the same CA at
 * once cannot both win. Null for signing certificates, and for an anchor that repeated a certificate
 * another party had registered before this migration: that row stays for the record, trusted by nobody.
 *
 * retired_at / retired_by / retired_reason: who retired an anchor, when and why. A retired anchor still
 * attributes signatures made before it was retired and no longer trusts later ones.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('credentials', (table) => {
    table.string('anchor_sha256', 64).nullable();
    table.string('retired_at', 32).nullable();
    // The administrator's e-mail, as the audit trail names actors.
    table.string('retired_by', 254).nullable();
    table.text('retired_reason').nullable();
  });

  const now = new Date().toISOString();
  const claimedBy = new Map<string, string>();
  const anchors = await knex('credentials')
    .whereIn('purpose', ['ca', 'anchor'])
    .whereNull('user_id')
    .orderBy('id')
    .select('id', 'party_key', 'certificate_pem');
  for (const anchor of anchors) {
    const sha256 = new X509Certificate(anchor.certificate_pem).fingerprint256.replace(/:/g, '').toLowerCase();
    const owner = claimedBy.get(sha256);
    if (owner === undefined) {
      claimedBy.set(sha256, anchor.party_key);
      await knex('credentials').where({ id: anchor.id }).update({ anchor_sha256: sha256 });
    } else {
      await knex('credentials')
        .where({ id: anchor.id })
        .update({ retired_at: now, retired_reason: `The same CA certificate was registered by ${owner} first; a CA belongs to one party` });
    }
  }

  await knex.schema.alterTable('credentials', (table) => {
    table.unique(['anchor_sha256']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('credentials', (table) => {
    table.dropUnique(['anchor_sha256']);
  });
  // Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): knex would rebuild the table on SQLite.
  for (const column of ['retired_reason', 'retired_by', 'retired_at', 'anchor_sha256']) {
    await knex.raw('ALTER TABLE credentials DROP COLUMN ??', [column]);
  }
}
