import { buildAgreementDocument } from '../../server/agreements/agreement-document.ts';
import { libraryAgreementSource } from '../../server/demo/library-agreement.ts';
import type { AgreementDocument } from '../../server/pdf/document-model.ts';

/** An agreement source straight from the clause library with the demo parties; override what a test needs. */
export const buildAgreementSource = libraryAgreementSource;

export function buildDocument(overrides: Parameters<typeof buildAgreementSource>[0] = {}, original = 'sverdlovsk'): AgreementDocument {
  return buildAgreementDocument(buildAgreementSource(overrides), { original, date: '2018-07-20', final: false });
}
