import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import type { OriginalRevision } from '../../db/repositories/originals.repository.ts';
import { renderAgreementPdf } from '../pdf/render-pdf.ts';
import { buildAgreementDocument } from './agreement-document.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadAgreementSource } from './load-agreement.ts';
import type { AgreementText } from './agreement-text.ts';
import { createHash } from 'node:crypto';

/**
 * Renders the two final originals (one per party, alternat) when the agreement enters signing.
 * They are rendered once; every signature is applied to these stored bytes, never to a re-render.
 */
export async function renderFinalOriginals(deps: UseCaseDeps, record: AgreementRecord, text: AgreementText, at: Date): Promise<OriginalRevision[]> {
  const source = await loadAgreementSource(deps.db, record, text);
  const date = at.toISOString().slice(0, 10);
  return Promise.all(
    record.parties.map(async (party) => {
      const { pdf, signatureFields } = await renderAgreementPdf(buildAgreementDocument(source, { original: party, date, final: true }));
      return {
        agreementId: record.id,
        party,
        revision: 1,
        sha256: sha256(pdf),
        pdf,
        signatureFields,
        createdAt: at.toISOString(),
      };
    }),
  );
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
