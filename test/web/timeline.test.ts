import { expect } from 'chai';
import type { AuditEntry } from '../../db/repositories/audit.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { timelineFor } from '../../server/web/timeline.ts';

const ELENA: User = {
  id: 1,
  email: 'legal@sverdlovsk.example',
  party: 'sverdlovsk',
  role: 'legal',
  displayName: 'Elena Volkova',
  profile: { name: { en: 'Elena Volkova', ru: 'Елена Волкова', ko: '옐레나 볼코바' }, title: { en: '', ru: '', ko: '' } },
  passwordHash: '',
  locale: null,
  timeZone: null,
  sso: null,
  disabledAt: null,
};
const HASH = 'ab'.repeat(32);

function entry(overrides: Partial<AuditEntry>): AuditEntry {
  return {
    agreementId: 2,
    seq: 1,
    at: '2026-12-01T09:00:00.000Z',
    actor: ELENA.email,
    party: 'sverdlovsk',
    role: 'legal',
    ip: null,
    userAgent: null,
    event: 'SUBMIT',
    from: 'drafting',
    to: 'review',
    detail: null,
    prevHash: '0'.repeat(64),
    hash: HASH,
    ...overrides,
  };
}

const reader = (lang: 'ru' | 'ko') => ({
  lang,
  users: new Map([[ELENA.email, ELENA]]),
  partyName: (key: string) => (key === 'sverdlovsk' ? 'Свердловская область' : key),
  languageOf: () => 'ru' as const,
});

describe('web: the timeline read back for people (server/web/timeline.ts)', () => {
  it('when a comment holds "; " and effects follow it, then the comment stays whole in its author\u2019s language and the effects become sentences', () => {
    const [read] = timelineFor(
      [entry({ event: 'APPROVE', detail: `Проверено; замечаний нет; approved text ${HASH}; text frozen: ${HASH}` })],
      reader('ko'),
    );
    expect(read!.who).to.equal('옐레나 볼코바');
    expect(read!.comment).to.deep.equal({ text: 'Проверено; замечаний нет', lang: 'ru' });
    expect(read!.facts).to.deep.equal(['이 버전의 본문에 대한 승인입니다.', '본문이 확정되어 최종 원본이 만들어졌습니다.']);
    expect(read!.technical.hashes).to.deep.equal([HASH, HASH]);
  });

  it('when the scheduler acted, then it is named as the scheduler, with no party, and its due date in the reader\u2019s format', () => {
    const [read] = timelineFor(
      [
        entry({
          actor: 'scheduler',
          party: '*',
          role: 'system',
          event: 'ENTER_INTO_FORCE',
          from: 'executed',
          to: 'in-force',
          detail: 'due 2026-12-01',
        }),
      ],
      reader('ru'),
    );
    expect(read!.who).to.equal('Планировщик (автоматически)');
    expect(read!.system).to.equal(true);
    expect(read!.partyName).to.equal('');
    expect(read!.facts).to.deep.equal(['Срок: 1 дек. 2026 г.']);
  });

  it('when the text or the deadlines changed, then the clause, the language and the deadline are named in the reader\u2019s words', () => {
    const read = timelineFor(
      [
        entry({ event: 'EDIT_TEXT', from: 'drafting', to: 'drafting', detail: 'edit financing (ko)' }),
        entry({ event: 'SET_DEADLINES', from: 'review', to: 'review', detail: 'reviewDueOn=2026-12-10, signingDueOn=none' }),
        entry({ event: 'CREATE', from: null, to: 'drafting', detail: 'continues agreement 1' }),
      ],
      reader('ru'),
    );
    expect(read.map((item) => item.facts)).to.deep.equal([
      ['Продолжает соглашение № 1.'],
      ['Срок юридической проверки: 10 дек. 2026 г.', 'Срок подписания: снят'],
      ['Изменена статья «Финансирование» (корейский).'],
    ]);
  });

  it('when the detail is something this reader does not know, then nothing is made up: it stays in the technical details only', () => {
    const [read] = timelineFor([entry({ event: 'EDIT_TEXT', detail: 'a detail from a future version' })], reader('ru'));
    expect(read!.facts).to.deep.equal([]);
    expect(read!.comment).to.equal(undefined);
    expect(read!.technical.detail).to.equal('a detail from a future version');
  });
});
