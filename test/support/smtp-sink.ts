import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

/** One message as the SMTP server received it: the envelope the client gave and the parsed message. */
export interface ReceivedMail {
  readonly envelopeFrom: string;
  readonly envelopeTo: readonly string[];
  readonly parsed: ParsedMail;
  readonly raw: string;
}

/** What to answer a RCPT TO: undefined accepts, else the SMTP code and text to refuse it with. */
export type RecipientAnswer = (address: string) => { code: number; message: string } | undefined;

/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1 and a free port, without TLS or
 * authentication: it keeps every message it accepts, parsed with `mailparser`, and refuses
 * recipients as `answerRecipient` says.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  answerRecipient: RecipientAnswer = () => undefined;
  private server!: SMTPServer;
  url = '';

  async start(): Promise<this> {
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 1024 * 1024,
      onRcptTo: (address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) => {
        const refusal = this.answerRecipient(address.address);
        if (!refusal) return callback();
        callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (parsed) => {
              this.received.push({
                envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address),
                parsed,
                raw,
              });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The messages received for an address. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.envelopeTo.includes(address));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
