import type { Knex } from 'knex';

/**
 * A second factor for signing (TOTP, RFC 6238). `second_factors` holds each user's secret, sealed
 * under the server's secret like private keys, and the last time step a code was accepted for, so a
 * code is good once; `confirmed_at` is null while an enrolment waits for its first code.
 * `recovery_codes` are stored hashed (scrypt), each usable once. `second_factor_attempts` counts wrong
 * codes in the database, so N processes do not give N times the guesses. `account_security_events`
 * is the account-security log: enrolment, disabling, an administrator's reset, a recovery code used.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('second_factors', (table) => {
    table.integer('user_id').primary().references('users.id').onDelete('CASCADE');
    table.text('sealed_secret').notNullable();
    table.string('created_at', 32).notNullable();
    table.string('confirmed_at', 32).nullable();
    table.bigInteger('last_used_step').nullable();
  });
  await knex.schema.createTable('recovery_codes', (table) => {
    table.increments('id').primary();
    table.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    // The code's first group, in clear, to find the one hash to check; the rest is what is secret.
    table.string('selector', 16).notNullable();
    table.text('code_hash').notNullable();
    table.string('used_at', 32).nullable();
    table.index(['user_id', 'selector']);
  });
  await knex.schema.createTable('second_factor_attempts', (table) => {
    table.integer('user_id').primary().references('users.id').onDelete('CASCADE');
    table.integer('failures').notNullable();
    table.string('window_started_at', 32).notNullable();
  });
  await knex.schema.createTable('account_security_events', (table) => {
    table.increments('id').primary();
    table.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.integer('actor_user_id').nullable().references('users.id').onDelete('SET NULL');
    table.string('party_key', 64).notNullable();
    // second-factor.enrolled | second-factor.disabled | second-factor.reset | second-factor.recovery-code-used
    table.string('event', 64).notNullable();
    table.string('at', 32).notNullable();
    table.index(['user_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('account_security_events');
  await knex.schema.dropTableIfExists('second_factor_attempts');
  await knex.schema.dropTableIfExists('recovery_codes');
  await knex.schema.dropTableIfExists('second_factors');
}
