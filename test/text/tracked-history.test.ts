import { expect } from 'chai';
import { trackedHistory, type TrackedParagraph } from '../../server/text/tracked-history.ts';

/** A paragraph as a line: unchanged text as is, [+N text] inserted and [-N text] deleted by revision N. */
function written(paragraphs: readonly TrackedParagraph[]): [number | null, string][] {
  return paragraphs.map((paragraph) => [
    paragraph.unit,
    paragraph.runs
      .map((run) => (run.change ? `[${run.change.kind === 'insert' ? '+' : '-'}${run.change.revision} ${run.text}]` : run.text))
      .join(''),
  ]);
}

describe('trackedHistory', () => {
  it('when one version changes words, then its insertions and deletions are credited to it', () => {
    expect(written(trackedHistory([['представляющих взаимный интерес'], ['имеющих взаимный интерес']], 'ru'))).to.deep.equal([
      [0, '[-1 представляющих][+1 имеющих] взаимный интерес'],
    ]);
  });

  it('when two versions change the same paragraph, then each change is credited to the version that made it', () => {
    const history = [
      ['The Parties cooperate in trade.'],
      ['The Parties cooperate closely in trade.'],
      ['The Parties cooperate closely in trade and science.'],
    ];
    expect(written(trackedHistory(history, 'en'))).to.deep.equal([[0, 'The Parties cooperate [+1 closely ]in trade[+2  and science].']]);
  });

  it('when a later version removes what an earlier one inserted, then neither shows; a deletion of the earliest text is credited to its version', () => {
    const history = [['one two three'], ['one 2 three'], ['one 2 three four'], ['one three four']];
    const [paragraph] = trackedHistory(history, 'en');
    expect(
      paragraph!.runs.filter((run) => run.change).map((run) => [run.change!.kind, run.change!.revision, run.text.trim()]),
    ).to.deep.equal([
      ['delete', 1, 'two'],
      ['delete', 3, ''],
      ['insert', 2, 'four'],
    ]);
    const after = paragraph!.runs
      .filter((run) => run.change?.kind !== 'delete')
      .map((run) => run.text)
      .join('');
    const before = paragraph!.runs
      .filter((run) => run.change?.kind !== 'insert')
      .map((run) => run.text)
      .join('');
    expect(after).to.equal('one three four');
    expect(before).to.equal('one two three');
  });

  it('when every change is accepted, then the text is the latest version; when every one is rejected, the earliest (spaces too)', () => {
    const histories: string[][][] = [
      [['long-term and mutually beneficial'], ['long-term, sustainable and mutually beneficial']],
      [['x  y z'], ['x y'], ['x y z w'], ['w x']],
      [
        ['A B C', 'D E'],
        ['D E', 'F'],
        ['D, E', 'F G'],
      ],
      [
        ['Стороны развивают долгосрочное сотрудничество.'],
        ['Стороны развивают устойчивое сотрудничество.'],
        ['Стороны  развивают сотрудничество .'],
      ],
      [['양측은 협력한다.'], ['양측은 긴밀히 협력한다.'], ['양측은 매년 긴밀히 협력한다.']],
    ];
    for (const history of histories) {
      const paragraphs = trackedHistory(history, 'en');
      const text = (drop: 'insert' | 'delete', unit: (paragraph: TrackedParagraph) => boolean) =>
        paragraphs
          .filter(unit)
          .map((paragraph) =>
            paragraph.runs
              .filter((run) => run.change?.kind !== drop)
              .map((run) => run.text)
              .join(''),
          )
          .filter((paragraph) => paragraph !== '');
      expect(
        text('delete', (paragraph) => paragraph.unit !== null),
        JSON.stringify(history),
      ).to.deep.equal(history.at(-1));
      expect(text('insert', () => true).join(' '), JSON.stringify(history)).to.equal(history[0]!.join(' '));
    }
  });

  it('when paragraphs are added and removed, then the latest ones come out in order with the deleted ones where they stood', () => {
    const history = [
      ['First.', 'Second.', 'Third.'],
      ['First.', 'Third.'],
      ['First.', 'New.', 'Third.'],
    ];
    expect(written(trackedHistory(history, 'en'))).to.deep.equal([
      [0, 'First.'],
      [null, '[-1 Second.]'],
      [1, '[+2 New.]'],
      [2, 'Third.'],
    ]);
  });

  it('when a clause is new or removed whole, then all of it is inserted or deleted by the version that did it', () => {
    expect(written(trackedHistory([[], ['양측은 협력한다.']], 'ko'))).to.deep.equal([[0, '[+1 양측은 협력한다.]']]);
    expect(written(trackedHistory([['A.', 'B.'], ['A.', 'B.'], []], 'en'))).to.deep.equal([
      [null, '[-2 A.]'],
      [null, '[-2 B.]'],
    ]);
    expect(trackedHistory([[], []], 'en')).to.deep.equal([]);
  });
});
