import type { Knex } from 'knex';

/**
 * Obligations a party records against an article of an agreement ("the coordinators meet at least once
 * a year"): who owns it, when it is next due, whether it recurs, and when it was last reminded of.
 *
 * `obligations`: one row per obligation; `due_on` is the occurrence now open (for a recurring one, the
 * `occurrence`-th after `starts_on`), `reminded_for` the `due_on` its reminder went out for, so the
 * scheduler reminds each occurrence once. `obligation_completions`: each occurrence marked done, with
 * its note.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('obligations', (table) => {
    table.increments('id').primary();
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.string('party_key', 64).notNullable().references('parties.key');
    table.string('clause_key', 64).notNullable();
    table.text('text').notNullable();
    table.integer('owner_id').notNullable().references('users.id');
    // YYYY-MM-DD.
    table.string('starts_on', 10).notNullable();
    table.string('recurrence', 16).notNullable();
    table.integer('occurrence').notNullable().defaultTo(0);
    table.string('due_on', 10).nullable();
    table.string('reminded_for', 10).nullable();
    table.string('state', 16).notNullable();
    table.integer('created_by').notNullable().references('users.id');
    table.string('created_at', 32).notNullable();
    table.index(['agreement_id']);
    table.index(['party_key', 'state']);
  });
  await knex.schema.createTable('obligation_completions', (table) => {
    table.increments('id').primary();
    table.integer('obligation_id').notNullable().references('obligations.id').onDelete('CASCADE');
    table.string('due_on', 10).notNullable();
    table.text('note').notNullable();
    table.integer('done_by').notNullable().references('users.id');
    table.string('done_at', 32).notNullable();
    table.unique(['obligation_id', 'due_on']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('obligation_completions');
  await knex.schema.dropTable('obligations');
}
