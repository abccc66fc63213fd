import type { Knex } from 'knex';

/**
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0), and a second factor proven for a session.
 *
 * - `access_tokens.sso_sid`: the provider's session (`sid` of the ID token) a web session was started
 *   from, so a logout token naming that session ends exactly the sessions it began.
 * - `sso_logout_tokens`: the logout tokens accepted (their `jti`, as a hash, with the issuer), kept
 *   until they could no longer be accepted anyway, so a replayed token is refused in every process.
 * - `access_tokens.second_factor_at`: when the session's user last gave a code to administer users
 *   (an administrator whose role must have a second factor gives one every 15 minutes).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('access_tokens', (table) => {
    table.string('sso_sid', 255).nullable().index();
    table.string('second_factor_at', 32).nullable();
  });
  await knex.schema.createTable('sso_logout_tokens', (table) => {
    table.string('jti_hash', 64).primary();
    table.string('party_key', 64).notNullable().references('parties.key');
    table.string('expires_at', 32).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sso_logout_tokens');
  await knex.schema.alterTable('access_tokens', (table) => table.dropIndex(['sso_sid']));
  // Plain DROP COLUMN: knex would rebuild the table on SQLite.
  for (const column of ['sso_sid', 'second_factor_at']) await knex.raw(`ALTER TABLE access_tokens DROP COLUMN ${column}`);
}
