import { expect } from 'chai';
import type { AgreementDocument } from '../../server/pdf/document-model.ts';
import { clauseLibrary, findKind } from '../../server/text/clause-library.ts';
import type { Lang } from '../../server/text/languages.ts';
import { countNoun } from '../../server/text/numerals.ts';
import { buildAgreementSource, buildDocument } from '../support/documents.ts';

const NBSP = '\u00a0';
const LANGS: readonly Lang[] = ['ru', 'ko', 'en'];
const TERM_YEARS = [1, 2, 3, 4, 5, 11, 21, 100] as const;
const NOTICE_MONTHS = [1, 2, 3, 5, 12] as const;

/*
 * What a reviser expects to read, written out by hand (not computed by the helper under test): Russian
 * «в течение N …» and «по истечении N …» take the genitive, «за N …» and «продолжительностью N …» the
 * accusative; after 1, 21, 101 the singular, after 2-4, 22-24 the genitive singular (nom/acc) or plural.
 */
const YEARS_GEN: Record<number, string> = { 1: 'года', 2: 'лет', 3: 'лет', 4: 'лет', 5: 'лет', 11: 'лет', 21: 'года', 100: 'лет' };
const YEARS_ACC: Record<number, string> = { 1: 'год', 2: 'года', 3: 'года', 4: 'года', 5: 'лет', 11: 'лет', 21: 'год', 100: 'лет' };
const MONTHS_ACC: Record<number, string> = { 1: 'месяц', 2: 'месяца', 3: 'месяца', 5: 'месяцев', 12: 'месяцев' };
const MONTHS_GEN: Record<number, string> = { 1: 'месяца', 2: 'месяцев', 3: 'месяцев', 5: 'месяцев', 12: 'месяцев' };
const ENGLISH_WORDS: Record<number, string> = {
  1: 'one',
  2: 'two',
  3: 'three',
  4: 'four',
  5: 'five',
  11: 'eleven',
  12: 'twelve',
  21: 'twenty-one',
  100: 'one hundred',
};
/** Durations in words and digits: «пяти (5) лет», "five (5) years". */
const RUSSIAN_GEN_WORDS: Record<number, string> = {
  1: 'одного',
  2: 'двух',
  3: 'трёх',
  4: 'четырёх',
  5: 'пяти',
  11: 'одиннадцати',
  12: 'двенадцати',
  21: 'двадцати одного',
  100: 'ста',
};
const RUSSIAN_ACC_WORDS: Record<number, string> = {
  1: 'один',
  2: 'два',
  3: 'три',
  4: 'четыре',
  5: 'пять',
  11: 'одиннадцать',
  12: 'двенадцать',
  21: 'двадцать один',
  100: 'сто',
};
const english = (count: number, noun: string) => `${ENGLISH_WORDS[count]}${NBSP}(${count})${NBSP}${noun}${count === 1 ? '' : 's'}`;
const russian = (count: number, words: Record<number, string>, noun: string) => `${words[count]}${NBSP}(${count})${NBSP}${noun}`;

function articleText(document: AgreementDocument, key: string, lang: Lang): string {
  const article = document.articles.find((candidate) => candidate.key === key);
  return JSON.stringify(article?.body[lang] ?? []);
}

function wholeText(document: AgreementDocument, lang: Lang): string {
  return JSON.stringify([
    document.title[lang],
    document.preamble[lang],
    document.articles.map((a) => a.body[lang]),
    document.finalClause[lang],
  ]);
}

/** The phrases the duration clause must print for these values, per language, binding or not, renewing or not. */
function expectedPhrases(lang: Lang, years: number, months: number, binding: boolean, autoRenewal: boolean): string[] {
  if (lang === 'ru') {
    const term = `в течение ${russian(years, RUSSIAN_GEN_WORDS, YEARS_GEN[years]!)}`;
    return autoRenewal
      ? [
          term,
          `периоды продолжительностью ${russian(years, RUSSIAN_ACC_WORDS, YEARS_ACC[years]!)}`,
          `за ${russian(months, RUSSIAN_ACC_WORDS, MONTHS_ACC[months]!)} до истечения`,
        ]
      : [term, `по истечении ${russian(months, RUSSIAN_GEN_WORDS, MONTHS_GEN[months]!)} с даты`];
  }
  if (lang === 'ko') {
    return autoRenewal ? [`${years}년간`, `최소 ${months}개월 전에`, `${years}년씩`] : [`${years}년간`, `${months}개월 후에`];
  }
  const stay = binding ? 'shall remain in force for' : 'will remain in effect for';
  return autoRenewal
    ? [
        `${stay} ${english(years, 'year')}`,
        `successive periods of ${english(years, 'year')}`,
        `at least ${english(months, 'month')} before`,
      ]
    : [`${stay} ${english(years, 'year')}`, `${english(months, 'month')} after the date of receipt`];
}

