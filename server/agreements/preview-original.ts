import type { User } from '../../db/repositories/users.repository.ts';
import { findFreezeTime } from '../../db/repositories/originals.repository.ts';
import { MalformedRequestError } from '../errors.ts';
import { renderPreview, type PreviewBack } from '../preview/preview-html.ts';
import { buildAgreementDocument } from './agreement-document.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement } from './load-agreement.ts';

/**
 * The HTML preview of a party's original, from the same document model as the PDF: the current text
 * as a draft before signing, the frozen text from signing on.
 */
export async function previewOriginal(deps: UseCaseDeps, user: User, agreementId: number, original: unknown, back?: PreviewBack) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  if (typeof original !== 'string' || !record.parties.includes(original)) {
    throw new MalformedRequestError(`original must be one of the parties: ${record.parties.join(', ')}`);
  }
  const text = await loadText(deps.db, record);
  // From signing on, the date printed is the one the originals were frozen with.
  const frozenAt = await findFreezeTime(deps.db, record.id);
  const source = await loadAgreementSource(deps.db, record, text.text);
  return renderPreview(
    buildAgreementDocument(source, { original, date: (frozenAt ?? record.updatedAt).slice(0, 10), final: frozenAt !== undefined }),
    back,
  );
}
