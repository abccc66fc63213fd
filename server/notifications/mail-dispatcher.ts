import nodemailer, { type Transporter } from 'nodemailer';
import {
  claimDueMails,
  findMailsOfDigest,
  foldDueDigests,
  recordMailAttempt,
  type MailOutcome,
  type OutboxMail,
} from '../../db/repositories/mail-outbox.repository.ts';
import { findParty } from '../../db/repositories/parties.repository.ts';
import { findUserByEmail, findUserById, type User } from '../../db/repositories/users.repository.ts';
import { buildAgreementDocument } from '../agreements/agreement-document.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { findAgreementRecord, loadAgreementSource, loadText } from '../agreements/load-agreement.ts';
import { createPollingLoop, type Log, type PollingLoop } from '../scheduler/polling-loop.ts';
import type { Lang } from '../text/languages.ts';
import { composeMail, oneLine, type MailItem } from './compose-mail.ts';
import { exponentialBackoff } from './webhook-dispatcher.ts';
import { personName } from '../web/person-name.ts';

export interface MailDispatcherOptions {
  /** Unique per running process; it names the holder of a claim. */
  readonly processId: string;
  /** Where people reach the server, for the links; no trailing slash. */
  readonly publicUrl: string;
  /** Attempts before a mail that keeps failing temporarily (4xx, no answer) is `failed`; default 8. */
  readonly maxAttempts?: number;
  /** The wait after the n-th failed attempt (n from 1); default 10 s doubling per attempt, at most 1 h. */
  readonly backoff?: (attempt: number) => number;
  /** Mails claimed per round; default 10. */
  readonly batchSize?: number;
  /** The claim's lease; must exceed the SMTP timeouts; default 120 s. */
  readonly leaseMs?: number;
  readonly log?: Log;
  /** Where mail goes without SMTP_URL: each message, whole; console.log by default. */
  readonly mailLog?: (message: string) => void;
}

const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_BATCH_SIZE = 10;
const DEFAULT_LEASE_MS = 120_000;
/** The SMTP commands (as nodemailer names them in an error) whose refusal is about one message, not the connection. */
const MESSAGE_COMMANDS = new Set(['MAIL FROM', 'RCPT TO', 'DATA']);
/** SMTP connection, greeting and socket inactivity budgets, each well inside the lease. */
const SMTP_TIMEOUT_MS = 20_000;

/** What the sender needs about the recipient and the text of one attempt. */
interface Message {
  readonly recipient: string;
  readonly subject: string;
  readonly body: string;
}

/**
 * Sends the mail outbox. Each round first folds due digests (one transaction), then claims due mails
 * with a lease, exactly like the webhook dispatcher, so several processes send each mail once. Each
 * mail is composed at sending time in the recipient's language (their choice, else their party's),
 * with the agreement's title in that language and a link to its page, and sent with nodemailer:
 * accepted is `sent`; a 5xx answer (the server refuses the recipient or the message: a bounce at
 * sending time) is `failed` at once, with the answer recorded for the party administrator; a 4xx or a
 * network failure is retried after `backoff`, until `maxAttempts`. Without SMTP_URL each message is
 * written to the log instead and recorded as `logged`. Delivery is at least once: a process that dies
 * between sending and recording leaves the claim to run out and the mail is sent again, with the
 * same Message-ID.
 */