/** Numbers that met a noun without agreeing with it, or without a no-break space: what the issue found. */
const WRONG = [
  /\b1[\s\u00a0](лет|месяцев|years|months)\b/u,
  /(^|[^\d])(2|3|4)[\s\u00a0](лет|месяцев)\b(?! с даты)/u,
  /\d+-летн/u,
  /\d (год|года|лет|месяц|месяца|месяцев|year|years|month|months)\b/u,
];

describe('clause grammar: every kind x language x original x term x notice', () => {
  for (const kindName of clauseLibrary().kinds.keys()) {
    const kind = findKind(kindName)!;
    const hasDuration = kind.clauses.includes('duration-and-termination');
    it(`when a ${kindName} is printed with every term and notice period, then each language says each number with its noun agreeing`, () => {
      const defaults = buildAgreementSource({ kindName, languages: LANGS });
      for (const original of ['sverdlovsk', 'gyeonggi']) {
        for (const autoRenewal of [true, false]) {
          for (const termYears of TERM_YEARS) {
            for (const noticeMonths of NOTICE_MONTHS) {
              const document = buildDocument(
                {
                  kindName,
                  languages: LANGS,
                  variables: { ...defaults.variables, termYears, noticeMonths, autoRenewal },
                  basedOn: kind.amends ? { kind: findKind('cooperation-agreement')!, date: '2014-06-14' } : null,
                },
                original,
              );
              for (const lang of LANGS) {
                const label = `${kindName} ${original} ${lang} term ${termYears} notice ${noticeMonths} renewal ${autoRenewal}`;
                const duration = articleText(document, 'duration-and-termination', lang);
                if (hasDuration) {
                  for (const phrase of expectedPhrases(lang, termYears, noticeMonths, kind.binding, autoRenewal)) {
                    expect(duration, label).to.include(phrase);
                  }
                } else {
                  expect(duration, label).to.equal('[]');
                }
                const text = wholeText(document, lang);
                for (const wrong of WRONG) expect(text, `${label}: ${wrong}`).to.not.match(wrong);
              }
            }
          }
        }
      }
    });
  }

  it('when the helper counts, then it agrees with the hand-written Russian forms in every case the library uses', () => {
    for (const years of TERM_YEARS) {
      expect(countNoun('ru', years, 'year', 'gen')).to.equal(`${years}${NBSP}${YEARS_GEN[years]}`);
      expect(countNoun('ru', years, 'year', 'acc')).to.equal(`${years}${NBSP}${YEARS_ACC[years]}`);
    }
    for (const months of NOTICE_MONTHS) {
      expect(countNoun('ru', months, 'month', 'gen')).to.equal(`${months}${NBSP}${MONTHS_GEN[months]}`);
      expect(countNoun('ru', months, 'month', 'acc')).to.equal(`${months}${NBSP}${MONTHS_ACC[months]}`);
    }
    expect(countNoun('ru', 22, 'year', 'nom')).to.equal(`22${NBSP}года`);
    expect(countNoun('ru', 111, 'month', 'acc')).to.equal(`111${NBSP}месяцев`);
    expect(countNoun('en', 1, 'month')).to.equal(`1${NBSP}month`);
    expect(countNoun('ko', 12, 'month')).to.equal('12개월');
  });

  it('when the helper writes a number in words, then it is the word of the case before the digits, and Korean keeps its digits', () => {
    expect(countNoun('ru', 5, 'year', 'gen', { inWords: true })).to.equal(`пяти${NBSP}(5)${NBSP}лет`);
    expect(countNoun('ru', 6, 'month', 'acc', { inWords: true })).to.equal(`шесть${NBSP}(6)${NBSP}месяцев`);
    expect(countNoun('ru', 22, 'year', 'ins', { inWords: true })).to.equal(`двадцатью двумя${NBSP}(22)${NBSP}годами`);
    expect(countNoun('ru', 40, 'month', 'pre', { inWords: true })).to.equal(`сорока${NBSP}(40)${NBSP}месяцах`);
    expect(countNoun('ru', 111, 'month', 'dat', { inWords: true })).to.equal(`ста одиннадцати${NBSP}(111)${NBSP}месяцам`);
    expect(countNoun('ru', 250, 'year', 'gen', { inWords: true })).to.equal(`двухсот пятидесяти${NBSP}(250)${NBSP}лет`);
    expect(countNoun('en', 1, 'year', 'nom', { inWords: true })).to.equal(`one${NBSP}(1)${NBSP}year`);
    expect(countNoun('en', 99, 'month', 'nom', { inWords: true })).to.equal(`ninety-nine${NBSP}(99)${NBSP}months`);
    expect(countNoun('en', 120, 'month', 'nom', { inWords: true })).to.equal(`one hundred and twenty${NBSP}(120)${NBSP}months`);
    expect(countNoun('ko', 5, 'year', 'nom', { inWords: true })).to.equal('5년');
    expect(() => countNoun('en', 1000, 'year', 'nom', { inWords: true })).to.throw('1 to 999');
  });
});

