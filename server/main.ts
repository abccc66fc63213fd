import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { migrateToLatest, openDatabase } from '../db/connection.ts';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { DEMO_USERS } from './demo/demo-parties.ts';
import { warmUpTypesetting } from './demo/library-agreement.ts';
import { seedDemo } from './demo/seed-demo.ts';
import { lifecycleHandlers } from './lifecycle/lifecycle-handlers.ts';
import { OBLIGATION_REMINDER_KIND, remindObligations } from './obligations/obligations.ts';
import { createMailDispatcher } from './notifications/mail-dispatcher.ts';
import { createWebhookDispatcher } from './notifications/webhook-dispatcher.ts';
import type { PollingLoop } from './scheduler/polling-loop.ts';
import { createScheduler } from './scheduler/scheduler.ts';
import { uiFont } from './web/ui-font.ts';
import { longTermValidationHandlers } from './signatures/extend-long-term-validation.ts';
import { indexUnindexedAgreements } from './search/index-unindexed-agreements.ts';

/** Composition root: configuration, database, application, listen. Nothing else listens. */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db);
  const deps = { db, config, now: () => new Date() };
  if (config.demo && (await seedDemo(deps))) console.log('Seeded the demo data (Sverdlovsk Region and Gyeonggi Province).');
  const indexed = await indexUnindexedAgreements(deps);
  if (indexed > 0) console.log(`Indexed ${indexed} agreements for search.`);

  const processId = `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const app = createApp(deps, { log: (message, error) => console.error(message, error) });
  let mailer: PollingLoop | undefined;
  const server = app.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    // The mails' links name the public address, else this one (known only now, when PORT is 0).
    const publicUrl = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    mailer = createMailDispatcher(deps, { processId, publicUrl });
    mailer.start(config.schedulerIntervalMs);
    // In the rendering thread, after listen: requests are answered meanwhile, the first PDF finds it warm.
    warmUpTypesetting().catch((error) => console.error('Warming up the typesetting thread failed', error));
    // ... and the pages' font is cut before the first sign-in page asks for it.
    uiFont().catch((error) => console.error("Making the pages' font failed", error));
    if (!config.mail.smtpUrl) console.log('No SMTP_URL: mail is written to this log (and listed on /mail), not sent.');
    console.log(`Bilateral listens on http://${config.host}:${port} (database: ${config.databaseUrl.split('://')[0]?.split(':')[0]})`);
    if (config.demo) {
      console.log(`Demo mode. Sign in with any of these, password "${config.demoPassword === 'demo' ? 'demo' : '$DEMO_PASSWORD'}":`);
      for (const user of DEMO_USERS) console.log(`  ${user.email.padEnd(30)} ${user.party} ${user.role}`);
    }
  });

  // Each process runs the scheduler and the webhook and mail dispatchers; claims keep two processes
  // from sending the same event, delivery or mail twice.
  const handlers = {
    ...lifecycleHandlers((message) => console.log(message)),
    ...longTermValidationHandlers(deps),
    [OBLIGATION_REMINDER_KIND]: remindObligations,
  };
  const scheduler = createScheduler(deps, { handlers, processId });
  const dispatcher = createWebhookDispatcher(deps, { processId });
  scheduler.start(config.schedulerIntervalMs);
  dispatcher.start(config.schedulerIntervalMs);

  const shutdown = (signal: string) => {
    console.log(`${signal}: closing`);
    server.close(
      () =>
        void Promise.all([scheduler.stop(), dispatcher.stop(), mailer?.stop()])
          .then(() => db.destroy())
          .then(() => process.exit(0)),
    );
    // Keep-alive connections would hold close() open; stop waiting for them after a while.
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
