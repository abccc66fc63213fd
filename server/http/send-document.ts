import type { Response } from 'express';
import type { DownloadedOriginal } from '../agreements/download-original.ts';

/** A party's original as a download: its SHA-256 in a header, never cached by anyone but the user. */
export function sendOriginal(response: Response, original: DownloadedOriginal): void {
  response
    .type('application/pdf')
    .attachment(original.filename)
    .set('X-Content-SHA256', original.sha256)
    .set('Cache-Control', 'private, no-store')
    .send(original.pdf);
}

/** A PDF made on request (a redline): no stored original, so no hash to name. */
export function sendPdf(response: Response, rendered: { pdf: Buffer; filename: string }): void {
  response.type('application/pdf').attachment(rendered.filename).set('Cache-Control', 'private, no-store').send(rendered.pdf);
}

export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** A Word file of the text: private to the user, like the originals. */
export function sendDocx(response: Response, exported: { docx: Buffer; filename: string }): void {
  response.type(DOCX_TYPE).attachment(exported.filename).set('Cache-Control', 'private, no-store').send(exported.docx);
}

/** The HTML preview under its own policy: only its stylesheet and our font, nothing that runs. */
export function sendPreview(response: Response, preview: { html: string; contentSecurityPolicy: string }): void {
  response
    .type('html')
    .set('Content-Security-Policy', preview.contentSecurityPolicy)
    .set('Cache-Control', 'private, no-store')
    .send(preview.html);
}
