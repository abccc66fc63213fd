import type { Party, PersonProfile } from '../../db/stored-shapes.ts';
import { rsaKeyEndsAt } from './cryptographic-strength.ts';
import {
  createCertificateAuthority,
  type IssuedCredential,
  issueSigningCertificate,
  type RevocationUrls,
  SIGNATORY_KEY_BITS,
} from './pki.ts';

/**
 * The demo PKI: a CA per government and a signing certificate per signatory, named after the party and
 * the person. Keys and certificates out, nothing stored (server/demo/issue-demo-credentials.ts stores
 * them). The validity starts in 2010 so the seed's 2012 letter of intent is signed within it.
 */

const COUNTRY_OF_LANGUAGE: Record<string, string> = { ru: 'RU', ko: 'KR', en: 'GB' };
const DEMO_VALIDITY_START = new Date('2010-01-01T00:00:00Z');

type DemoParty = Pick<Party, 'names' | 'language'>;

/** The party's demo signing CA, valid for 20 years from `now`. */
export function issueDemoCertificateAuthority(party: DemoParty, now: Date): Promise<IssuedCredential> {
  return createCertificateAuthority(
    { commonName: `${party.names.en.short} Demo Signing CA`, ...organizationOf(party) },
    { notBefore: DEMO_VALIDITY_START, notAfter: addYears(now, 20) },
  );
}

/**
 * A signatory's demo signing certificate from their party's CA, naming where the CA publishes
 * revocations: valid for 10 years from `now`, but not past its key's strength (an RSA-2048 key is
 * counted on until 2031), so that nothing it signs is made with a key nobody counts on.
 */
export function issueDemoSigningCertificate(
  certificateAuthority: IssuedCredential,
  party: DemoParty,
  signatory: { readonly email: string; readonly profile: PersonProfile },
  now: Date,
  revocationUrls: RevocationUrls,
): Promise<IssuedCredential> {
  return issueSigningCertificate(
    certificateAuthority,
    {
      commonName: signatory.profile.name[party.language],
      ...organizationOf(party),
      email: signatory.email,
      title: signatory.profile.title.en,
    },
    { notBefore: DEMO_VALIDITY_START, notAfter: earliest(addYears(now, 10), rsaKeyEndsAt(SIGNATORY_KEY_BITS)) },
    revocationUrls,
  );
}

function organizationOf(party: DemoParty): { organization: string; country: string } {
  return { organization: party.names.en.name.replace(/^the /, 'The '), country: COUNTRY_OF_LANGUAGE[party.language] ?? 'ZZ' };
}

function earliest(date: Date, other: Date | undefined): Date {
  return other && other < date ? other : date;
}

function addYears(date: Date, years: number): Date {
  const result = new Date(date);
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}
