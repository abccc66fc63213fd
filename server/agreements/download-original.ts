import { findLatestOriginal } from '../../db/repositories/originals.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { stateHasTag } from '../../workflows/agreement/agreement.workflow.ts';
import { MalformedRequestError } from '../errors.ts';
import { renderAgreementPdfIsolated } from '../pdf/isolated-rendering.ts';
import { buildAgreementDocument } from './agreement-document.ts';
import type { UseCaseDeps } from './deps.ts';
import { sha256 } from './freeze-originals.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement } from './load-agreement.ts';

export interface DownloadedOriginal {
  readonly pdf: Buffer;
  readonly sha256: string;
  readonly filename: string;
  /** A draft is rendered from the current text; a final original is the stored (signed) file. */
  readonly final: boolean;
}

/**
 * A party's original. Before signing it is a draft rendered from the current text with the DRAFT
 * mark; from signing on (in force, expired or terminated too) it is the stored file, with every
 * signature made so far.
 */
export async function downloadOriginal(deps: UseCaseDeps, user: User, agreementId: number, original: unknown): Promise<DownloadedOriginal> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  if (typeof original !== 'string' || !record.parties.includes(original)) {
    throw new MalformedRequestError(`original must be one of the parties: ${record.parties.join(', ')}`);
  }
  const filename = `agreement-${record.id}-${original}`;
  if (stateHasTag(record.workflow, 'originals-frozen')) {
    const stored = await findLatestOriginal(deps.db, record.id, original);
    if (!stored) throw new Error(`agreement ${record.id} is in ${record.state} but has no stored original for ${original}`);
    const suffix = stateHasTag(record.workflow, 'originals-signed') ? 'signed' : `revision-${stored.revision}`;
    return { pdf: stored.pdf, sha256: stored.sha256, filename: `${filename}-${suffix}.pdf`, final: true };
  }
  const source = await loadAgreementSource(deps.db, record, (await loadText(deps.db, record)).text);
  const { pdf } = await renderAgreementPdfIsolated(
    buildAgreementDocument(source, { original, date: record.updatedAt.slice(0, 10), final: false }),
  );
  return { pdf, sha256: sha256(pdf), filename: `${filename}-draft-v${record.version}.pdf`, final: false };
}
