import { Router } from 'express';
import { findLastApprovalBy } from '../../db/repositories/approvals.repository.ts';
import { compareVersions } from '../agreements/compare-versions.ts';
import { listVersions, VERSIONS_PAGE_SIZE } from '../agreements/list-versions.ts';
import { findParty } from '../../db/repositories/parties.repository.ts';
import { findUsersByEmails } from '../../db/repositories/users.repository.ts';
import { titleForReader } from '../agreements/agreement-titles.ts';
import { loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { redlineDocx } from '../agreements/redline-docx.ts';
import { redlinePdf } from '../agreements/redline-pdf.ts';
import { MalformedRequestError } from '../errors.ts';
import { parseId } from '../http/parse.ts';
import { sendDocx, sendPdf } from '../http/send-document.ts';
import { pageLanguage, sendPage, type PageServices } from './page.ts';
import { personName } from './person-name.ts';
import { webUser } from './web-session.ts';

/**
 * What changed in the text: by default since the user's last approval, else between versions they
 * pick; a word diff per clause and language, as printed in the user's party's original.
 */
export function comparePages(services: PageServices): Router {
  const router = Router();
  const { deps } = services;

  router.get('/agreements/:id/compare', async (request, response) => {
    const user = webUser(response);
    const record = await loadVisibleAgreement(deps.db, parseId(request.params.id), user);
    const lastApproval = await findLastApprovalBy(deps.db, record.id, user.id);
    const asked = typeof request.query.from === 'string' ? request.query.from : undefined;
    const from = asked ?? (lastApproval ? 'my-last-approval' : undefined);
    const comparison = from === undefined ? undefined : await compareVersions(deps, user, record.id, from, undefined);
    const lang = await pageLanguage(deps, request, user);
    const partyLanguage = (await findParty(deps.db, user.party))?.language ?? lang;
    const { versions } = await listVersions(deps, user, record.id, { limit: VERSIONS_PAGE_SIZE.max });
    // People are named in the reader's language, as the timeline names them; an address no user has stays as it is.
    const authors = new Map(
      (await findUsersByEmails(deps.db, [...new Set(versions.map((version) => version.createdBy))])).map((author) => [
        author.email,
        personName(author, lang),
      ]),
    );
    await sendPage(
      services,
      request,
      response,
      'compare',
      { title: 'compare.title', titleValues: { id: record.id }, section: 'agreements' },
      {
        agreement: record,
        /** In the reader's language, from the text's title clause, as on the agreement page. */
        agreementTitle: await titleForReader(deps.db, record, [lang, partyLanguage]),
        sinceMyApproval: from === 'my-last-approval',
        lastApproval,
        // The newest versions, as many as one page holds; an older one can still be named in ?from=.
        versions: versions.map((version) => ({
          ...version,
          author: authors.get(version.createdBy) ?? version.createdBy,
          selected: String(version.version) === asked,
        })),
        comparison: comparison && {
          ...comparison,
          changed: comparison.clauses
            .filter((clause) => clause.change !== 'unchanged')
            .map((clause) => ({ ...clause, languages: record.languages.map((lang) => ({ lang, runs: clause.languages[lang] ?? [] })) })),
        },
      },
    );
  });

  // The same comparison to take away, in the user's party's original: set by the typesetter, or as Word's tracked changes.
  router.get('/agreements/:id/redline.pdf', async (request, response) => {
    sendPdf(response, await redlinePdf(deps, webUser(response), parseId(request.params.id), redlineQuery(request.query)));
  });
  router.get('/agreements/:id/redline.docx', async (request, response) => {
    const query = { ...redlineQuery(request.query), layout: undefined };
    sendDocx(response, await redlineDocx(deps, webUser(response), parseId(request.params.id), query));
  });

  return router;
}

function redlineQuery(query: Record<string, unknown>) {
  const { from, to } = query;
  if (typeof from !== 'string' || (to !== undefined && typeof to !== 'string')) {
    throw new MalformedRequestError('A comparison names from=<version> and optionally to=<version>');
  }
  return { original: undefined, from, to };
}