describe('clause typography and legal effect in every kind, language and original', () => {
  const documents = [...clauseLibrary().kinds.keys()].flatMap((kindName) =>
    ['sverdlovsk', 'gyeonggi'].flatMap((original) =>
      [LANGS, ['ru', 'ko'] as const].map((languages) => ({
        kindName,
        original,
        languages,
        document: buildDocument(
          { kindName, languages, basedOn: findKind(kindName)!.amends ? { kind: findKind('letter-of-intent')!, date: '2012-06-14' } : null },
          original,
        ),
      })),
    ),
  );

  it('when printed, then quotes are typographic, two texts are «оба текста», and a protocol to a letter binds no one', () => {
    for (const { kindName, original, languages, document } of documents) {
      for (const lang of languages) {
        const label = `${kindName} ${original} ${languages.join('+')} ${lang}`;
        const text = wholeText(document, lang);
        expect(text, label).to.not.include('\\"');
        if (lang === 'ru') expect(text, label).to.include(languages.length === 2 ? 'оба текста имеют' : 'все тексты имеют');
        if (lang === 'en') expect(text, label).to.include(languages.length === 2 ? 'both texts being' : 'all texts being');
        if (lang === 'ko') {
          expect(JSON.stringify(document.preamble.ko), label).to.match(/\(이하 “양측”이라 한다\)는/);
          expect(JSON.stringify(document.preamble.ko!.at(-1)), label).to.match(/합의하였다|도달하였다/);
        }
        // A protocol to a letter of intent takes its nature: no "shall", no "Agreement", paragraphs not articles.
        if (kindName === 'amendment' || !findKind(kindName)!.binding) {
          if (lang === 'en') expect(text, label).to.not.match(/\bshall\b|“the Agreement”|integral part|remain in force/);
          if (lang === 'ru') expect(text, label).to.not.match(/«Соглашение»|неотъемлемой частью|сохраняют силу/);
          if (lang === 'ko') expect(text, label).to.not.match(/[할될질릴] 것이다|“협정”/);
          const headings = { ru: 'Пункт 1', ko: '1.', en: 'Paragraph 1' } as const;
          expect(document.articles[0]!.heading[lang], label).to.equal(headings[lang]);
        }
      }
      // Each language has as many preamble paragraphs as the others.
      const counts = new Set(languages.map((lang) => document.preamble[lang]!.length));
      expect(counts.size, `${kindName} ${original} preamble paragraphs`).to.equal(1);
    }
  });

  it('when a protocol amends a letter of intent, then it cites it by full title with the parties and the date', () => {
    const protocol = documents.find(
      (entry) => entry.kindName === 'amendment' && entry.original === 'sverdlovsk' && entry.languages.length === 3,
    )!;
    const ru = JSON.stringify(protocol.document.preamble.ru);
    expect(ru).to.include(
      'руководствуясь Письмом о намерениях между Правительством Свердловской области (Российская Федерация) и провинцией Кёнгидо (Республика Корея) о развитии межрегионального сотрудничества от 14 июня 2012',
    );
    expect(articleText(protocol.document, 'amended-provisions', 'ru')).to.include(`(далее${NBSP}— «Письмо о намерениях»)`);
    expect(articleText(protocol.document, 'amended-provisions', 'ko')).to.include('(이하 “의향서”라 한다)를');
    expect(articleText(protocol.document, 'amended-provisions', 'en')).to.include(
      'the Letter of Intent between the Government of Sverdlovsk Region (Russian Federation) and Gyeonggi Province (Republic of Korea) on the Development of Inter-Regional Cooperation, signed on 14 June 2012 (hereinafter referred to as “the Letter of Intent”)',
    );
  });

  it('when a twinning agreement is titled, then its subject is said once in each language', () => {
    const twinning = documents.find((entry) => entry.kindName === 'twinning-agreement' && entry.languages.length === 3)!.document;
    expect(twinning.title.en!.match(/[Tt]win/g)).to.have.length(1);
    expect(twinning.title.ru!.match(/побратим/g)).to.have.length(1);
    expect(twinning.title.ko!.match(/자매결연/g)).to.have.length(1);
  });

  it('when a binding kind has a Russian party, then it states that it is not a treaty and names 4-FZ in every language', () => {
    const cooperation = documents.find((entry) => entry.kindName === 'cooperation-agreement' && entry.languages.length === 3)!.document;
    expect(articleText(cooperation, 'legal-status', 'ru')).to.include('Настоящее Соглашение не является международным договором');
    expect(articleText(cooperation, 'legal-status', 'ru')).to.include(`№${NBSP}4-ФЗ`);
    expect(articleText(cooperation, 'legal-status', 'en')).to.include('This Agreement is not an international treaty');
    expect(articleText(cooperation, 'legal-status', 'ko')).to.include('이 협정은 조약이 아니다');
  });
});
