import { X509Certificate } from 'node:crypto';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Certificates parsed once per process, by pkijs and by Node. A signature handles the same few
 * certificates many times over (the signer's and its CA's in the CMS, the CRL and the OCSP answer; the
 * unit's in every token), and pkijs both checks a certificate against its whole schema as it parses it
 * and, to encode one, parses its to-be-signed part again. The objects are shared: callers read them,
 * never change them.
 */
class EncodedOnceCertificate extends pkijs.Certificate {
  private encoded: asn1js.Sequence | undefined;

  override toSchema(encodeFlag = false): asn1js.Sequence {
    if (encodeFlag) return super.toSchema(true);
    this.encoded ??= super.toSchema(false);
    return this.encoded;
  }
}

/** A process signs for a few parties and checks a few authorities; a bound keeps hostile input from growing it. */
const MAX_REMEMBERED = 256;

const remembered = new Map<string, pkijs.Certificate>();
const rememberedX509 = new Map<string, X509Certificate>();

const keyOf = (certificate: string | Uint8Array) =>
  typeof certificate === 'string' ? certificate : Buffer.from(certificate).toString('base64');

function rememberedIn<T>(cache: Map<string, T>, key: string, parse: () => T): T {
  const known = cache.get(key);
  if (known) return known;
  const parsed = parse();
  if (cache.size >= MAX_REMEMBERED) cache.delete(cache.keys().next().value!);
  cache.set(key, parsed);
  return parsed;
}

/** The certificate, PEM or DER, as pkijs reads it; throws when it is not one. */
export function pkijsCertificate(certificate: string | Uint8Array): pkijs.Certificate {
  return rememberedIn(remembered, keyOf(certificate), () =>
    EncodedOnceCertificate.fromBER(typeof certificate === 'string' ? x509Certificate(certificate).raw : certificate),
  );
}

/**
 * The certificate, PEM or DER, as Node reads it (its names, dates, key, issuer checks), parsed once
 * per process: the same few certificates are read for every timestamp, OCSP answer and signature,
 * and parsing them again was a few percent of a signing's server time. Throws when it is not one.
 */
export function x509Certificate(certificate: string | Uint8Array): X509Certificate {
  return rememberedIn(rememberedX509, keyOf(certificate), () => new X509Certificate(certificate));
}
