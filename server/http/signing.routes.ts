import { Router } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { NotFoundError } from '../errors.ts';
import { completeExternalSignature, externalSignatureInput } from '../signatures/complete-external-signature.ts';
import { listPartyTrustAnchors } from '../signatures/list-trust-anchors.ts';
import { registerSigningCredential, registerSigningCredentialInput } from '../signatures/register-signing-credential.ts';
import { registerTrustAnchor, registerTrustAnchorInput } from '../signatures/register-trust-anchor.ts';
import { requestExternalSignature } from '../signatures/request-external-signature.ts';
import { retireTrustAnchor, retireTrustAnchorInput } from '../signatures/retire-trust-anchor.ts';
import { revokeSigningCredential, revokeSigningCredentialInput } from '../signatures/revoke-signing-credential.ts';
import { showSigningCredential } from '../signatures/show-signing-credential.ts';
import { currentUser, requireUser } from './authentication.ts';
import { parseBody, parseId } from './parse.ts';

/**
 * Certificates and external signing, mounted at /api: a signatory's signing certificate, a party's
 * trust anchors, and the signing-request / signature round trip for keys the server never holds.
 * Authentication is per route, so other /api paths are not answered here.
 */
export function signingRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  const signedIn = requireUser(deps);
  const noStore = { 'Cache-Control': 'no-store' };

  router.post('/signatories/:email/credentials', signedIn, async (request, response) => {
    const input = parseBody(registerSigningCredentialInput, request.body);
    const registered = await registerSigningCredential(deps, currentUser(response), pathParameter(request.params.email), input);
    response.status(201).set(noStore).json(registered);
  });

  router.get('/signatories/:email/credentials', signedIn, async (request, response) => {
    response.set(noStore).json(await showSigningCredential(deps, currentUser(response), pathParameter(request.params.email)));
  });

  router.post('/signatories/:email/credentials/revocation', signedIn, async (request, response) => {
    const input = parseBody(revokeSigningCredentialInput, request.body);
    const revoked = await revokeSigningCredential(deps, currentUser(response), pathParameter(request.params.email), input);
    response.status(201).json(revoked);
  });

  router.get('/parties/:party/trust-anchors', signedIn, async (request, response) => {
    response.json(await listPartyTrustAnchors(deps, currentUser(response), pathParameter(request.params.party)));
  });

  router.post('/parties/:party/trust-anchors', signedIn, async (request, response) => {
    const input = parseBody(registerTrustAnchorInput, request.body);
    response.status(201).json(await registerTrustAnchor(deps, currentUser(response), pathParameter(request.params.party), input));
  });

  router.post('/parties/:party/trust-anchors/:id/retire', signedIn, async (request, response) => {
    const input = parseBody(retireTrustAnchorInput, request.body);
    const id = parseId(pathParameter(request.params.id));
    response.json(await retireTrustAnchor(deps, currentUser(response), pathParameter(request.params.party), id, input));
  });

  router.get('/agreements/:id/signing-request', signedIn, async (request, response) => {
    const prepared = await requestExternalSignature(
      deps,
      currentUser(response),
      parseId(pathParameter(request.params.id)),
      request.query.original,
    );
    response.set(noStore).json(prepared);
  });

  router.post('/agreements/:id/signature', signedIn, async (request, response) => {
    const input = parseBody(externalSignatureInput, request.body);
    const outcome = await completeExternalSignature(deps, currentUser(response), parseId(pathParameter(request.params.id)), input);
    response.status(outcome.complete ? 200 : 202).json(outcome);
  });

  return router;
}

/** A path segment as one string (express types allow an array for wildcard segments, which these routes do not have). */
function pathParameter(value: string | string[] | undefined): string {
  if (typeof value !== 'string') throw new NotFoundError('No such resource');
  return value;
}
