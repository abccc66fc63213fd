import express, { Router } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { DomainError, MalformedRequestError } from '../errors.ts';
import { answerPartyOcsp, partyCrl } from '../signatures/revocation-publication.ts';

/** An OCSP request names a handful of certificates: a few hundred bytes. */
const MAX_OCSP_REQUEST_BYTES = '16kb';

/**
 * /pki/:party: what a party's CA publishes, public as CAs publish it (no sign-in; certificates point
 * here): its CRL (GET …/crl, application/pkix-crl, RFC 5280 §4.2.1.13) and its OCSP responder
 * (POST …/ocsp, application/ocsp-request, RFC 6960 appendix A).
 */
export function pkiRoutes(deps: UseCaseDeps): Router {
  const router = Router();

  router.get('/:party/crl', async (request, response) => {
    const crl = await partyCrl(deps, request.params.party);
    response.set({ 'Content-Type': 'application/pkix-crl', 'Cache-Control': 'no-cache' }).send(crl);
  });

  router.post(
    '/:party/ocsp',
    express.raw({ type: 'application/ocsp-request', limit: MAX_OCSP_REQUEST_BYTES }),
    async (request, response) => {
      if (request.is('application/ocsp-request') === false) {
        throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send a DER OCSP request as the body, with Content-Type: application/ocsp-request');
      }
      if (!Buffer.isBuffer(request.body) || request.body.length === 0)
        throw new MalformedRequestError('The body is empty; send an OCSP request');
      const answer = await answerPartyOcsp(deps, request.params.party, request.body);
      response.set({ 'Content-Type': 'application/ocsp-response', 'Cache-Control': 'no-store' }).send(answer);
    },
  );

  return router;
}
