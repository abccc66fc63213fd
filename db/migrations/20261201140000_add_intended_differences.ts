import type { Knex } from 'knex';

/**
 * A difference between the languages of a clause that a party's legal staff mark as intended, with
 * their reason. The mark holds for the clause as it reads when it was made (`fingerprint`: the
 * difference and the clause's rendered texts); once the text changes, the difference is new again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('intended_differences', (table) => {
    table.increments('id').primary();
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.string('clause_key', 64).notNullable();
    table.string('rule', 32).notNullable();
    table.string('fingerprint', 64).notNullable();
    table.string('party_key', 64).notNullable().references('parties.key');
    table.integer('user_id').notNullable().references('users.id');
    table.text('reason').notNullable();
    // The agreement version the mark made.
    table.integer('version').notNullable();
    table.string('created_at', 32).notNullable();
    table.unique(['agreement_id', 'clause_key', 'rule', 'fingerprint', 'party_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('intended_differences');
}
