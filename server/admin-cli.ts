import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { migrateToLatest, openDatabase, type Database } from '../db/connection.ts';
import { findParty, insertParty, listParties } from '../db/repositories/parties.repository.ts';
import { findUserByEmail, listUsersOfParty } from '../db/repositories/users.repository.ts';
import { ROLES } from '../workflows/agreement/agreement.events.ts';
import { deleteIdentityProvider } from '../db/repositories/identity-providers.repository.ts';
import type { UseCaseDeps } from './agreements/deps.ts';
import { configureIdentityProvider, type IdentityProviderInput } from './auth/single-sign-on.ts';
import { addUser, newUserInput, replacePassword } from './auth/user-administration.ts';
import { loadConfig } from './config.ts';
import { DomainError } from './errors.ts';
import { DEFAULT_TIME_ZONE, timeZones } from './web/i18n.ts';
import { partyNamesSchema } from './parties/party.ts';
import { LANGUAGES } from './text/languages.ts';

const USAGE = `Usage: npm run admin -- <command> [options]

  create-party   --key <key> --language <ru|ko|en> --names <file.json> [--time-zone <IANA zone, e.g. Asia/Seoul>]
                 a government; the JSON has its names as the clause templates need them (see server/demo/demo-parties.ts)
  create-user    --party <key> --email <email> --role <${ROLES.join('|')}> --name <display name> [--title <title>]
                 the first administrator of a party, or any user; the password is read from standard input
                 when it is piped, else a strong one is made and printed once
  reset-password --email <email>
                 a new password (as above); every session and token of the user ends
  list-users     [--party <key>]
  connect-provider --party <key> --issuer <url> --client-id <id> --label-ru <text> --label-ko <text> --label-en <text>
                 --map <role>=<group> [--map ...] [--roles-claim groups] [--email-claim email] [--scopes "openid email profile"]
                 the party's OpenID Connect provider (replacing any it had); the client secret is read from standard
                 input; the redirect URI to register there is <PUBLIC_URL>/sign-in/sso/<key>/callback. The first
                 --map whose group the user's roles claim holds gives the role
  disconnect-provider --party <key>
                 the party signs in with passwords only again (users made by the provider can no longer sign in)

It works on the database the server would use (DATABASE_URL, DATA_DIR), with the same configuration checks.`;

/**
 * The operator's command line: what must happen before anyone can sign in, above all in production,
 * where there are no demo users. It calls the same use-cases as the administrator's pages.
 */
async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      key: { type: 'string' },
      language: { type: 'string' },
      'time-zone': { type: 'string' },
      names: { type: 'string' },
      party: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      title: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'label-ru': { type: 'string' },
      'label-ko': { type: 'string' },
      'label-en': { type: 'string' },
      map: { type: 'string', multiple: true },
      'roles-claim': { type: 'string' },
      'email-claim': { type: 'string' },
      scopes: { type: 'string' },
    },
  });
  if (!command || command === 'help' || command === '--help') return console.log(USAGE);
  const config = loadConfig();
  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    switch (command) {
      case 'create-party':
        return await createParty(db, values);
      case 'create-user':
        return await createUser(db, values);
      case 'reset-password':
        return await resetPassword(db, values);
      case 'list-users':
        return await listUsers(db, values.party);
      case 'connect-provider':
        return await connectProvider({ db, config, now: () => new Date() }, values);
      case 'disconnect-provider': {
        const party = required(values, 'party');
        if (!(await deleteIdentityProvider(db, party))) throw new UsageError(`the party "${party}" has no provider`);
        return console.log(`The party ${party} signs in with passwords only.`);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await db.destroy();
  }
}

type Options = Partial<Record<'key' | 'language' | 'names' | 'time-zone' | 'party' | 'email' | 'role' | 'name' | 'title', string>>;

