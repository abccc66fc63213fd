import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import { josa } from 'es-hangul';
import { RuleViolationError } from '../errors.ts';
import type { Lang } from './languages.ts';
import { COUNTED_NOUNS, countNoun, isCountedNoun, isRussianCase, LARGEST_IN_WORDS, RUSSIAN_CASES } from './numerals.ts';

/**
 * Clause texts are Handlebars templates written by legal staff, so they are untrusted: they run in an
 * isolated Handlebars environment with only the helpers on the allow-list below, strict mode (an
 * unknown variable is an error, not an empty string), no partials or decorators, the default ban on
 * prototype access, and a budget: what a template may contain is checked when it is compiled, and
 * what a render may cost is counted while it runs (see RENDER_BUDGET).
 */
const handlebars = Handlebars.create();

const JOSA_FORMS = [
  '이/가',
  '을/를',
  '은/는',
  '와/과',
  '으로/로',
  '이나/나',
  '이란/란',
  '아/야',
  '이랑/랑',
  '이에요/예요',
  '으로서/로서',
  '으로써/로써',
  '으로부터/로부터',
  '이라/라',
] as const;
type JosaForm = (typeof JOSA_FORMS)[number];

handlebars.registerHelper('josa', (word: unknown, form: unknown) => {
  if (typeof word !== 'string' || !(JOSA_FORMS as readonly unknown[]).includes(form)) {
    throw new Error(`josa needs a word and one of ${JOSA_FORMS.join(', ')}`);
  }
  return josa(word, form as JosaForm);
});
/** Only the particle, for a word followed by a parenthesis: 경기도(이하 “양측”이라 한다){{particle "경기도" "은/는"}}. */
handlebars.registerHelper('particle', (word: unknown, form: unknown) => {
  if (typeof word !== 'string' || !(JOSA_FORMS as readonly unknown[]).includes(form)) {
    throw new Error(`particle needs a word and one of ${JOSA_FORMS.join(', ')}`);
  }
  return josa.pick(word, form as JosaForm);
});
/**
 * A number with its noun in the language being rendered (server/text/numerals.ts):
 * {{count termYears "year" case="gen"}}; `words=true` writes it in words too, «пяти (5) лет».
 */
handlebars.registerHelper('count', (count: unknown, noun: unknown, options: Handlebars.HelperOptions) => {
  const grammaticalCase = options.hash.case ?? 'nom';
  const inWords = options.hash.words ?? false;
  if (typeof count !== 'number' || !isCountedNoun(noun) || !isRussianCase(grammaticalCase) || typeof inWords !== 'boolean') {
    throw new Error(
      `count needs a number, a noun (${COUNTED_NOUNS.join(', ')}), optionally case= one of ${RUSSIAN_CASES.join(', ')} and words=true`,
    );
  }
  if (!activeRender) throw new Error('clause templates render only through renderClauseTemplate');
  if (inWords && count > LARGEST_IN_WORDS) throw new Error(`count writes numbers up to ${LARGEST_IN_WORDS} in words, not ${count}`);
  return countNoun(activeRender.lang, count, noun, grammaticalCase, { inWords });
});
handlebars.registerHelper('capitalize', (text: unknown) =>
  typeof text === 'string' ? text.charAt(0).toLocaleUpperCase() + text.slice(1) : text,
);

/**
 * What the clause library uses (templates/clauses: if, unless, each, josa, particle, count, capitalize), plus `with`,
 * which calls its block once and so costs no more than `if`. Everything else Handlebars knows is
 * refused: `log` writes the clause's text to the server's stderr, `lookup` reaches any property by a
 * computed name, and a block over a plain variable ({{#areas}}) iterates like `each` unannounced.
 */
const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
const INLINE_HELPERS = new Set(['josa', 'particle', 'count', 'capitalize']);
/** The block helpers that run their block once per item. */
const LOOP_HELPERS = new Set(['each']);

