import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe, which needs Reflect.getMetadata at import time
import * as x509 from '@peculiar/x509';
import type { Config } from '../config.ts';
import { ocspRequestFor } from '../signing/revocation-data.ts';

/**
 * Revocation data of a CA this server does not hold (a registered CA, an outside time-stamping
 * authority's), fetched from the URLs its certificate names, but only from hosts the deployment allows
 * (REVOCATION_FETCH_HOSTS); any other URL is never fetched. Used when the DSS is made
 * (extend-long-term-validation.ts), so that verification itself stays offline: it reads the DSS.
 */

const TIMEOUT_MS = 10_000;
/** A CRL of a government CA is a few KiB; 4 MiB is ample and bounds a hostile answer. */
const MAX_BYTES = 4 * 1024 * 1024;

/** What a certificate's CA published about it: its CRL and an OCSP answer, each when an allowed URL gave it. */
export interface FetchedRevocationData {
  readonly crls: readonly Buffer[];
  readonly ocspResponses: readonly Buffer[];
}

/** Whether `url` may be fetched: http(s) on a host of REVOCATION_FETCH_HOSTS. */
export function isAllowedRevocationUrl(config: Pick<Config, 'revocationFetchHosts'>, url: string): boolean {
  try {
    const parsed = new URL(url);
    return ['http:', 'https:'].includes(parsed.protocol) && (config.revocationFetchHosts ?? []).includes(parsed.hostname.toLowerCase());
  } catch {
    return false;
  }
}

/** The CRL from each allowed distribution point and the answer of each allowed OCSP responder the certificate names; failures are skipped (the DSS is then without them). */
export async function fetchRevocationData(
  config: Pick<Config, 'revocationFetchHosts'>,
  certificatePem: string,
  issuerPem: string,
  log: (message: string) => void = (message) => console.warn(message),
  fetchImpl: typeof fetch = fetch,
): Promise<FetchedRevocationData> {
  const certificate = new x509.X509Certificate(certificatePem);
  const crlUrls = (certificate.getExtension(x509.CRLDistributionPointsExtension)?.distributionPoints ?? []).flatMap((point) =>
    (point.distributionPoint?.fullName ?? []).flatMap((name) => (name.uniformResourceIdentifier ? [name.uniformResourceIdentifier] : [])),
  );
  const ocspUrls = (certificate.getExtension(x509.AuthorityInfoAccessExtension)?.ocsp ?? [])
    .filter((name) => name.type === 'url')
    .map((name) => name.value);
  const crls: Buffer[] = [];
  const ocspResponses: Buffer[] = [];
  for (const url of crlUrls.filter((candidate) => isAllowedRevocationUrl(config, candidate))) {
    const body = await fetchBounded(fetchImpl, url, { method: 'GET', headers: { accept: 'application/pkix-crl' } }, log);
    if (body) crls.push(body);
  }
  for (const url of ocspUrls.filter((candidate) => isAllowedRevocationUrl(config, candidate))) {
    const body = await fetchBounded(
      fetchImpl,
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
        body: await ocspRequestFor(certificatePem, issuerPem),
      },
      log,
    );
    if (body) ocspResponses.push(body);
  }
  return { crls, ocspResponses };
}

async function fetchBounded(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  log: (message: string) => void,
): Promise<Buffer | undefined> {
  try {
    const response = await fetchImpl(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = Buffer.from(await response.arrayBuffer());
    if (!response.ok || body.length > MAX_BYTES) {
      log(`revocation data from ${url}: HTTP ${response.status}, ${body.length} bytes; left out of the DSS`);
      return undefined;
    }
    return body;
  } catch (error) {
    log(
      `revocation data from ${url} could not be fetched (${error instanceof Error ? error.message : String(error)}); left out of the DSS`,
    );
    return undefined;
  }
}
