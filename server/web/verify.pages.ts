import { Router, type RequestHandler } from 'express';
import multer from 'multer';
import { listParties } from '../../db/repositories/parties.repository.ts';
import { titleForReader } from '../agreements/agreement-titles.ts';
import { verifyDocument } from '../agreements/verify-document.ts';
import { DomainError, ERROR_TABLE, MalformedRequestError } from '../errors.ts';
import { verifyFormProblem } from './event-form-problem.ts';
import { DEFAULT_TIME_ZONE } from './i18n.ts';
import { pageLanguage, sendPage, type PageServices } from './page.ts';
import { sayVerifyMessage } from './verify-messages.ts';
import { webUser } from './web-session.ts';
import { findUsersByEmails } from '../../db/repositories/users.repository.ts';
import { personName } from './person-name.ts';

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
    const user = webUser(response);
    const lang = await pageLanguage(services.deps, request, user);
    let result: Awaited<ReturnType<typeof verifyDocument>>;
    try {
      if (!file || file.size === 0) throw new MalformedRequestError('Choose the PDF to verify', { field: 'pdf' });
      result = await verifyDocument(services.deps, user, file.buffer);
    } catch (error) {
      // No file, not a PDF, or one beyond what is read: said at the file field. Anything else (the server busy) keeps the error page.
      if (!(error instanceof DomainError && (error.code === 'MALFORMED_REQUEST' || error.code === 'RULE_VIOLATION'))) throw error;
      return sendPage(
        services,
        request,
        response,
        'verify',
        { title: 'verify.title', section: 'verify', status: ERROR_TABLE[error.code].status },
        { problem: verifyFormProblem(lang, error) },
      );
    }
    // The verification names parties by key and the agreement by its stored name: the page names both as the reader reads them.
    const parties = await listParties(services.deps.db);
    const partyName = (key: string | null | undefined) =>
      key ? (parties.find((party) => party.key === key)?.names[lang].short ?? key) : undefined;
    // A trusted signer who is one of the party's users is named as the pages name them (Пак Чжон Ый on a
    // Russian page); any other keeps the name in the certificate, which is all that vouches for it.
    const signerUsers = await findUsersByEmails(
      services.deps.db,
      result.signatures.flatMap((signature) => (signature.trusted && signature.signer?.email ? [signature.signer.email] : [])),
    );
    const signerName = (signature: (typeof result.signatures)[number]) => {
      const person =
        signature.trusted && signerUsers.find((found) => found.email === signature.signer?.email && found.party === signature.party);
      return person ? personName(person, lang) : signature.signer?.name;
    };
    const known = result.knownOriginal;
    const readerLanguage = parties.find((party) => party.key === user.party)?.language ?? lang;
    const reader = {
      lang,
      timeZone: user.timeZone ?? parties.find((party) => party.key === user.party)?.timeZone ?? DEFAULT_TIME_ZONE,
      partyName: (key: string) => partyName(key) ?? key,
    };
    await sendPage(
      services,
      request,
      response,
      'verify',
      { title: 'verify.title', section: 'verify' },
      {
        result: {
          ...result,
          knownOriginal: known && {
            ...known,
            title: await titleForReader(services.deps.db, { id: known.agreementId, title: known.title }, [lang, readerLanguage]),
            partyName: partyName(known.original),
          },
          signatures: result.signatures.map((signature) => ({
            ...signature,
            signer: signature.signer && { ...signature.signer, name: signerName(signature) },
            partyName: partyName(signature.party),
            problems: signature.problemFindings.map((problem) => sayVerifyMessage(reader, problem, 'problem')),
            warnings: signature.warningFindings.map((warning) => sayVerifyMessage(reader, warning, 'warning')),
          })),
        },
        filename: file.originalname,
      },
    );
  });

  return router;
}