/**
 * What a template may contain. The library nests blocks 2 deep and never nests loops; these leave
 * room for real drafting while a loop inside a loop over `areas` (at most 50) stays at 2,500 runs:
 * five nested loops over 50 areas were 312 million.
 */
export const TEMPLATE_LIMITS = { blockDepth: 4, loopDepth: 2 } as const;

/**
 * What one render of one clause in one language may cost, counted while it runs, so it holds for
 * texts stored before these limits existed too (they are rendered again on every preview). The
 * library's largest clause (50 areas) runs 50 iterations and writes a few kilobytes. The counts are
 * the bound; the clock only catches what they miss, so it is generous enough that a loaded machine
 * never refuses a real clause (50 ms did, on a busy CI machine).
 */
export const RENDER_BUDGET = { iterations: 10_000, outputChars: 200_000, milliseconds: 1000 } as const;

/** The render under way: Handlebars renders synchronously, so one module-wide slot is enough. */
let activeRender: RenderMeter | undefined;

class RenderMeter {
  private iterations = 0;
  private outputChars = 0;
  private readonly startedAt = performance.now();

  constructor(
    private readonly clause: string,
    readonly lang: Lang,
  ) {}

  /** The block of a loop, counting each run of it and the text it adds (nested loops' text once). */
  counted(block: Handlebars.TemplateDelegate): Handlebars.TemplateDelegate {
    return (context, options) => {
      this.iterations += 1;
      if (this.iterations > RENDER_BUDGET.iterations) this.refuse(`${RENDER_BUDGET.iterations} loop iterations`);
      const countedBefore = this.outputChars;
      const text = block(context, options);
      this.addOutput(text.length - (this.outputChars - countedBefore));
      if (performance.now() - this.startedAt > RENDER_BUDGET.milliseconds) this.refuse(`${RENDER_BUDGET.milliseconds} ms`);
      return text;
    };
  }

  finish(output: string): string {
    this.addOutput(output.length - this.outputChars);
    return output;
  }

  private addOutput(chars: number): void {
    this.outputChars += chars;
    if (this.outputChars > RENDER_BUDGET.outputChars) this.refuse(`${RENDER_BUDGET.outputChars} characters of rendered text`);
  }

  private refuse(limit: string): never {
    throw new RuleViolationError(`clause "${this.clause}" (${this.lang}): rendering it goes over the limit of ${limit} for one clause`, {
      clause: this.clause,
      lang: this.lang,
      limit,
    });
  }
}

const builtInEach = handlebars.helpers.each!;
handlebars.registerHelper('each', function (this: unknown, context: unknown, options: Handlebars.HelperOptions) {
  if (!activeRender) throw new Error('clause templates render only through renderClauseTemplate');
  return builtInEach.call(this, context, { ...options, fn: activeRender.counted(options.fn) });
});

const COMPILE_OPTIONS: CompileOptions = {
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: { josa: true, particle: true, count: true, capitalize: true },
};

type CompiledClause = (context: object) => string;
const compiled = new Map<string, CompiledClause>();
const MAX_COMPILED = 2000;

/** Compiles a clause template once per distinct source; a syntax error names the clause and language. */
function compile(source: string, clause: string, lang: Lang): CompiledClause {
  const cacheKey = createHash('sha256').update(source).digest('base64');
  let template = compiled.get(cacheKey);
  if (!template) {
    try {
      const ast = handlebars.parse(source);
      checkTemplate(ast, { clause, lang, blockDepth: 0, loopDepth: 0 });
      template = handlebars.compile(ast, COMPILE_OPTIONS);
    } catch (error) {
      throw templateError(error, clause, lang);
    }
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(cacheKey, template);
  }
  return template;
}

/** Renders one clause template in one language; any failure is a 422 naming the clause and language. */
export function renderClauseTemplate(source: string, context: object, clause: string, lang: Lang): string {
  const template = compile(source, clause, lang);
  const meter = new RenderMeter(clause, lang);
  activeRender = meter;
  try {
    return meter.finish(template(context));
  } catch (error) {
    throw templateError(error, clause, lang);
  } finally {
    activeRender = undefined;
  }
}

