import { expect } from 'chai';
import { FINDING_VALUES, type Finding, type FindingCode, finding } from '../../server/signing/verification-findings.ts';
import { messageCatalogs } from '../../server/web/i18n.ts';
import { sayVerifyMessage } from '../../server/web/verify-messages.ts';
import { LANGUAGES } from '../../server/text/languages.ts';

/** One finding of every code, as the verification makes it (a new code does not compile until it has one here). */
const ONE_OF_EACH = {
  changed: finding('changed', 'the bytes it covers have changed since signing: their digest is not the signed message-digest'),
  signatureBroken: finding('signatureBroken', "the CMS signature does not verify with the signer's certificate"),
  malformed: finding('malformed', '/Contents holds no signature'),
  attributes: finding('attributes', "no signing-certificate-v2 attribute binds the signer's certificate"),
  keyUsage: finding('keyUsage', "the signer's certificate may not be used for signatures (key usage)"),
  caCertificate: finding('caCertificate', "it is signed with a CA's own certificate, not a signatory's"),
  unknownIssuer: finding('unknownIssuer', "the signer's certificate was not issued by any party's CA (issuer: CN=Other; no chain)"),
  impersonated: finding(
    'impersonated',
    "the signer's certificate names gyeonggi's CA as its issuer but does not chain to it (bad signature)",
    { party: 'gyeonggi' },
  ),
  severalParties: finding(
    'severalParties',
    "the signer's chain reaches CAs registered by more than one party (gyeonggi, sverdlovsk); it is attributed to none",
  ),
  retiredIssuer: finding(
    'retiredIssuer',
    "the signer's certificate was issued by a CA gyeonggi retired at 2026-11-01T00:00:00.000Z, before the signing time 2026-12-01T10:00:00.000Z",
    { party: 'gyeonggi', at: '2026-11-01T00:00:00.000Z' },
  ),
  chainNotValid: finding(
    'chainNotValid',
    "a certificate on the signer's chain was not valid at 2026-12-01T10:00:00.000Z, when its certificates were checked",
    { at: '2026-12-01T10:00:00.000Z' },
  ),
  revokedBefore: finding(
    'revokedBefore',
    "the signer's certificate was revoked at 2026-11-30T10:00:00.000Z (keyCompromise), before 2026-12-01T10:00:00.000Z, when its certificates were checked",
    { at: '2026-11-30T10:00:00.000Z', reason: 'keyCompromise' },
  ),
  revokedAfter: finding(
    'revokedAfter',
    "the signer's certificate was revoked at 2026-12-02T10:00:00.000Z (superseded), after 2026-12-01T10:00:00.000Z: the signature was valid when made",
    { at: '2026-12-02T10:00:00.000Z', reason: 'superseded' },
  ),
  revocationUnchecked: finding(
    'revocationUnchecked',
    'its revocation was not checked: no CRL from http://127.0.0.1:9/crl could be obtained and the file carries none',
  ),
  signingTime: finding('signingTime', 'no signing time (/M)'),
  signingTimeDisagrees: finding(
    'signingTimeDisagrees',
    "the claimed signing time (/M) 2026-12-01T10:00:00.000Z disagrees with the timestamp 2026-12-01T12:00:00.000Z; the certificates were checked at the timestamp's time",
    { claimed: '2026-12-01T10:00:00.000Z', stamped: '2026-12-01T12:00:00.000Z' },
  ),
  timestamps: finding('timestamps', 'the signature carries 2 signature timestamps; PAdES allows one'),
  timestampBroken: finding('timestampBroken', 'the timestamp is over other data than this signature'),
  timestampUnproven: finding(
    'timestampUnproven',
    'the timestamp of 2026-12-01T10:00:00.000Z by "CN=TSA" is not proven: its unit does not chain to a trust anchor valid at that time (x); register the authority\'s CA as a trust anchor',
    { at: '2026-12-01T10:00:00.000Z', authority: 'CN=TSA' },
  ),
  timestampExpired: finding(
    'timestampExpired',
    "its signature timestamp proves nothing at 2040-01-01T00:00:00.000Z: the time-stamping unit's chain can be checked only until 2036-12-01T00:00:00.000Z (its expiry, or its weakest algorithm's end) and no document timestamp made before then proves it",
    { at: '2036-12-01T00:00:00.000Z' },
  ),
  algorithmEnding: finding(
    'algorithmEnding',
    'the timestamp by "CN=TSA" relies on RSA-2048, which is counted on only until 2031-01-01T00:00:00.000Z (NIST SP 800-57 Part 1 Rev. 5), before its unit\'s chain expires: what it proves needs a document timestamp with stronger keys before then',
    { at: '2031-01-01T00:00:00.000Z', algorithm: 'RSA-2048' },
  ),
  algorithmEnded: finding(
    'algorithmEnded',
    'it relies on SHA-1, which is not counted on from 2014-01-01T00:00:00.000Z (NIST SP 800-57 Part 1 Rev. 5), and nothing proves it was made before then',
    { at: '2014-01-01T00:00:00.000Z', algorithm: 'SHA-1' },
  ),
  unsignedChange: finding('unsignedChange', 'it is signed by nobody: it changes the document after the last signature'),
  trailingBytes: finding('trailingBytes', "12 bytes follow the last revision's %%EOF and belong to no revision"),
  revisionStructure: finding('revisionStructure', 'it replaces the catalog (object 1 by 7)'),
  notStoredRevision: finding('notStoredRevision', "it is not revision 2 of gyeonggi's original of agreement 1 as Bilateral stored it", {
    revision: '2',
    party: 'gyeonggi',
  }),
} satisfies Record<FindingCode, Finding>;

