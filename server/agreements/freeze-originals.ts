import { createHash } from 'node:crypto';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { listAuditEntries, type AuditedActor, type AuditEntry } from '../../db/repositories/audit.repository.ts';
import type { OriginalRevision } from '../../db/repositories/originals.repository.ts';
import type { Appendix } from '../pdf/document-model.ts';
import { renderAgreementPdfIsolated } from '../pdf/isolated-rendering.ts';
import { withEmptySignatureFields } from '../signing/sign-pdf.ts';
import { buildAgreementDocument } from './agreement-document.ts';
import type { TextVersion } from '../../db/repositories/text-versions.repository.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadAgreementSource } from './load-agreement.ts';

/** The event that freezes the text, not yet in the audit when the originals are rendered. */
export interface FreezingEvent {
  readonly by: AuditedActor;
  readonly event: string;
  readonly from: string;
  readonly to: string;
}

const AUDIT_HEADING = { en: 'Audit trail', ru: 'Журнал событий', ko: '감사 기록' } as const;

/**
 * Renders the two final originals (one per party, alternat) when the agreement enters signing.
 * They are rendered once; every signature is applied to these stored bytes, never to a re-render.
 * Each carries every party's signature field, empty, so that signing only fills one in. Their last
 * pages print the audit so far with the SHA-256 of the text and of each original's body (the same
 * original without these pages and fields, which anyone can render again from the stored text).
 */
export async function renderFinalOriginals(
  deps: UseCaseDeps,
  record: AgreementRecord,
  text: TextVersion,
  freezing: FreezingEvent,
  at: Date,
): Promise<OriginalRevision[]> {
  const source = await loadAgreementSource(deps.db, record, text.text);
  const date = at.toISOString().slice(0, 10);
  const documentOf = (party: string) => buildAgreementDocument(source, { original: party, date, final: true });
  const bodyHashes = await Promise.all(
    record.parties.map(async (party) => sha256((await renderAgreementPdfIsolated(documentOf(party))).pdf)),
  );
  const appendix = auditAppendix(await listAuditEntries(deps.db, record.id), freezing, at, text.contentHash, record.parties, bodyHashes);
  return Promise.all(
    record.parties.map(async (party) => {
      const rendered = await renderAgreementPdfIsolated({ ...documentOf(party), appendix });
      const { signatureFields } = rendered;
      const pdf = await withEmptySignatureFields(
        rendered.pdf,
        signatureFields.map((field) => ({ page: field.page, rect: { x: field.x, y: field.y, width: field.width, height: field.height } })),
      );
      return { agreementId: record.id, party, revision: 1, sha256: sha256(pdf), pdf, signatureFields, createdAt: at.toISOString() };
    }),
  );
}

function auditAppendix(
  entries: readonly AuditEntry[],
  freezing: FreezingEvent,
  at: Date,
  contentHash: string,
  parties: readonly string[],
  bodyHashes: readonly string[],
): Appendix {
  const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  const line = (
    seq: number | string,
    iso: string,
    by: { actor: string; party: string; role: string },
    event: string,
    from: string | null,
    to: string,
    hash: string,
  ) =>
    `${seq}. ${when(iso)} · ${by.actor} (${by.party}, ${by.role}) · ${event} · ${from ?? '—'} → ${to}${hash ? ` · ${hash.slice(0, 16)}` : ''}`;
  return {
    heading: AUDIT_HEADING,
    paragraphs: [
      `SHA-256 of the final text: ${contentHash}`,
      ...parties.map((party, index) => `SHA-256 of the ${party} original without these pages: ${bodyHashes[index]}`),
      `Each entry: sequence, time, who (party, role), event, state before → after, first 16 hex digits of the entry's hash in the audit chain.`,
      ...entries.map((entry) => line(entry.seq, entry.at, entry, entry.event, entry.from, entry.to, entry.hash)),
      line(
        entries.length + 1,
        at.toISOString(),
        { actor: freezing.by.email, party: freezing.by.party, role: freezing.by.role },
        freezing.event,
        freezing.from,
        freezing.to,
        '',
      ),
    ],
  };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
