import type { Lang } from '../text/languages.ts';
import { formatDateTime, translate } from './i18n.ts';

/**
 * The verification's problems and warnings as the verify page says them. The API keeps its English
 * sentences (integrations and logs read them); the page reads each back by its shape, as the timeline
 * reads the audit, into a message of verify.message.* in the reader's language with the moments in the
 * reader's zone. A sentence no pattern knows is said in general words, its English kept behind
 * "technical details", so a Russian or Korean page never shows an English sentence as the answer.
 */
interface Reading {
  readonly pattern: RegExp;
  readonly key: string;
  /** The pattern's groups by name: moments (ISO) in the reader's zone, parties by their name, the rest as they are. */
  readonly values?: readonly (readonly [name: string, kind: 'moment' | 'party' | 'reason' | 'text'])[];
}

const ISO = '(\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z)';

const READINGS: readonly Reading[] = [
  { pattern: /^the bytes it covers have changed since signing/, key: 'changed' },
  { pattern: /^the CMS signature does not verify/, key: 'signatureBroken' },
  {
    pattern: /^(?:the signature could not be read|\/Contents |the CMS |the hole left by \/ByteRange|\/ByteRange |\/SubFilter )/,
    key: 'malformed',
  },
  { pattern: /^the signer's certificate was not issued by any party's CA/, key: 'unknownIssuer' },
  {
    pattern: /^the signer's certificate names (.+)'s CA as its issuer but does not chain to it/,
    key: 'impersonated',
    values: [['party', 'party']],
  },
  { pattern: /^the signer's chain reaches CAs registered by more than one party/, key: 'severalParties' },
  {
    pattern: new RegExp(`^a certificate on (?:the signer's chain|its chain to .+'s trust anchors) (?:was|is) not valid at ${ISO}`),
    key: 'chainNotValid',
    values: [['at', 'moment']],
  },
  { pattern: /^it does not chain to any of (.+)'s trust anchors/, key: 'notChained', values: [['party', 'party']] },
  { pattern: /^(.+) has no trust anchor in service/, key: 'noAnchor', values: [['party', 'party']] },
  {
    pattern: new RegExp(`^the signer's certificate was revoked at ${ISO} \\(([^)]*)\\), before`),
    key: 'revokedBefore',
    values: [
      ['at', 'moment'],
      ['reason', 'reason'],
    ],
  },
  {
    pattern: new RegExp(`^the signer's certificate was revoked at ${ISO} \\(([^)]*)\\), after`),
    key: 'revokedAfter',
    values: [
      ['at', 'moment'],
      ['reason', 'reason'],
    ],
  },
  { pattern: /^its revocation was not checked/, key: 'revocationUnchecked' },
  { pattern: new RegExp(`^it expired at ${ISO}`), key: 'expired', values: [['at', 'moment']] },
  { pattern: new RegExp(`^it is not valid before ${ISO}`), key: 'notYetValid', values: [['at', 'moment']] },
  {
    pattern: /^(?:it states no key usage|its key usage allows neither|the signer's certificate may not be used for signatures)/,
    key: 'keyUsage',
  },
  { pattern: /^(?:it is a CA certificate|it is signed with a CA's own certificate|it is a trust anchor itself)/, key: 'caCertificate' },
  { pattern: /^(?:no signing time|the signing time \(\/M\) is not a PDF date)/, key: 'signingTime' },
  {
    pattern: new RegExp(`^the claimed signing time \\(/M\\) ${ISO} disagrees with the timestamp ${ISO}`),
    key: 'signingTimeDisagrees',
    values: [
      ['claimed', 'moment'],
      ['stamped', 'moment'],
    ],
  },
  {
    pattern: new RegExp(`^the timestamp of ${ISO} by "([^"]*)" is not proven`),
    key: 'timestampUnproven',
    values: [
      ['at', 'moment'],
      ['authority', 'text'],
    ],
  },
  { pattern: /^the signature carries \d+ signature timestamps/, key: 'timestamps' },
  {
    pattern: /^the (?:digest algorithm|content-type attribute|signing-certificate-v2 attribute)|^the CMS has no signed attributes/,
    key: 'attributes',
  },
  { pattern: /^it is signed by nobody: it changes the document after the last signature/, key: 'unsignedChange' },
  { pattern: /^\d+ bytes follow the last revision's %%EOF/, key: 'trailingBytes' },
  {
    pattern:
      /^(?:it could not be read|its startxref|no cross-reference section|it defines object|it deletes object|its cross-reference section|it encrypts|it replaces the)/,
    key: 'revisionStructure',
  },
];

export interface SaidMessage {
  /** In the reader's language. */
  readonly text: string;
  /** The verification's own words, for "technical details". */
  readonly technical: string;
}

/** Pure: one problem or warning of the verification, in the reader's language and zone. */
export function sayVerifyMessage(
  reader: { readonly lang: Lang; readonly timeZone: string; readonly partyName: (key: string) => string },
  message: string,
  kind: 'problem' | 'warning',
): SaidMessage {
  const { lang } = reader;
  for (const reading of READINGS) {
    const match = reading.pattern.exec(message);
    if (!match) continue;
    const values = Object.fromEntries(
      (reading.values ?? []).map(([name, type], index) => {
        const value = match[index + 1] ?? '';
        if (type === 'moment') return [name, formatDateTime(lang, value, reader.timeZone)];
        if (type === 'reason')
          return [name, translate(lang, `verify.reason.${value}`, { fallback: translate(lang, 'verify.reason.unspecified') })];
        return [name, type === 'party' ? reader.partyName(value) : value];
      }),
    );
    return { text: translate(lang, `verify.message.${reading.key}`, values), technical: message };
  }
  return { text: translate(lang, `verify.message.other.${kind}`), technical: message };
}
