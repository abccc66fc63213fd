import type { AgreementSource } from './agreement-document.ts';
import { buildAgreementDocument } from './agreement-document.ts';
import { assertDrawable } from '../pdf/render-pdf.ts';

/**
 * Renders the text of both originals without drawing them, so a template error, a markup outside
 * the subset or a character no font can draw is refused when it is written, not when it is signed.
 */
export function assertRenderable(source: AgreementSource, today: string): void {
  for (const party of source.parties) {
    assertDrawable(buildAgreementDocument(source, { original: party.key, date: today, final: false }));
  }
}
