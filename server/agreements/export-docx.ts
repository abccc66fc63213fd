import type { User } from '../../db/repositories/users.repository.ts';
import { authorize } from '../auth/policy.ts';
import { MalformedRequestError } from '../errors.ts';
import { wordDraftOf } from '../word/agreement-word.ts';
import { writeDocx } from '../word/docx-writer.ts';
import { PROPERTY } from '../word/draft-units.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement } from './load-agreement.ts';

export interface ExportedDocx {
  readonly docx: Buffer;
  readonly filename: string;
}

/** Which original and layout a Word file is asked for; 400 naming what is wrong. */
export function wordOptions(
  parties: readonly string[],
  original: unknown,
  layout: unknown,
  fallback: 'parallel' | 'sequential',
): { original: string; layout: 'parallel' | 'sequential' } {
  if (typeof original !== 'string' || !parties.includes(original)) {
    throw new MalformedRequestError(`original must be one of the parties: ${parties.join(', ')}`);
  }
  if (layout !== undefined && layout !== 'parallel' && layout !== 'sequential') {
    throw new MalformedRequestError('layout must be parallel or sequential');
  }
  return { original, layout: layout ?? fallback };
}

/**
 * The current text of a party's original as a Word file, for legal departments that read and mark up
 * drafts in Word. It names the agreement, version, original and date in custom document properties
 * and every paragraph's clause and language in a bookmark, so the file can come back (import-docx.ts).
 */
export async function exportDocx(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  query: { original: unknown; layout: unknown },
): Promise<ExportedDocx> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'original.download');
  const text = await loadText(deps.db, record);
  const { original, layout } = wordOptions(record.parties, query.original, query.layout, text.text.variables.layout);
  const date = record.updatedAt.slice(0, 10);
  const at = { source: await loadAgreementSource(deps.db, record, text.text), today: date };
  const docx = await writeDocx(
    wordDraftOf(at, { original, date }, layout, {
      header: `DRAFT - version ${record.version} - ${date}`,
      properties: {
        [PROPERTY.agreement]: String(record.id),
        [PROPERTY.version]: String(record.version),
        [PROPERTY.original]: original,
        [PROPERTY.date]: date,
        [PROPERTY.layout]: layout,
      },
    }),
  );
  return { docx, filename: `agreement-${record.id}-${original}-draft-v${record.version}.docx` };
}
