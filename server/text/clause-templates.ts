import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import { josa } from 'es-hangul';
import { RuleViolationError } from '../errors.ts';
import type { Lang } from './languages.ts';

/**
 * Clause texts are Handlebars templates written by legal staff, so they are untrusted: they run in an
 * isolated Handlebars environment with only our two helpers, strict mode (an unknown variable is an
 * error, not an empty string), no partials and the default ban on prototype access.
 */
const handlebars = Handlebars.create();

const JOSA_FORMS = ['이/가', '을/를', '은/는', '와/과', '으로/로', '이나/나', '이란/란', '아/야', '이랑/랑', '이에요/예요', '으로서/로서', '으로써/로써', '으로부터/로부터', '이라/라'] as const;
type JosaForm = (typeof JOSA_FORMS)[number];

handlebars.registerHelper('josa', (word: unknown, form: unknown) => {
  if (typeof word !== 'string' || !(JOSA_FORMS as readonly unknown[]).includes(form)) {
    throw new Error(`josa needs a word and one of ${JOSA_FORMS.join(', ')}`);
  }
  return josa(word, form as JosaForm);
});
handlebars.registerHelper('capitalize', (text: unknown) =>
  typeof text === 'string' ? text.charAt(0).toLocaleUpperCase() + text.slice(1) : text,
);

const COMPILE_OPTIONS: CompileOptions = {
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: { josa: true, capitalize: true },
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
      rejectPartials(ast, clause, lang);
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
  try {
    return template(context);
  } catch (error) {
    throw templateError(error, clause, lang);
  }
}

function rejectPartials(node: hbs.AST.Node, clause: string, lang: Lang): void {
  if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement' || node.type === 'DecoratorBlock') {
    throw new RuleViolationError(`clause "${clause}" (${lang}): partials are not allowed in clause text`, { clause, lang });
  }
  for (const value of Object.values(node)) {
    const children = Array.isArray(value) ? value : [value];
    for (const child of children) {
      if (child && typeof child === 'object' && typeof (child as hbs.AST.Node).type === 'string') {
        rejectPartials(child as hbs.AST.Node, clause, lang);
      }
    }
  }
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
