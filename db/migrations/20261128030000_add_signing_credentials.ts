import type { Knex } from 'knex';

/**
 * Certificates a government brings, and signing with a key the server never sees.
 *
 * credentials: a signatory may register several certificates over time (the newest signs), so the
 * one-per-(party, user, purpose) rule goes; a row may hold a certificate without its private key (a
 * signatory who signs externally), and a party may have more trust anchors than its CA ('anchor',
 * no key). The intermediate certificates a PKCS#12 brought are kept beside the signer's certificate.
 *
 * signing_requests: an incremental revision prepared for an external signature, one per (agreement,
 * original, signatory), kept until the signature is embedded and the SIGN event commits.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('credentials', (table) => {
    table.dropUnique(['party_key', 'user_id', 'purpose']);
  });
  await knex.schema.alterTable('credentials', (table) => {
    table.text('encrypted_key').nullable().alter();
    // PEM bundle of issuing certificates between the signer's certificate and a trust anchor; null: none.
    table.text('chain_pem').nullable();
    // Who registered it; null for the demo PKI and rows older than this migration.
    table.integer('created_by').nullable().references('users.id');
    table.index(['user_id', 'purpose']);
    table.index(['party_key', 'purpose']);
  });

  await knex.schema.createTable('signing_requests', (table) => {
    table.increments('id').primary();
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    // Whose original the revision is prepared in.
    table.string('original', 64).notNullable().references('parties.key');
    table.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    // The agreement version and original revision the preparation starts from: a later change makes it stale.
    table.integer('agreement_version').notNullable();
    table.integer('base_revision').notNullable();
    // The claimed signing time (/M) and the certificate that must sign (SHA-256 of its DER, hex).
    table.string('signing_time', 32).notNullable();
    table.string('certificate_sha256', 64).notNullable();
    // The revision with /ByteRange set and an empty /Contents, and the SHA-256 of the bytes it covers.
    table.binary('prepared_pdf').notNullable();
    table.string('digest', 64).notNullable();
    // The revision with the signature embedded, once it has come back and passed the checks.
    table.binary('signed_pdf').nullable();
    table.string('created_at', 32).notNullable();
    table.string('expires_at', 32).notNullable();
    table.unique(['agreement_id', 'original', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('signing_requests');
  // Keyless rows and extra signing certificates cannot survive the older schema.
  await knex('credentials').whereNull('encrypted_key').delete();
  await knex('credentials')
    .whereNotIn('id', knex('credentials').max('id').groupBy('party_key', 'user_id', 'purpose'))
    .delete();
  await knex.schema.alterTable('credentials', (table) => {
    table.dropIndex(['party_key', 'purpose']);
    table.dropIndex(['user_id', 'purpose']);
    table.dropForeign(['created_by']);
    table.dropColumn('created_by');
    table.dropColumn('chain_pem');
  });
  await knex.schema.alterTable('credentials', (table) => {
    table.text('encrypted_key').notNullable().alter();
    table.unique(['party_key', 'user_id', 'purpose']);
  });
}

// SQLite rebuilds the table to change a column, which needs foreign keys off: outside a transaction.
export const config = { transaction: false };
