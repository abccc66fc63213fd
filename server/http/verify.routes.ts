import express, { Router } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { verifyDocument } from '../agreements/verify-document.ts';
import { DomainError, MalformedRequestError } from '../errors.ts';
import { currentUser, requireUser } from './authentication.ts';

/** Large enough for any agreement with its signatures; a larger body answers 413. */
const MAX_PDF_BYTES = '30mb';

/** POST /api/verify: a PDF in (Content-Type: application/pdf), the verdict on its signatures out. */
export function verifyRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use(requireUser(deps));
  router.post('/', express.raw({ type: 'application/pdf', limit: MAX_PDF_BYTES }), async (request, response) => {
    // false: a body of another type; null: no body at all.
    if (request.is('application/pdf') === false) {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the PDF itself as the body, with Content-Type: application/pdf');
    }
    if (!Buffer.isBuffer(request.body) || request.body.length === 0)
      throw new MalformedRequestError('The body is empty; send the PDF to verify');
    response.set('Cache-Control', 'no-store').json(await verifyDocument(deps, currentUser(response), request.body));
  });
  return router;
}
