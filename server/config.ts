import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { ROLES, type Role } from '../workflows/agreement/agreement.events.ts';

/** Everything the server needs from its environment, validated once and frozen. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /**
   * Demo mode (BILATERAL_DEMO=1, which `npm start` sets) seeds the Sverdlovsk–Gyeonggi case and users
   * whose password is known. Asked for explicitly: a server started any other way, staging included,
   * never has them.
   */
  readonly demo: boolean;
  readonly demoPassword: string;
  readonly dataDir: string;
  readonly databaseUrl: string;
  /** 32 bytes; encrypts private keys at rest (AES-256-GCM). */
  readonly secret: Buffer;
  /** How often the scheduler looks for due events. */
  readonly schedulerIntervalMs: number;
  /** An RFC 3161 time-stamping authority (TSA_URL): when set, every signature gets its timestamp (PAdES B-T). */
  readonly tsaUrl?: string;
  /**
   * When TSA_URL's authority does not answer, sign without a timestamp (PAdES B-B) rather than refuse
   * with 503 (ALLOW_UNTIMESTAMPED_SIGNATURES=1); off by default.
   */
  readonly allowUntimestampedSignatures?: boolean;
  /**
   * The proxies whose X-Forwarded-For is believed (TRUST_PROXY), as express's `trust proxy` list:
   * addresses, CIDRs or `loopback`, `linklocal`, `uniquelocal`. Empty: no proxy, the peer is the client.
   */
  readonly trustProxy: readonly string[];
  /** What webhooks may call besides public addresses (WEBHOOK_ALLOWED_HOSTS): on-premise receivers. */
  readonly webhookAllowList: WebhookAllowList;
  /** How many agreements one user may create per hour (AGREEMENTS_PER_USER_PER_HOUR). */
  readonly agreementsPerUserPerHour: number;
  /** How mail leaves: SMTP (SMTP_URL, SMTP_REQUIRE_TLS, MAIL_FROM), or, without SMTP_URL, the log. */
  readonly mail: MailConfig;
  /**
   * Where people reach the server (PUBLIC_URL), for the links in mails; no trailing slash. Unset: the
   * address the server listens on.
   */
  readonly publicUrl?: string;
  /**
   * The roles that must enrol a second factor (TOTP) and give a code to sign (REQUIRE_SECOND_FACTOR,
   * e.g. `signatory,admin`, the default outside demo mode; `none` for nobody, the demo's default).
   * Anyone who enrols gives a code all the same.
   */
  readonly requireSecondFactor?: readonly Role[];
  /** A web session unused this long ends (SESSION_IDLE_MINUTES, 30 by default), besides its absolute lifetime of 12 hours. */
  readonly sessionIdleMinutes?: number;
  /**
   * How often each executed original gets a new DSS and document timestamp (ARCHIVE_TIMESTAMP_INTERVAL_DAYS,
   * 730 by default); sooner when the newest timestamp unit's certificate expires within 90 days of then.
   */
  readonly archiveTimestampIntervalDays?: number;
  /**
   * The hosts whose CRL and OCSP URLs (named in certificates of CAs this server does not hold) may be
   * fetched when an original's DSS is made (REVOCATION_FETCH_HOSTS, comma-separated). Unset: none;
   * verification itself never fetches anything.
   */
  readonly revocationFetchHosts?: readonly string[];
}

/** The mail transport: `smtpUrl` as nodemailer reads it (smtp:// with STARTTLS when offered, smtps:// for TLS). */
export interface MailConfig {
  readonly smtpUrl?: string;
  /** Refuse to send over a connection without TLS (SMTP_REQUIRE_TLS=1). */
  readonly requireTls: boolean;
  /** The From address (MAIL_FROM), e.g. `Bilateral <bilateral@example.org>`. */
  readonly from: string;
}

/** Non-public networks (CIDRs, canonical) and host names (lower case) that webhooks may call all the same. */
export interface WebhookAllowList {
  readonly networks: readonly string[];
  readonly hosts: readonly string[];
}

/** A comma-separated list; blanks around entries and empty entries are ignored. */
const commaList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
  );

/** An address or CIDR as a canonical CIDR, or undefined when it is neither. */
function asCidr(entry: string): string | undefined {
  if (ipaddr.isValidCIDR(entry)) {
    const [address, bits] = ipaddr.parseCIDR(entry);
    return `${address.toString()}/${bits}`;
  }
  if (!ipaddr.isValid(entry)) return undefined;
  const address = ipaddr.parse(entry);
  return `${address.toString()}/${address.kind() === 'ipv4' ? 32 : 128}`;
}

