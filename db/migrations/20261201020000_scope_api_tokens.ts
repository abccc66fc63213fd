import type { Knex } from 'knex';

/**
 * What a token may do: `read` (GET and HEAD only) or `write` (whatever the user's role allows).
 * Sessions and the API tokens issued before scopes existed could do everything, so they are `write`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('access_tokens', (table) => {
    table.string('scope', 8).notNullable().defaultTo('write');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('access_tokens', (table) => {
    table.dropColumn('scope');
  });
}
