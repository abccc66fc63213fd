import type { Knex } from 'knex';

/**
 * The register's search index. Each text an agreement's current text is made of (a clause's rendered
 * text in one language, a title) is stored once in `search_texts` with its index words, like
 * `clause_texts` stores templates once: agreements between the same parties from the same library share
 * most of their articles. `search_entries` says where in which agreement each text stands (the clause,
 * its heading, the language); `agreement_titles` holds each agreement's title per reader language for
 * the list and its sort. The words are made in server/search/search-words.ts (stems for Russian and
 * English, bigrams of Hangul) and indexed by each engine's own full-text index: an FTS5 table on SQLite,
 * a GIN index over `to_tsvector('simple', words)` on PostgreSQL, so both answer the same words alike.
 */
export async function up(knex: Knex): Promise<void> {
  const postgres = knex.client.config.client === 'pg';
  await knex.schema.createTable('search_texts', (table) => {
    table.increments('id').primary();
    table.string('sha256', 64).notNullable().unique();
    table.string('lang', 8).notNullable();
    table.text('body').notNullable();
    table.text('words').notNullable();
  });
  await knex.schema.createTable('search_entries', (table) => {
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    // '' is the agreement's own name (agreements.title), 'title' its title clause, else the clause key.
    table.string('clause_key', 64).notNullable();
    table.string('lang', 8).notNullable();
    table.integer('position').notNullable();
    table.text('heading').nullable();
    table.integer('text_id').notNullable().references('search_texts.id');
    table.primary(['agreement_id', 'clause_key', 'lang']);
    table.index(['text_id', 'agreement_id']);
  });
  await knex.schema.createTable('agreement_titles', (table) => {
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.string('lang', 8).notNullable();
    table.text('title').notNullable();
    table.primary(['agreement_id', 'lang']);
    table.index(['lang', 'title', 'agreement_id']);
  });
  await knex.schema.alterTable('agreements', (table) => {
    table.index(['updated_at', 'id'], 'agreements_updated_at_id_index');
  });
  await knex.schema.alterTable('signatures', (table) => {
    table.index(['agreement_id', 'signed_at'], 'signatures_agreement_signed_at_index');
  });

  if (postgres) {
    await knex.raw(`CREATE INDEX search_texts_words_index ON search_texts USING GIN (to_tsvector('simple', words))`);
  } else {
    // An external-content FTS5 table over search_texts.words, kept in step by triggers in the same
    // transaction as every insert (texts are never updated; unused ones are kept, as clause_texts are).
    await knex.raw(
      `CREATE VIRTUAL TABLE search_texts_fts USING fts5(words, content='search_texts', content_rowid='id', tokenize='unicode61 remove_diacritics 0')`,
    );
    await knex.raw(
      `CREATE TRIGGER search_texts_fts_insert AFTER INSERT ON search_texts BEGIN
         INSERT INTO search_texts_fts(rowid, words) VALUES (new.id, new.words);
       END`,
    );
    await knex.raw(
      `CREATE TRIGGER search_texts_fts_delete AFTER DELETE ON search_texts BEGIN
         INSERT INTO search_texts_fts(search_texts_fts, rowid, words) VALUES ('delete', old.id, old.words);
       END`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') {
    await knex.raw('DROP TRIGGER IF EXISTS search_texts_fts_insert');
    await knex.raw('DROP TRIGGER IF EXISTS search_texts_fts_delete');
    await knex.raw('DROP TABLE IF EXISTS search_texts_fts');
  }
  await knex.schema.alterTable('signatures', (table) => {
    table.dropIndex(['agreement_id', 'signed_at'], 'signatures_agreement_signed_at_index');
  });
  await knex.schema.alterTable('agreements', (table) => {
    table.dropIndex(['updated_at', 'id'], 'agreements_updated_at_id_index');
  });
  await knex.schema.dropTableIfExists('agreement_titles');
  await knex.schema.dropTableIfExists('search_entries');
  await knex.schema.dropTableIfExists('search_texts');
}
