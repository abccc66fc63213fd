import { Router } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { clauseLibrary } from '../text/clause-library.ts';
import { requireUser } from './authentication.ts';

/** GET /api/library: the kinds of agreement and the bilingual clause library legal staff draft from. */
export function libraryRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use(requireUser(deps));
  router.get('/', (_request, response) => {
    const { kinds, clauses } = clauseLibrary();
    response.json({
      kinds: [...kinds.values()].map(({ kind, binding, title, clauses: keys }) => ({ kind, binding, title, clauses: keys })),
      clauses: [...clauses.values()].map(({ key, texts }) => ({ key, texts })),
    });
  });
  return router;
}
