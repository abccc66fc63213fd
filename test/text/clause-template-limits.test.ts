import { expect } from 'chai';
import { RuleViolationError } from '../../server/errors.ts';
import { clauseLibrary } from '../../server/text/clause-library.ts';
import { RENDER_BUDGET, TEMPLATE_LIMITS, renderClauseTemplate } from '../../server/text/clause-templates.ts';
import { buildAgreementDocument } from '../../server/agreements/agreement-document.ts';
import { buildAgreementSource } from '../support/documents.ts';

/** What clause templates see of `areas`, at the schema's maximum of 50. */
const context = { areas: Array.from({ length: 50 }, (_, index) => `area ${index + 1}`), first: { name: '경기도' }, subject: 'trade' };

function refusal(source: string): RuleViolationError {
  try {
    renderClauseTemplate(source, context, 'purpose', 'en');
  } catch (error) {
    if (error instanceof RuleViolationError) return error;
    throw error;
  }
  throw new Error(`expected ${source} to be refused`);
}

const nested = (depth: number, open: string, close: string, body = 'x') => open.repeat(depth) + body + close.repeat(depth);

describe('clause template limits', () => {
  it('when a template calls {{log}}, then it is refused before anything is written to stderr', () => {
    const written: unknown[] = [];
    const originalLog = console.log;
    console.log = (...parts: unknown[]) => void written.push(parts);
    try {
      for (const source of ['{{log "secret clause text"}}', '{{log}}', '{{capitalize (log subject)}}']) {
        expect(refusal(source).detail).to.equal(
          'clause "purpose" (en): the helper "log" is not allowed; helpers: josa, particle, count, capitalize',
        );
      }
    } finally {
      console.log = originalLog;
    }
    expect(written).to.be.empty;
  });

  it('when a template calls lookup or a helper not on the allow-list, then the refusal names the helper, clause and language', () => {
    expect(refusal('{{lookup this "constructor"}}').detail).to.include('"lookup" is not allowed');
    expect(refusal('{{lookup}}').detail).to.include('"lookup" is not allowed');
    expect(refusal('{{uppercase subject}}').detail).to.equal(
      'clause "purpose" (en): the helper "uppercase" is not allowed; helpers: josa, particle, count, capitalize',
    );
    expect(refusal('{{#areas}}x{{/areas}}').detail).to.include('the block {{#areas}} is not allowed');
    expect(refusal('{{#blockHelperMissing areas}}x{{/blockHelperMissing}}').extensions).to.deep.equal({ clause: 'purpose', lang: 'en' });
  });

  it('when blocks nest deeper than the limit, then it is refused naming the limit; at the limit it renders', () => {
    const { blockDepth } = TEMPLATE_LIMITS;
    expect(renderClauseTemplate(nested(blockDepth, '{{#if subject}}', '{{/if}}'), context, 'purpose', 'en')).to.equal('x');
    const error = refusal(nested(blockDepth + 1, '{{#if subject}}', '{{/if}}'));
    expect(error.detail).to.equal(`clause "purpose" (en): blocks nest more than ${blockDepth} deep`);
    expect(error.extensions).to.deep.equal({ clause: 'purpose', lang: 'en', limit: `block depth ${blockDepth}` });
  });

  it('when loops nest deeper than the limit, then the five nested loops of the report are refused at once', () => {
    const { loopDepth } = TEMPLATE_LIMITS;
    expect(renderClauseTemplate(nested(loopDepth, '{{#each @root.areas}}', '{{/each}}'), context, 'purpose', 'en')).to.have.length(
      50 ** loopDepth,
    );
    const started = performance.now();
    const error = refusal(nested(5, '{{#each @root.areas}}', '{{/each}}'));
    expect(error.detail).to.equal(`clause "purpose" (en): loops ({{#each}}) nest more than ${loopDepth} deep`);
    expect(error.extensions).to.include({ limit: `loop depth ${loopDepth}` });
    expect(performance.now() - started, 'a safety bound, not a benchmark').to.be.below(1000);
  });

  it('when a template within the static limits iterates too often, then the render budget refuses it naming the limit', () => {
    const pairOfLoops = '{{#each areas}}{{#each @root.areas}}.{{/each}}{{/each}}';
    expect(renderClauseTemplate(pairOfLoops, context, 'purpose', 'en')).to.have.length(2500);
    const error = refusal(pairOfLoops.repeat(5));
    expect(error.detail).to.equal(
      `clause "purpose" (en): rendering it goes over the limit of ${RENDER_BUDGET.iterations} loop iterations for one clause`,
    );
    expect(error.extensions).to.deep.equal({ clause: 'purpose', lang: 'en', limit: `${RENDER_BUDGET.iterations} loop iterations` });
  });

  it('when a template within the static limits writes too much, then the render budget refuses it naming the limit', () => {
    const wordy = `{{#each areas}}{{#each @root.areas}}${'cooperation '.repeat(10)}{{/each}}{{/each}}`;
    expect(refusal(wordy).detail).to.include(`the limit of ${RENDER_BUDGET.outputChars} characters of rendered text`);
    // Without any loop: a variable printed many times.
    const echoed = '{{subject}}'.repeat(RENDER_BUDGET.outputChars / 'trade'.length + 1);
    expect(refusal(echoed).detail).to.include(`the limit of ${RENDER_BUDGET.outputChars} characters of rendered text`);
  });

  it('when the library is rendered with 50 areas, then every clause fits the limits with room to spare', () => {
    const areas = Array.from({ length: 50 }, (_, index) => ({ en: `area ${index}`, ru: `область ${index}`, ko: `분야 ${index}` }));
    for (const kindName of clauseLibrary().kinds.keys()) {
      const source = buildAgreementSource({ kindName, languages: ['ru', 'ko', 'en'] });
      const document = buildAgreementDocument(
        { ...source, variables: { ...source.variables, areas } },
        { original: 'sverdlovsk', date: '2018-07-20', final: false },
      );
      const areasArticle = document.articles.find((article) => article.key === 'areas-of-cooperation');
      if (areasArticle) expect(JSON.stringify(areasArticle.body.en), kindName).to.include('area 49');
    }
  });
});
