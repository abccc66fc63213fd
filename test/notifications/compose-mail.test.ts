import { expect } from 'chai';
import { describeItem } from '../../server/notifications/compose-mail.ts';
import { messageCatalogs } from '../../server/web/i18n.ts';

/**
 * The line a mail's subject and the notifications page give a change of state: what happened first,
 * the agreement's title last. A subject is cut at its end, and a title stands where a sentence's
 * subject would have to agree with it: a Russian participle with the title's gender ("Протокол …
 * вступило"), a Korean particle with its last syllable ("의향서 발효되었습니다" lacks its 가).
 */
describe('mail lines: what happened first, then the title', () => {
  it('when a line of a state change names the agreement, then in every language the title comes last, after a colon', () => {
    for (const [lang, messages] of messageCatalogs()) {
      const lines = [...messages].filter(([key]) => /^mail\.line\.(waiting|milestone|progress)\.|^mail\.line\.notice$/.test(key));
      expect(lines, lang).to.have.length.above(10);
      for (const [key, message] of lines) expect(message, `${lang} ${key}`).to.match(/: \{title\}$/);
    }
  });

  it('when a protocol (masculine in Russian) enters into force, then the Russian line agrees with "документ", and the Korean one needs no particle', () => {
    const inForce = {
      kind: 'state-changed',
      payload: { from: 'signing', to: 'in-force' },
      link: '/agreements/3',
      at: '2026-12-03T00:00:00Z',
    };
    const reader = { party: 'sverdlovsk', role: 'legal' };
    expect(describeItem('ru', { ...inForce, title: 'Протокол о внесении изменений в Соглашение' }, reader)).to.equal(
      'Документ вступил в силу: Протокол о внесении изменений в Соглашение',
    );
    expect(describeItem('ko', { ...inForce, title: '의향서' }, reader)).to.equal('발효되었습니다: 의향서');
    expect(describeItem('en', { ...inForce, title: 'Protocol' }, reader)).to.equal('Entered into force: Protocol');
  });

  it('when the text is fixed for signature and everyone is told, then only the signatories read that it waits for their signature', () => {
    const signing = {
      kind: 'state-changed',
      payload: {
        from: 'approval',
        to: 'signing',
        turns: [
          { party: 'sverdlovsk', role: 'signatory' },
          { party: 'gyeonggi', role: 'signatory' },
        ],
      },
      title: 'Соглашение',
      link: '/agreements/2',
      at: '2026-12-03T00:00:00Z',
    };
    expect(describeItem('ru', signing, { party: 'gyeonggi', role: 'signatory' })).to.equal('Ждёт вашей подписи: Соглашение');
    for (const role of ['official', 'observer', 'legal'])
      expect(describeItem('ru', signing, { party: 'sverdlovsk', role }), role).to.equal(
        'Текст утверждён, документ готов к подписанию: Соглашение',
      );
    // A notice recorded before whose turn it was went into the payload was only sent to those it waited for.
    const { turns: _turns, ...before } = signing.payload;
    expect(describeItem('en', { ...signing, payload: before }, { party: 'sverdlovsk', role: 'official' })).to.equal(
      'Waiting for your signature: Соглашение',
    );
  });
});
