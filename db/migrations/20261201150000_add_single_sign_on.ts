import type { Knex } from 'knex';

/**
 * Identity as governments run it.
 *
 * - `identity_providers`: a party's OpenID Connect provider (one per party): its issuer, Bilateral's
 *   client id and secret there (the secret sealed under the server's secret, like private keys),
 *   which claim carries the e-mail and which the groups, and how the groups map to roles.
 * - `sso_sign_ins`: an authorization request on its way to the provider and back: the state (as its
 *   hash), the PKCE verifier, the nonce and a hash of the browser's cookie; taken once by the callback.
 * - `users`: the provider's subject a user is bound to (issuer and `sub`), and `disabled_at`, set by
 *   the party's administrator.
 * - `access_tokens`: `last_used_at` for the web session's idle timeout, `authenticated_at` for when the
 *   person last proved who they are (a password, or the provider's `auth_time`).
 * - `rate_limits`: the sign-in throttle and the password counter shared by every server process, in
 *   the shape rate-limiter-flexible's SQLite and PostgreSQL stores use.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('identity_providers', (table) => {
    table.string('party_key', 64).primary().references('parties.key');
    // What the sign-in button names, per language: {"ru": ..., "ko": ..., "en": ...}.
    table.text('labels').notNullable();
    table.string('issuer', 500).notNullable();
    table.string('client_id', 255).notNullable();
    table.text('sealed_client_secret').notNullable();
    table.string('scopes', 255).notNullable();
    table.string('email_claim', 64).notNullable();
    table.string('roles_claim', 64).notNullable();
    // [{"role": "legal", "values": ["bilateral-legal"]}, ...]: the first entry a claim value matches wins.
    table.text('role_mapping').notNullable();
    table.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('sso_sign_ins', (table) => {
    table.string('state_hash', 64).primary();
    table.string('party_key', 64).notNullable().references('parties.key');
    table.string('browser_hash', 64).notNullable();
    table.string('code_verifier', 128).notNullable();
    table.string('nonce', 128).notNullable();
    table.text('next_path').notNullable();
    // A confirmation (prompt=login, max_age=0): the provider must ask the person again.
    table.boolean('fresh').notNullable();
    table.string('expires_at', 32).notNullable().index();
  });
  await knex.schema.alterTable('users', (table) => {
    table.string('sso_issuer', 500).nullable();
    table.string('sso_subject', 255).nullable();
    table.string('disabled_at', 32).nullable();
    table.unique(['sso_issuer', 'sso_subject']);
  });
  await knex.schema.alterTable('access_tokens', (table) => {
    table.string('last_used_at', 32).nullable();
    table.string('authenticated_at', 32).nullable();
  });
  await knex.schema.createTable('rate_limits', (table) => {
    table.string('key', 255).primary();
    table.integer('points').notNullable().defaultTo(0);
    // Milliseconds since the epoch when the window ends; the stores compare it with Date.now().
    table.bigInteger('expire').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('rate_limits');
  // Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): knex would rebuild the tables on SQLite, which the
  // foreign keys of every table that names a user refuse.
  for (const column of ['last_used_at', 'authenticated_at']) await knex.raw(`ALTER TABLE access_tokens DROP COLUMN ${column}`);
  await knex.schema.alterTable('users', (table) => table.dropUnique(['sso_issuer', 'sso_subject']));
  for (const column of ['sso_issuer', 'sso_subject', 'disabled_at']) await knex.raw(`ALTER TABLE users DROP COLUMN ${column}`);
  await knex.schema.dropTableIfExists('sso_sign_ins');
  await knex.schema.dropTableIfExists('identity_providers');
}