async function connectProvider(
  deps: UseCaseDeps,
  options: Options &
    Partial<Record<'issuer' | 'client-id' | 'label-ru' | 'label-ko' | 'label-en' | 'roles-claim' | 'email-claim' | 'scopes', string>> & {
      map?: string[];
    },
): Promise<void> {
  const party = required(options, 'party');
  // The same role may come from several groups: `--map signatory=governor --map signatory=vice-governor`.
  const roleMapping: { role: string; values: string[] }[] = [];
  for (const entry of options.map ?? []) {
    const [role, value] = [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)];
    if (entry.indexOf('=') < 1 || value === '') throw new UsageError(`--map ${entry}: expected <role>=<group>`);
    const rule = roleMapping.find((each) => each.role === role);
    if (rule) rule.values.push(value);
    else roleMapping.push({ role, values: [value] });
  }
  const clientSecret = await readStandardInput();
  if (!clientSecret) throw new UsageError('pipe the client secret into standard input');
  const provider = await configureIdentityProvider(deps, party, {
    labels: { ru: options['label-ru'] ?? '', ko: options['label-ko'] ?? '', en: options['label-en'] ?? '' },
    issuer: options.issuer ?? '',
    clientId: options['client-id'] ?? '',
    clientSecret,
    ...(options.scopes && { scopes: options.scopes }),
    ...(options['email-claim'] && { emailClaim: options['email-claim'] }),
    ...(options['roles-claim'] && { rolesClaim: options['roles-claim'] }),
    roleMapping: roleMapping as IdentityProviderInput['roleMapping'],
  });
  console.log(`The party ${party} signs in through ${provider.issuer} (discovery and keys reached).`);
}

async function createParty(db: Database, options: Options): Promise<void> {
  const key = required(options, 'key');
  const language = z.enum(LANGUAGES).parse(required(options, 'language'));
  const names = partyNamesSchema.parse(JSON.parse(readFileSync(required(options, 'names'), 'utf8')));
  const timeZone = options['time-zone'] ?? DEFAULT_TIME_ZONE;
  if (!timeZones().includes(timeZone)) throw new UsageError(`--time-zone: "${timeZone}" is not an IANA time zone (such as Asia/Seoul)`);
  if (await findParty(db, key)) throw new UsageError(`there is already a party "${key}"`);
  await insertParty(db, { key, language, names, timeZone }, new Date().toISOString());
  console.log(`Created the party ${key} (${names.en.name}).`);
}

async function createUser(db: Database, options: Options): Promise<void> {
  const { password, generated } = await choosePassword();
  const name = required(options, 'name');
  // The same schema as the administrator's page: a name from the command line meets the same text rule.
  const input = newUserInput.parse({
    email: required(options, 'email'),
    role: required(options, 'role'),
    displayName: name,
    password,
    title: options.title === undefined ? undefined : { en: options.title, ru: options.title, ko: options.title },
  });
  const user = await addUser(db, required(options, 'party'), input, new Date());
  console.log(`Created ${user.email}, ${user.role} of ${user.party}.`);
  if (generated) console.log(`Password (shown once; change it on the account page): ${password}`);
}

async function resetPassword(db: Database, options: Options): Promise<void> {
  const email = required(options, 'email');
  const user = await findUserByEmail(db, email);
  if (!user) throw new UsageError(`there is no user ${email}`);
  const { password, generated } = await choosePassword();
  await replacePassword(db, user, password);
  console.log(`New password set for ${user.email}; their sessions and tokens have ended.`);
  if (generated) console.log(`Password (shown once): ${password}`);
}

async function listUsers(db: Database, party: string | undefined): Promise<void> {
  const parties = party ? [party] : (await listParties(db)).map((each) => each.key);
  for (const key of parties) {
    for (const user of await listUsersOfParty(db, key)) console.log(`${user.email.padEnd(36)} ${key.padEnd(16)} ${user.role}`);
  }
}

/** Piped in (so it stays out of the shell's history and the process list), or made here. */
async function choosePassword(): Promise<{ password: string; generated: boolean }> {
  if (process.stdin.isTTY) return { password: randomBytes(18).toString('base64url'), generated: true };
  const password = await readStandardInput();
  return password === '' ? { password: randomBytes(18).toString('base64url'), generated: true } : { password, generated: false };
}

/** What was piped in, without its final line break; empty from a terminal. */
async function readStandardInput(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function required(options: Options, name: keyof Options): string {
  const value = options[name];
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
  else if (error instanceof z.ZodError) console.error(z.prettifyError(error));
  else if (error instanceof DomainError) console.error(error.message);
  else console.error(error);
  process.exitCode = 1;
});
