import { expect } from 'chai';
import { messageCatalogs } from '../../server/web/i18n.ts';
import { sayVerifyMessage } from '../../server/web/verify-messages.ts';

/** What the verification writes (server/signing), one sentence of each shape, as the API answers it. */
const SAID_BY_THE_VERIFICATION = [
  'the bytes it covers have changed since signing: their digest is not the signed message-digest',
  "the CMS signature does not verify with the signer's certificate",
  '/Contents holds no signature',
  "the signer's certificate was not issued by any party's CA (issuer: CN=Other; no chain)",
  "the signer's certificate names gyeonggi's CA as its issuer but does not chain to it (bad signature)",
  "a certificate on the signer's chain was not valid at 2026-12-01T10:00:00.000Z, when its certificates were checked",
  "the signer's certificate was revoked at 2026-11-30T10:00:00.000Z (keyCompromise), before 2026-12-01T10:00:00.000Z, when its certificates were checked",
  "the signer's certificate was revoked at 2026-12-02T10:00:00.000Z (superseded), after 2026-12-01T10:00:00.000Z: the signature was valid when made",
  'its revocation was not checked: no CRL from http://127.0.0.1:9/crl could be obtained',
  'it expired at 2025-01-01T00:00:00.000Z (signing time 2026-12-01T10:00:00.000Z)',
  'the claimed signing time (/M) 2026-12-01T10:00:00.000Z disagrees with the timestamp 2026-12-01T12:00:00.000Z; the certificates were checked at the timestamp\u2019s time',
  'the timestamp of 2026-12-01T10:00:00.000Z by "TSA" is not proven: its unit does not chain to a trust anchor valid at that time (x); register the authority\'s CA as a trust anchor',
  'it is signed by nobody: it changes the document after the last signature',
  "12 bytes follow the last revision's %%EOF and belong to no revision",
  'it replaces the catalog (object 1 by 7)',
];

describe('web: the verification\u2019s problems and warnings on the verify page', () => {
  for (const lang of ['ru', 'ko'] as const) {
    it(`when the verification says any of its sentences, then the ${lang} page says it in ${lang} with the parties named and the English kept for the technical details`, () => {
      const reader = { lang, timeZone: 'Asia/Seoul', partyName: (key: string) => `«${key}»` };
      for (const sentence of SAID_BY_THE_VERIFICATION) {
        const said = sayVerifyMessage(reader, sentence, 'problem');
        expect(said.technical).to.equal(sentence);
        expect(said.text, sentence).to.not.equal(messageCatalogs().get(lang)!.get('verify.message.other.problem'));
        // Nothing of the English sentence, no placeholder left; the party by the reader's name for it.
        expect(said.text.match(/[A-Za-z]{4,}/g)?.filter((word) => !['gyeonggi', 'PAdES'].includes(word)) ?? [], sentence).to.deep.equal([]);
        expect(said.text, sentence).to.not.match(/\{\w+\}/);
      }
      expect(sayVerifyMessage(reader, SAID_BY_THE_VERIFICATION[4]!, 'problem').text).to.include('«gyeonggi»');
      expect(sayVerifyMessage(reader, SAID_BY_THE_VERIFICATION[5]!, 'problem').text).to.include('(UTC+9)');
    });
  }

  it('when the verification says something no reading knows, then the page says a check failed and keeps the sentence for the technical details', () => {
    const said = sayVerifyMessage({ lang: 'ko', timeZone: 'UTC', partyName: String }, 'a new kind of problem', 'warning');
    expect(said).to.deep.equal({
      text: messageCatalogs().get('ko')!.get('verify.message.other.warning'),
      technical: 'a new kind of problem',
    });
  });
});
