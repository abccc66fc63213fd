import type { Knex } from 'knex';

/**
 * E-mail: each user's choice of how notifications reach them by mail, and the mail outbox. A row is
 * written in the transaction of the change it reports (one per recipient), and the mail dispatcher
 * claims it with a lease and sends it later; the message is composed at sending time in the
 * recipient's language. A user who wants a daily digest gets rows `held` until the digest is due,
 * then folded into one `pending` digest row (`digest_id` names it).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    // immediate | digest | no-reminders
    table.string('mail_preference', 16).notNullable().defaultTo('immediate');
  });
  await knex.schema.createTable('mail_outbox', (table) => {
    table.increments('id').primary();
    table.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.integer('agreement_id').nullable().references('agreements.id').onDelete('CASCADE');
    // The notify() event it reports; also the Message-ID's local part, so a resent mail is recognisable.
    table.string('event_id', 64).notNullable();
    // A notification kind (state-changed, reminder, ...) or `digest`.
    table.string('kind', 32).notNullable();
    table.text('payload').notNullable();
    // held (waiting for the digest) -> digested | pending -> sent | logged (no SMTP_URL) | failed
    table.string('status', 16).notNullable();
    table.integer('digest_id').nullable().references('mail_outbox.id');
    table.integer('attempts').notNullable();
    table.string('next_attempt_at', 32).nullable();
    table.string('claimed_by', 64).nullable();
    table.string('claimed_until', 32).nullable();
    // What was sent last (recipient, subject, text), for the administrator's log and the demo's mail page.
    table.string('recipient', 254).nullable();
    table.text('subject').nullable();
    table.text('body').nullable();
    table.integer('last_response_code').nullable();
    table.text('last_error').nullable();
    table.string('created_at', 32).notNullable();
    table.string('sent_at', 32).nullable();
    table.index(['status', 'next_attempt_at']);
    table.index(['user_id', 'id']);
    table.unique(['event_id', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mail_outbox');
  // Plain DROP COLUMN: knex would rebuild the users table on SQLite, which the foreign keys refuse.
  await knex.raw('ALTER TABLE users DROP COLUMN mail_preference');
}
