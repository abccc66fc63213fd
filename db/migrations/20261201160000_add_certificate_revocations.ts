import type { Knex } from 'knex';

/**
 * Revoked signing certificates, what a party's CA publishes in its CRL and answers over OCSP.
 *
 * One row per revoked credential (a revocation is final): the certificate's serial number (lowercase hex,
 * as the CRL and OCSP name it), when it was revoked, the RFC 5280 reason, and who revoked it and why, as
 * the record of the revocation.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('certificate_revocations', (table) => {
    table.increments('id').primary();
    table.string('party_key', 64).notNullable().references('parties.key');
    table.integer('credential_id').notNullable().references('credentials.id').unique();
    table.string('serial_number', 64).notNullable();
    table.string('revoked_at', 32).notNullable();
    table.string('reason', 32).notNullable();
    // The administrator's e-mail, as the audit trail names actors, and their explanation.
    table.string('revoked_by', 254).notNullable();
    table.text('explanation').notNullable();
    table.index(['party_key', 'serial_number']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('certificate_revocations');
}
