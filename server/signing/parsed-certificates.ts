import { X509Certificate } from 'node:crypto';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * pkijs certificates parsed once per process. A signature handles the same few certificates many
 * times over (the signer's and its CA's in the CMS, the CRL and the OCSP answer; the unit's in every
 * token), and pkijs both checks a certificate against its whole schema as it parses it and, to encode
 * one, parses its to-be-signed part again. The objects are shared: callers read them, never change them.
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

/** The certificate, PEM or DER, as pkijs reads it; throws when it is not one. */
export function pkijsCertificate(certificate: string | Uint8Array): pkijs.Certificate {
  const key = typeof certificate === 'string' ? certificate : Buffer.from(certificate).toString('base64');
  const known = remembered.get(key);
  if (known) return known;
  const der = typeof certificate === 'string' ? new X509Certificate(certificate).raw : certificate;
  const parsed = EncodedOnceCertificate.fromBER(der);
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  remembered.set(key, parsed);
  return parsed;
}
