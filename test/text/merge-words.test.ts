import { expect } from 'chai';
import { mergeWordChanges } from '../../server/text/merge-words.ts';

describe('mergeWordChanges', () => {
  const base = '<p>Стороны развивают <field ref="first.gen"/> долгосрочное сотрудничество.</p>\n<p>На основе равноправия.</p>';

  it('when the text is unchanged, then the suggestion stands as it was made', () => {
    const proposed = base.replace('долгосрочное', 'стабильное');
    expect(mergeWordChanges(base, base, proposed)).to.equal(proposed);
  });

  it('when the two changes touch different words, then both are kept', () => {
    const current = base.replace('равноправия', 'полного равноправия');
    const proposed = base.replace('долгосрочное', 'стабильное');
    expect(mergeWordChanges(base, current, proposed)).to.equal(
      base.replace('долгосрочное', 'стабильное').replace('равноправия', 'полного равноправия'),
    );
  });

  it('when the two changes replace the same word, then there is no merge', () => {
    expect(mergeWordChanges(base, base.replace('долгосрочное', 'стабильное'), base.replace('долгосрочное', 'многолетнее'))).to.equal(null);
  });

  it('when one inserts right where the other deletes, or both insert at one place, then there is no merge', () => {
    expect(mergeWordChanges(base, base.replace(' долгосрочное', ''), base.replace('долгосрочное', 'весьма долгосрочное'))).to.equal(null);
    expect(mergeWordChanges(base, base.replace('На основе', 'Всегда на основе'), base.replace('На основе', 'Только на основе'))).to.equal(
      null,
    );
  });

  it('when a change moves a field, then the field stays whole in the merge', () => {
    const current = base.replace(' <field ref="first.gen"/>', '');
    const proposed = base.replace('равноправия', 'взаимной выгоды');
    const merged = mergeWordChanges(base, current, proposed)!;
    expect(merged).to.equal('<p>Стороны развивают долгосрочное сотрудничество.</p>\n<p>На основе взаимной выгоды.</p>');
  });
});
