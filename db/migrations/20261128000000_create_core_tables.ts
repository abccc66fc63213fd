import type { Knex } from 'knex';

/** Parties, users, agreements with their versioned text, approvals, comments, originals, signatures, audit and keys. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('parties', (table) => {
    table.string('key', 64).primary();
    table.string('language', 8).notNullable();
    // Names per language, with the grammatical forms the templates need (Russian cases, etc.).
    table.text('names').notNullable();
    table.string('created_at', 32).notNullable();
  });

  await knex.schema.createTable('users', (table) => {
    table.increments('id').primary();
    table.string('email', 254).notNullable().unique();
    table.string('party_key', 64).notNullable().references('parties.key');
    table.string('role', 32).notNullable();
    table.text('display_name').notNullable();
    // The person's name and title per language, for signature blocks.
    table.text('profile').notNullable();
    table.string('password_hash', 255).notNullable();
    table.string('created_at', 32).notNullable();
  });

  await knex.schema.createTable('access_tokens', (table) => {
    table.string('token_hash', 64).primary();
    table.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.string('created_at', 32).notNullable();
    table.string('expires_at', 32).notNullable();
  });

  await knex.schema.createTable('agreements', (table) => {
    table.increments('id').primary();
    table.string('kind', 64).notNullable();
    table.text('title').notNullable();
    table.text('languages').notNullable();
    table.integer('based_on').nullable().references('agreements.id');
    table.string('state', 32).notNullable();
    table.integer('version').notNullable();
    table.integer('machine_version').notNullable();
    table.text('snapshot').notNullable();
    table.integer('created_by').notNullable().references('users.id');
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.index(['state']);
  });

  await knex.schema.createTable('agreement_parties', (table) => {
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.string('party_key', 64).notNullable().references('parties.key');
    table.integer('position').notNullable();
    table.primary(['agreement_id', 'party_key']);
    table.index(['party_key']);
  });

  // The text, append-only: every change writes the whole text (clauses, their translation status,
  // the variables) as a new row at the agreement's new version. Any version can be read back.
  await knex.schema.createTable('text_versions', (table) => {
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.integer('version').notNullable();
    table.text('document').notNullable();
    table.string('content_hash', 64).notNullable();
    table.integer('created_by').notNullable().references('users.id');
    table.string('created_at', 32).notNullable();
    // What changed, for the versions list: {op, clause?, lang?}.
    table.text('change').notNullable();
    table.primary(['agreement_id', 'version']);
  });

  // Approvals bound to the text they approved, for "what changed since I approved".
  await knex.schema.createTable('approvals', (table) => {
    table.increments('id').primary();
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.string('stage', 16).notNullable();
    table.string('party_key', 64).notNullable().references('parties.key');
    table.integer('user_id').notNullable().references('users.id');
    table.integer('version').notNullable();
    table.string('content_hash', 64).notNullable();
    table.string('approved_at', 32).notNullable();
    table.index(['agreement_id', 'user_id']);
  });

  await knex.schema.createTable('comments', (table) => {
    table.increments('id').primary();
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.string('clause_key', 64).notNullable();
    table.string('lang', 8).notNullable();
    table.integer('reply_to').nullable().references('comments.id');
    table.integer('author_id').notNullable().references('users.id');
    table.string('party_key', 64).notNullable().references('parties.key');
    // Internal comments are seen only by the author's party.
    table.boolean('internal').notNullable();
    table.text('body').notNullable();
    table.string('created_at', 32).notNullable();
    table.string('resolved_at', 32).nullable();
    table.integer('resolved_by').nullable().references('users.id');
    table.index(['agreement_id']);
  });

  // Each original (one per party) as a chain of revisions: the frozen final text, then one revision per signature.
  await knex.schema.createTable('originals', (table) => {
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.string('party_key', 64).notNullable().references('parties.key');
    table.integer('revision').notNullable();
    table.string('sha256', 64).notNullable();
    table.binary('pdf').notNullable();
    // Where each party's signature goes in this original (pages and rectangles, JSON).
    table.text('signature_fields').notNullable();
    table.string('created_at', 32).notNullable();
    table.primary(['agreement_id', 'party_key', 'revision']);
    table.index(['sha256']);
  });

  await knex.schema.createTable('signatures', (table) => {
    table.increments('id').primary();
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.string('party_key', 64).notNullable().references('parties.key');
    table.integer('user_id').notNullable().references('users.id');
    table.text('certificate_subject').notNullable();
    table.string('signed_at', 32).notNullable();
    table.unique(['agreement_id', 'party_key']);
  });

  // Append-only: one hash chain per agreement.
  await knex.schema.createTable('audit_events', (table) => {
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.integer('seq').notNullable();
    table.string('at', 32).notNullable();
    table.string('actor', 254).notNullable();
    table.string('party_key', 64).notNullable();
    table.string('role', 32).notNullable();
    // Where the request came from; null for the scheduler and the seed.
    table.string('ip', 64).nullable();
    table.string('user_agent', 512).nullable();
    table.string('event', 64).notNullable();
    table.string('from_state', 32).nullable();
    table.string('to_state', 32).notNullable();
    table.text('detail').nullable();
    table.string('prev_hash', 64).notNullable();
    table.string('hash', 64).notNullable();
    table.primary(['agreement_id', 'seq']);
  });

  // Certificates with their private keys encrypted at rest; a CA per party, a signing key per signatory.
  await knex.schema.createTable('credentials', (table) => {
    table.increments('id').primary();
    table.string('party_key', 64).notNullable().references('parties.key');
    table.integer('user_id').nullable().references('users.id');
    table.string('purpose', 16).notNullable();
    table.text('certificate_pem').notNullable();
    table.text('encrypted_key').notNullable();
    table.string('created_at', 32).notNullable();
    table.unique(['party_key', 'user_id', 'purpose']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'credentials',
    'audit_events',
    'signatures',
    'originals',
    'comments',
    'approvals',
    'text_versions',
    'agreement_parties',
    'agreements',
    'access_tokens',
    'users',
    'parties',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