export function createMailDispatcher(deps: UseCaseDeps, options: MailDispatcherOptions): PollingLoop {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff = options.backoff ?? exponentialBackoff;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const log = options.log ?? ((message, error) => console.error(message, error ?? ''));
  const mailLog = options.mailLog ?? ((message) => console.log(message));
  const name = `mail dispatcher ${options.processId}`;
  if (options.processId.length === 0 || options.processId.length > 64) throw new Error('processId must be 1..64 characters');
  if (maxAttempts < 1) throw new Error('maxAttempts must be at least 1');
  if (leaseMs <= 3 * SMTP_TIMEOUT_MS) throw new Error('leaseMs must exceed the SMTP timeouts, or a slow server outlives the claim');
  const { mail } = deps.config;
  const transport: Transporter | undefined = mail.smtpUrl
    ? nodemailer.createTransport({
        url: mail.smtpUrl,
        requireTLS: mail.requireTls,
        connectionTimeout: SMTP_TIMEOUT_MS,
        greetingTimeout: SMTP_TIMEOUT_MS,
        socketTimeout: SMTP_TIMEOUT_MS,
      } as Parameters<typeof nodemailer.createTransport>[0])
    : undefined;
  const messageIdDomain = new URL(options.publicUrl).hostname || 'bilateral';

  /** The agreement's title in `lang`: its title clause rendered in that language, else the stored title. */
  async function titleOf(agreementId: number, lang: Lang, party: string, partyLang: Lang): Promise<string> {
    const record = await findAgreementRecord(deps.db, agreementId);
    if (!record) return `#${agreementId}`;
    try {
      const text = await loadText(deps.db, record);
      const source = await loadAgreementSource(deps.db, record, text.text);
      const original = record.parties.includes(party) ? party : record.parties[0]!;
      const document = buildAgreementDocument(
        { ...source, clauses: source.clauses.filter((clause) => clause.key === 'title') },
        { original, date: deps.now().toISOString().slice(0, 10), final: false },
      );
      return document.title[lang] || document.title[partyLang] || record.title;
    } catch (error) {
      log(`${name}: the title of agreement ${agreementId} did not render; the stored title is used`, error);
      return record.title;
    }
  }

  /** The short name, in `lang`, of the party the user with this e-mail acts for. */
  async function partyNameOfSender(email: string, lang: Lang): Promise<string | undefined> {
    const sender = await findUserByEmail(deps.db, email);
    const party = sender && (await findParty(deps.db, sender.party));
    return party?.names[lang].short;
  }

  async function compose(claimed: OutboxMail, user: User): Promise<Message> {
    const party = await findParty(deps.db, user.party);
    const partyLang = party?.language ?? 'en';
    const lang = user.locale ?? partyLang;
    const timeZone = user.timeZone ?? party?.timeZone;
    const digest = claimed.kind === 'digest';
    const entries = digest ? await findMailsOfDigest(deps.db, claimed.id) : [claimed];
    // A digest names the same agreements and senders again and again: each is looked up once. The
    // lookups are awaited one by one, as a promise started and not yet awaited when another lookup
    // throws (the database gone) would be rejected with nobody listening, which ends the process.
    const titles = new Map<number, string>();
    const partyNames = new Map<string, string | undefined>();
    const items: MailItem[] = [];
    for (const entry of entries) {
      const id = entry.agreementId;
      if (id !== null && !titles.has(id)) titles.set(id, await titleOf(id, lang, user.party, partyLang));
      const by = entry.payload.by;
      if (typeof by === 'string' && !partyNames.has(by)) partyNames.set(by, await partyNameOfSender(by, lang));
      items.push({
        kind: entry.kind,
        payload: entry.payload,
        title: id === null ? null : titles.get(id)!,
        link: id === null ? `${options.publicUrl}/notifications` : `${options.publicUrl}/agreements/${id}`,
        at: entry.createdAt,
        byParty: typeof by === 'string' ? partyNames.get(by) : undefined,
      });
    }
    const composed = composeMail({
      lang,
      timeZone,
      // Greeted as the pages name them: «Здравствуйте, Дмитрий Орлов!», not the Latin display name.
      recipientName: personName(user, lang),
      reader: user,
      items,
      digest,
      preferencesLink: `${options.publicUrl}/mail`,
    });
    return { recipient: user.email, subject: composed.subject, body: composed.text };
  }

  async function send(claimed: OutboxMail, message: Message, recipientName: string): Promise<MailOutcome> {
    const now = () => deps.now().toISOString();
    const messageId = `<${claimed.eventId}.${claimed.userId}.${claimed.id}@${messageIdDomain}>`;
    if (!transport) {
      mailLog(
        `mail ${claimed.id} (no SMTP_URL, not sent)\nMessage-ID: ${messageId}\nTo: ${message.recipient}\nSubject: ${message.subject}\n\n${message.body}`,
      );
      return { status: 'logged', at: now(), responseCode: null };
    }
    try {
      const info = await transport.sendMail({
        from: mail.from,
        // An address object: nodemailer encodes the name, so a name cannot add a header or a recipient.
        to: { name: oneLine(recipientName), address: message.recipient },
        subject: message.subject,
        text: message.body,
        messageId,
      });
      return { status: 'sent', at: now(), responseCode: responseCodeOf(info.response) };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode ?? null;
      const answer = oneLine((error as { response?: string }).response ?? '', 500);
      const command = (error as { command?: string }).command;
      // A 5xx about this message (its sender, a recipient, its content) is a bounce. A 5xx to STARTTLS
      // or AUTH is the server's configuration or ours (SMTP_REQUIRE_TLS, the credentials), which the
      // operator fixes: every mail would fail alike, so it is retried instead.
      const connection = command !== undefined && !MESSAGE_COMMANDS.has(command);
      if (code !== null && code >= 500 && !connection) return { status: 'failed', responseCode: code, error: `refused: ${answer || code}` };
      log(`${name}: mail ${claimed.id} to user ${claimed.userId} not sent: ${error instanceof Error ? error.message : String(error)}`);
      const attempts = claimed.attempts + 1;
      const error_ =
        code !== null && connection
          ? `deferred: the mail server answered ${command} with ${answer || code}${command === 'STARTTLS' && mail.requireTls ? ' (SMTP_REQUIRE_TLS=1 sends nothing without TLS)' : ''}`
          : code !== null
            ? `deferred: ${answer || code}`
            : 'failed: the mail server could not be reached';
      if (attempts >= maxAttempts) return { status: 'failed', responseCode: code, error: `${error_} (gave up after ${attempts} attempts)` };
      return {
        status: 'pending',
        responseCode: code,
        error: error_,
        nextAttemptAt: new Date(deps.now().getTime() + backoff(attempts)).toISOString(),
      };
    }
  }

  async function attempt(claimed: OutboxMail): Promise<boolean> {
    const user = await findUserById(deps.db, claimed.userId);
    const message = user && (await compose(claimed, user));
    const outcome: MailOutcome =
      user && message
        ? await send(claimed, message, user.displayName)
        : { status: 'failed', responseCode: null, error: 'the user no longer exists' };
    if (!(await recordMailAttempt(deps.db, claimed, outcome, message ?? null))) {
      log(
        `${name}: the claim on mail ${claimed.id} ran out before its outcome (${outcome.status}) was recorded; another process will send it again`,
      );
    } else if (outcome.status === 'failed') {
      log(`${name}: mail ${claimed.id} (${claimed.kind}) to user ${claimed.userId} failed: ${outcome.error}`);
    }
    return true;
  }

  async function runBatch(limit: number) {
    await deps.db.transaction((trx) => foldDueDigests(trx, deps.now()));
    const mails = await claimDueMails(deps.db, { processId: options.processId, now: deps.now(), leaseMs, limit });
    const results = await Promise.allSettled(mails.map((claimed) => attempt(claimed)));
    let attempts = 0;
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') attempts += 1;
      // Unrecorded (the database went away, say): the claim runs out and the mail is tried again.
      else log(`${name}: mail ${mails[index]!.id} could not be processed`, result.reason);
    }
    return { claimed: mails.length, counted: attempts };
  }

  const loop = createPollingLoop(name, { batchSize, runBatch, log });
  return {
    ...loop,
    async stop() {
      await loop.stop();
      transport?.close();
    },
  };
}

/** "250 2.0.0 Ok: queued as 1234" -> 250. */
function responseCodeOf(response: string | undefined): number | null {
  const code = Number.parseInt(response ?? '', 10);
  return Number.isFinite(code) ? code : null;
}
