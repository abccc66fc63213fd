import { Router, type RequestHandler } from 'express';
import multer from 'multer';
import { verifyDocument } from '../agreements/verify-document.ts';
import { MalformedRequestError } from '../errors.ts';
import { sendPage, type PageServices } from './page.ts';
import { webUser } from './web-session.ts';

/** As large as the API accepts (30 MB): any agreement with its signatures. */
const MAX_PDF_BYTES = 30 * 1024 * 1024;

/**
 * Parses the verify form (multipart, one file) into memory. It runs before the CSRF check, which then
 * finds the token among the parsed fields; it parses nothing on any other path.
 */
export const verifyUpload: RequestHandler = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_PDF_BYTES, files: 1, fields: 5 },
}).single('pdf');

/** The verify page: upload a PDF, see whether its signatures hold and whether it is one of our originals. */
export function verifyPages(services: PageServices): Router {
  const router = Router();

  router.get('/verify', async (request, response) => {
    await sendPage(services, request, response, 'verify', { title: 'verify.title', section: 'verify' });
  });

  router.post('/verify', async (request, response) => {
    const file = request.file;
    if (!file || file.size === 0) throw new MalformedRequestError('Choose the PDF to verify');
    const result = await verifyDocument(services.deps, webUser(response), file.buffer);
    await sendPage(
      services,
      request,
      response,
      'verify',
      { title: 'verify.title', section: 'verify' },
      { result, filename: file.originalname },
    );
  });

  return router;
}
