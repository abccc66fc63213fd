import express, { Router } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { exportDocx } from '../agreements/export-docx.ts';
import { importDocx } from '../agreements/import-docx.ts';
import { redlineDocx } from '../agreements/redline-docx.ts';
import { DomainError, MalformedRequestError } from '../errors.ts';
import { currentUser, requireUser } from './authentication.ts';
import { parseId, parseQueryInteger } from './parse.ts';
import { DOCX_TYPE, sendDocx } from './send-document.ts';

/** A marked-up agreement is a few hundred kilobytes; a larger body answers 413. */
const MAX_DOCX_BYTES = '10mb';

/** /api/agreements/:id/docx: the draft out as a Word file (or a redline of two versions), and back in as suggestions. */
export function wordRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use('/:id/docx', requireUser(deps));

  router.get('/:id/docx', async (request, response) => {
    const { original, layout, from, to } = request.query;
    const id = parseId(request.params.id);
    if (from === undefined && to === undefined) {
      sendDocx(response, await exportDocx(deps, currentUser(response), id, { original, layout }));
      return;
    }
    if (typeof from !== 'string' || (to !== undefined && typeof to !== 'string')) {
      throw new MalformedRequestError('A redline takes from=<version> and optionally to=<version> (default: the current one)');
    }
    sendDocx(response, await redlineDocx(deps, currentUser(response), id, { original, layout, from, to }));
  });

  router.post('/:id/docx', express.raw({ type: DOCX_TYPE, limit: MAX_DOCX_BYTES }), async (request, response) => {
    if (request.is(DOCX_TYPE) === false) {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `Send the Word file itself as the body, with Content-Type: ${DOCX_TYPE}`);
    }
    if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw new MalformedRequestError('The body is empty; send the DOCX');
    const expectedVersion = parseQueryInteger(request.query.expectedVersion, 'expectedVersion');
    const id = parseId(request.params.id);
    response.status(201).json(await importDocx(deps, currentUser(response), id, expectedVersion, request.body));
  });

  return router;
}