export const DEFAULT_SESSION_IDLE_MINUTES = 30;

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const environmentSchema = z.object({
  BILATERAL_DEMO: z.enum(['0', '1']).default('0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: z.string().optional(),
  DEMO_PASSWORD: z.string().min(1).default('demo'),
  BILATERAL_SECRET: z.string().optional(),
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  TSA_URL: z.url({ protocol: /^https?$/ }).optional(),
  ALLOW_UNTIMESTAMPED_SIGNATURES: z.enum(['0', '1']).default('0'),
  TRUST_PROXY: commaList.refine((entries) => entries.every((entry) => TRUST_PROXY_NAMES.has(entry) || asCidr(entry)), {
    message: 'expected addresses, CIDRs or loopback, linklocal, uniquelocal, separated by commas',
  }),
  WEBHOOK_ALLOWED_HOSTS: commaList.transform((entries, context) => {
    const networks: string[] = [];
    const hosts: string[] = [];
    for (const entry of entries) {
      const network = asCidr(entry);
      const host = entry.toLowerCase().replace(/\.$/, '');
      if (network) networks.push(network);
      else if (HOST_NAME.test(host)) hosts.push(host);
      else context.addIssue({ code: 'custom', message: `${entry} is neither an address, a CIDR nor a host name` });
    }
    return { networks, hosts };
  }),
  AGREEMENTS_PER_USER_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(30),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  SMTP_REQUIRE_TLS: z.enum(['0', '1']).default('0'),
  // One line, no CR/LF: it becomes a header.
  MAIL_FROM: z
    .string()
    .regex(/^[^\r\n]{3,254}$/)
    .default('Bilateral <bilateral@localhost>'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  REQUIRE_SECOND_FACTOR: z
    .string()
    .regex(/^\s*(none|[a-z]+(\s*,\s*[a-z]+)*)\s*$/, 'expected none or roles separated by commas')
    .transform((value) => (value.trim() === 'none' ? [] : value.split(',').map((role) => role.trim())))
    .refine((roles) => roles.every((role) => (ROLES as readonly string[]).includes(role)), {
      message: `expected none or roles among ${ROLES.join(', ')}`,
    })
    .optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(720).default(DEFAULT_SESSION_IDLE_MINUTES),
  ARCHIVE_TIMESTAMP_INTERVAL_DAYS: z.coerce.number().int().min(1).max(3650).default(730),
  REVOCATION_FETCH_HOSTS: commaList.transform((entries) => entries.map((entry) => entry.toLowerCase().replace(/\.$/, ''))),
});

const MINIMUM_SECRET_BYTES = 32;

/**
 * The only reader of process.env. Fails fast: a bad value stops the start, with the variable named.
 * In demo mode a missing secret is generated once into the data folder (which git ignores);
 * otherwise it must come from BILATERAL_SECRET.
 */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  const demo = env.BILATERAL_DEMO === '1';
  const dataDir = path.resolve(env.DATA_DIR);
  const databaseUrl = env.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'bilateral.sqlite')}`;
  const secret = env.BILATERAL_SECRET
    ? decodeSecret(env.BILATERAL_SECRET)
    : demo
      ? demoSecret(dataDir)
      : failWith('BILATERAL_SECRET is required unless BILATERAL_DEMO=1 (base64 or hex, at least 32 bytes)');
  return Object.freeze({
    port: env.PORT,
    host: env.HOST,
    demo,
    demoPassword: env.DEMO_PASSWORD,
    dataDir,
    databaseUrl,
    secret,
    schedulerIntervalMs: env.SCHEDULER_INTERVAL_MS,
    ...(env.TSA_URL && { tsaUrl: env.TSA_URL }),
    allowUntimestampedSignatures: env.ALLOW_UNTIMESTAMPED_SIGNATURES === '1',
    trustProxy: env.TRUST_PROXY,
    webhookAllowList: env.WEBHOOK_ALLOWED_HOSTS,
    agreementsPerUserPerHour: env.AGREEMENTS_PER_USER_PER_HOUR,
    mail: Object.freeze({ ...(env.SMTP_URL && { smtpUrl: env.SMTP_URL }), requireTls: env.SMTP_REQUIRE_TLS === '1', from: env.MAIL_FROM }),
    ...(env.PUBLIC_URL && { publicUrl: env.PUBLIC_URL.replace(/\/+$/, '') }),
    requireSecondFactor: Object.freeze((env.REQUIRE_SECOND_FACTOR ?? (demo ? [] : ['signatory', 'admin'])) as Role[]),
    sessionIdleMinutes: env.SESSION_IDLE_MINUTES,
    archiveTimestampIntervalDays: env.ARCHIVE_TIMESTAMP_INTERVAL_DAYS,
    revocationFetchHosts: Object.freeze(env.REVOCATION_FETCH_HOSTS),
  });
}

function decodeSecret(value: string): Buffer {
  const bytes = /^[0-9a-f]+$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (bytes.length < MINIMUM_SECRET_BYTES) {
    failWith(`BILATERAL_SECRET is too weak: ${bytes.length} bytes, at least ${MINIMUM_SECRET_BYTES} needed`);
  }
  return bytes.subarray(0, MINIMUM_SECRET_BYTES);
}

function demoSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(MINIMUM_SECRET_BYTES).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return decodeSecret(readFileSync(file, 'utf8').trim());
}

function failWith(message: string): never {
  throw new Error(message);
}