describe('web: the verification\u2019s problems and warnings on the verify page', () => {
  it('when any finding has a code, then every locale has its message, with a placeholder for no value but the code\u2019s own', () => {
    for (const lang of LANGUAGES) {
      const messages = messageCatalogs().get(lang)!;
      for (const [code, names] of Object.entries(FINDING_VALUES)) {
        const message = messages.get(`verify.message.${code}`);
        expect(message, `${lang}: verify.message.${code}`).to.be.a('string');
        const placeholders = [...message!.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
        expect(names, `${lang}: verify.message.${code}`).to.include.members(placeholders);
      }
      // And no message for a finding nobody makes.
      const said = [...messages.keys()].filter((key) => key.startsWith('verify.message.') && !key.startsWith('verify.message.other.'));
      expect(said.map((key) => key.slice('verify.message.'.length))).to.have.members(Object.keys(FINDING_VALUES));
    }
  });

  for (const lang of ['ru', 'ko'] as const) {
    it(`when the verification makes a finding of any code, then the ${lang} page says it in ${lang} with the parties named and the English kept for the technical details`, () => {
      const reader = { lang, timeZone: 'Asia/Seoul', partyName: (key: string) => `«${key}»` };
      for (const [code, found] of Object.entries(ONE_OF_EACH)) {
        expect(found.code).to.equal(code);
        const said = sayVerifyMessage(reader, found, 'problem');
        expect(said.technical).to.equal(found.message);
        expect(said.text, code).to.not.equal(messageCatalogs().get(lang)!.get('verify.message.other.problem'));
        expect(said.text, code).to.not.match(/\{\w+\}/);
        // Nothing of the English sentence; the party by the reader's name for it.
        expect(
          said.text.match(/[A-Za-z]{4,}/g)?.filter((word) => !['gyeonggi', 'PAdES', 'Bilateral'].includes(word)) ?? [],
          code,
        ).to.deep.equal([]);
      }
      expect(sayVerifyMessage(reader, ONE_OF_EACH.impersonated, 'problem').text).to.include('«gyeonggi»');
      expect(sayVerifyMessage(reader, ONE_OF_EACH.chainNotValid, 'problem').text).to.include('(UTC+9)');
      expect(sayVerifyMessage(reader, ONE_OF_EACH.revokedBefore, 'problem').text).to.include(
        messageCatalogs().get(lang)!.get('verify.reason.keyCompromise'),
      );
    });
  }

  it('when a finding\u2019s code has no message in the reader\u2019s language, then the page says a check failed and keeps the sentence for the technical details', () => {
    // A code this catalogue does not know, as from a server newer than its locale files.
    const unknown = { code: 'newKindOfProblem', values: {}, message: 'a new kind of problem' } as unknown as Finding;
    const said = sayVerifyMessage({ lang: 'ko', timeZone: 'UTC', partyName: String }, unknown, 'warning');
    expect(said).to.deep.equal({
      text: messageCatalogs().get('ko')!.get('verify.message.other.warning'),
      technical: 'a new kind of problem',
    });
  });
});
