import type { Knex } from 'knex';
import * as createCoreTables from './20261128000000_create_core_tables.ts';
import * as addLifecycle from './20261128010000_add_lifecycle.ts';

/**
 * Migrations listed in code rather than discovered on disk, so they run the same under tsx, a bundler
 * or compiled output. Append new ones at the end; never rename or reorder.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261128000000_create_core_tables': createCoreTables,
  '20261128010000_add_lifecycle': addLifecycle,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
