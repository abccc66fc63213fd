import type { Knex } from 'knex';

// Placeholder reserved for work in progress; filled in by its change.
export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}