interface TemplateScope {
  readonly clause: string;
  readonly lang: Lang;
  readonly blockDepth: number;
  readonly loopDepth: number;
}

/** Walks the parsed template and refuses what the allow-list and TEMPLATE_LIMITS do not admit. */
function checkTemplate(node: hbs.AST.Node, scope: TemplateScope): void {
  const refuse = (problem: string, limit?: string): never => {
    throw new RuleViolationError(`clause "${scope.clause}" (${scope.lang}): ${problem}`, {
      clause: scope.clause,
      lang: scope.lang,
      ...(limit && { limit }),
    });
  };
  let inner = scope;
  switch (node.type) {
    case 'PartialStatement':
    case 'PartialBlockStatement':
    case 'Decorator':
    case 'DecoratorBlock':
      refuse('partials and decorators are not allowed in clause text');
      break;
    case 'BlockStatement': {
      const name = helperName(node as hbs.AST.BlockStatement);
      if (name === undefined || !BLOCK_HELPERS.has(name)) {
        refuse(`the block {{#${pathText(node as hbs.AST.BlockStatement)}}} is not allowed; blocks: ${[...BLOCK_HELPERS].join(', ')}`);
      }
      const loops = LOOP_HELPERS.has(name!);
      inner = { ...scope, blockDepth: scope.blockDepth + 1, loopDepth: scope.loopDepth + (loops ? 1 : 0) };
      if (inner.blockDepth > TEMPLATE_LIMITS.blockDepth) {
        refuse(`blocks nest more than ${TEMPLATE_LIMITS.blockDepth} deep`, `block depth ${TEMPLATE_LIMITS.blockDepth}`);
      }
      if (inner.loopDepth > TEMPLATE_LIMITS.loopDepth) {
        refuse(`loops ({{#each}}) nest more than ${TEMPLATE_LIMITS.loopDepth} deep`, `loop depth ${TEMPLATE_LIMITS.loopDepth}`);
      }
      break;
    }
    case 'MustacheStatement':
    case 'SubExpression': {
      const call = node as hbs.AST.MustacheStatement | hbs.AST.SubExpression;
      const name = helperName(call);
      const isCall = call.params.length > 0 || call.hash !== undefined;
      // {{log}} and {{lookup}} are helpers even without arguments; any other bare name is a variable.
      const callsHelper = isCall || (name !== undefined && name in handlebars.helpers);
      if (callsHelper && (name === undefined || !INLINE_HELPERS.has(name))) {
        refuse(`the helper "${pathText(call)}" is not allowed; helpers: ${[...INLINE_HELPERS].join(', ')}`);
      }
      break;
    }
  }
  for (const value of Object.values(node)) {
    const children = Array.isArray(value) ? value : [value];
    for (const child of children) {
      if (child && typeof child === 'object' && typeof (child as hbs.AST.Node).type === 'string')
        checkTemplate(child as hbs.AST.Node, inner);
    }
  }
}

/** The helper a call names: a plain name, not a path into the context or a @data variable. */
function helperName(call: { readonly path: hbs.AST.PathExpression | hbs.AST.Literal }): string | undefined {
  if (call.path.type !== 'PathExpression') return undefined;
  const path = call.path as hbs.AST.PathExpression;
  return !path.data && path.parts.length === 1 && path.depth === 0 ? path.parts[0] : undefined;
}

function pathText(call: { readonly path: hbs.AST.PathExpression | hbs.AST.Literal }): string {
  return String((call.path as hbs.AST.PathExpression | hbs.AST.StringLiteral).original);
}

function templateError(error: unknown, clause: string, lang: Lang): Error {
  if (error instanceof RuleViolationError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const missing = /"([^"]+)" not defined/.exec(message);
  const detail = missing ? `unknown variable "${missing[1]}"` : message.split('\n')[0];
  return new RuleViolationError(`clause "${clause}" (${lang}): ${detail}`, {
    clause,
    lang,
    ...(missing && { variable: missing[1] }),
  });
}
