import type { Knex } from 'knex';

/**
 * The life after signature and the clock: due dates on the agreement, the events the scheduler sends
 * when a date arrives (claimed exactly once, even by several server processes), in-app notifications,
 * and webhooks per party with a delivery log.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agreements', (table) => {
    // Dates (YYYY-MM-DD) that drive reminders and the lifecycle; null when not set.
    table.string('review_due_on', 10).nullable();
    table.string('approval_due_on', 10).nullable();
    table.string('signing_due_on', 10).nullable();
    table.string('in_force_on', 10).nullable();
    table.string('expires_on', 10).nullable();
    table.string('notice_deadline_on', 10).nullable();
    table.string('terminates_on', 10).nullable();
  });

  await knex.schema.createTable('scheduled_events', (table) => {
    table.increments('id').primary();
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    // reminder | overdue | enter-into-force | renew | expire | terminate
    table.string('kind', 32).notNullable();
    table.string('due_at', 32).notNullable();
    table.text('payload').notNullable();
    // pending -> done | cancelled; a claim is a lease that a crashed process gives up when it runs out.
    table.string('status', 16).notNullable();
    table.string('claimed_by', 64).nullable();
    table.string('claimed_until', 32).nullable();
    table.string('processed_at', 32).nullable();
    table.string('created_at', 32).notNullable();
    table.index(['status', 'due_at']);
    table.unique(['agreement_id', 'kind', 'due_at']);
  });

  await knex.schema.createTable('notifications', (table) => {
    table.increments('id').primary();
    table.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.integer('agreement_id').nullable().references('agreements.id').onDelete('CASCADE');
    table.string('kind', 32).notNullable();
    table.text('payload').notNullable();
    table.string('created_at', 32).notNullable();
    table.string('read_at', 32).nullable();
    table.index(['user_id', 'read_at']);
  });

  await knex.schema.createTable('webhooks', (table) => {
    table.increments('id').primary();
    table.string('party_key', 64).notNullable().references('parties.key');
    table.text('url').notNullable();
    // The HMAC key, sealed with the server's secret like private keys.
    table.text('sealed_secret').notNullable();
    table.boolean('active').notNullable();
    table.string('created_at', 32).notNullable();
  });

  await knex.schema.createTable('webhook_deliveries', (table) => {
    table.increments('id').primary();
    table.integer('webhook_id').notNullable().references('webhooks.id').onDelete('CASCADE');
    // Stable per event, sent as a header, so a receiver can drop a retried duplicate.
    table.string('event_id', 64).notNullable();
    table.string('kind', 32).notNullable();
    table.text('payload').notNullable();
    // pending -> delivered | failed (gave up after the last retry)
    table.string('status', 16).notNullable();
    table.integer('attempts').notNullable();
    table.string('next_attempt_at', 32).nullable();
    table.string('claimed_by', 64).nullable();
    table.string('claimed_until', 32).nullable();
    table.integer('last_status_code').nullable();
    table.text('last_error').nullable();
    table.string('created_at', 32).notNullable();
    table.string('delivered_at', 32).nullable();
    table.index(['status', 'next_attempt_at']);
    table.unique(['webhook_id', 'event_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['webhook_deliveries', 'webhooks', 'notifications', 'scheduled_events']) await knex.schema.dropTableIfExists(table);
  await knex.schema.alterTable('agreements', (table) => {
    for (const column of [
      'review_due_on',
      'approval_due_on',
      'signing_due_on',
      'in_force_on',
      'expires_on',
      'notice_deadline_on',
      'terminates_on',
    ]) {
      table.dropColumn(column);
    }
  });
}
