import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import { parseDocument } from 'htmlparser2';
import type { ChildNode, Element } from 'domhandler';
import { RuleViolationError } from '../errors.ts';
import { renderClauseTemplate } from './clause-templates.ts';
import type { Lang } from './languages.ts';

/**
 * The editable text of a clause: what legal staff read and write, in the drafting desk and through
 * the API, instead of the clause library's Handlebars source. It is the clause markup (`<p>`, `<ul>`
 * and `<ol>` with `<li>`) plus field elements that refer to the agreement's data:
 *
 *   <field ref="first.gen"/>                    a value (a party's name in the Russian genitive)
 *   <field ref="second.name" josa="와/과"/>      a Korean particle chosen after the value's last syllable
 *   <field ref="document.nom" capitalize/>       the value with a capital first letter
 *   <field ref="termYears" expr="…"/>           any other helper over the data, as its call (issue 20's
 *                                               numerals and whatever the library adds later)
 *   <ul><field ref="areas" list sep=";" end="."/></ul>   one item per entry of a list, with the
 *                                               punctuation after each item and after the last
 *
 * Stored per agreement is still a clause template (fields become {{...}} again), so the PDF pipeline,
 * the alternat (each party named first in its own original) and the template limits stay as they are.
 * Converting a template to this format settles its conditionals ({{#if binding}}, {{#if basedOn}}, ...)
 * by the agreement's kind and data: the lawyer sees only the text that applies.
 */

export interface TextRun {
  readonly type: 'text';
  readonly text: string;
}
export interface FieldRun {
  readonly type: 'field';
  readonly ref?: string;
  readonly capitalize?: boolean;
  readonly josa?: string;
  readonly expr?: string;
}
export type Inline = TextRun | FieldRun;
export interface ListField {
  readonly type: 'listField';
  readonly ref: string;
  readonly sep: string;
  readonly end: string;
}
export type ListEntry = { readonly type: 'item'; readonly content: readonly Inline[] } | ListField;
export type EditableBlock =
  | { readonly type: 'paragraph'; readonly content: readonly Inline[] }
  | { readonly type: 'list'; readonly ordered: boolean; readonly entries: readonly ListEntry[] };
/** A clause's editable text: blocks, or one line of inline content (the title). */
export type EditableDoc =
  | { readonly inline: true; readonly content: readonly Inline[] }
  | { readonly inline: false; readonly blocks: readonly EditableBlock[] };

export interface TextOrigin {
  readonly clause: string;
  readonly lang: Lang;
}

/** What a field may refer to: every value of a language's clause context, with what it is. */
export type FieldCatalog = ReadonlyMap<string, { readonly kind: 'text' | 'list'; readonly value: string }>;

const FIELD_ATTRIBUTES = new Set(['ref', 'capitalize', 'josa', 'expr', 'list', 'sep', 'end']);
const REF = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;
const JOSA = /^[가-힣]{1,4}\/[가-힣]{1,4}$/;
const PUNCTUATION = /^[.;,:]?$/;

function refuse(origin: TextOrigin, problem: string, extensions: Record<string, unknown> = {}): never {
  throw new RuleViolationError(`clause "${origin.clause}" (${origin.lang}): ${problem}`, {
    clause: origin.clause,
    lang: origin.lang,
    ...extensions,
  });
}

/** Parses an editable text; anything outside the format is refused, naming the clause, language and what. */
export function parseEditable(markup: string, origin: TextOrigin): EditableDoc {
  if (markup.includes('{{') || markup.includes('}}')) {
    refuse(origin, 'braces {{ }} are not clause text: a value from the agreement is a <field ref="..."/>');
  }
  const nodes = parseDocument(markup, { decodeEntities: true, recognizeSelfClosing: true, lowerCaseAttributeNames: true }).children;
  const meaningful = nodes.filter((node) => node.type !== 'comment' && !(node.type === 'text' && node.data.trim() === ''));
  const isInline = (node: ChildNode) => node.type === 'text' || (node.type === 'tag' && node.name === 'field' && !('list' in node.attribs));
  if (meaningful.length > 0 && meaningful.every(isInline)) return { inline: true, content: inlineRuns(nodes, origin) };
  const blocks: EditableBlock[] = [];
  let loose: ChildNode[] = [];
  const flushLoose = () => {
    const content = inlineRuns(loose, origin);
    if (content.length > 0) blocks.push({ type: 'paragraph', content });
    loose = [];
  };
  for (const node of nodes) {
    if (isInline(node)) {
      loose.push(node);
      continue;
    }
    flushLoose();
    if (node.type === 'comment') continue;
    const element = asElement(node, origin);
    noAttributes(element, origin);
    if (element.name === 'p') blocks.push({ type: 'paragraph', content: inlineRuns(element.children, origin) });
    else if (element.name === 'ul' || element.name === 'ol') blocks.push(listBlock(element, origin));
    else if (element.name === 'field') refuse(origin, 'a list field (<field list/>) stands inside <ul> or <ol>');
    else refuse(origin, `<${element.name}> is not part of the clause text (p, ul, ol, li, field)`, { element: element.name });
  }
  flushLoose();
  return { inline: false, blocks: blocks.filter((block) => block.type === 'list' || block.content.length > 0) };
}

function listBlock(element: Element, origin: TextOrigin): EditableBlock {
  const entries: ListEntry[] = [];
  for (const child of element.children) {
    if (child.type === 'comment' || (child.type === 'text' && child.data.trim() === '')) continue;
    const item = asElement(child, origin);
    if (item.name === 'li') {
      noAttributes(item, origin);
      entries.push({ type: 'item', content: inlineRuns(item.children, origin) });
    } else if (item.name === 'field' && 'list' in item.attribs) {
      const field = fieldOf(item, origin);
      if (!field.ref) refuse(origin, 'a list field needs ref="..."');
      entries.push({ type: 'listField', ref: field.ref, sep: item.attribs.sep ?? '', end: item.attribs.end ?? '' });
    } else {
      refuse(origin, `<${item.name}> inside a list; only <li> and <field list/> are allowed`, { element: item.name });
    }
  }
  if (entries.length === 0) refuse(origin, 'a list needs at least one item');
  return { type: 'list', ordered: element.name === 'ol', entries };
}

function inlineRuns(nodes: readonly ChildNode[], origin: TextOrigin): Inline[] {
  const runs: Inline[] = [];
  for (const node of nodes) {
    if (node.type === 'comment') continue;
    if (node.type === 'text') {
      const last = runs.at(-1);
      if (last?.type === 'text') runs[runs.length - 1] = { type: 'text', text: last.text + node.data };
      else runs.push({ type: 'text', text: node.data });
      continue;
    }
    const element = asElement(node, origin);
    if (element.name !== 'field') {
      refuse(origin, `<${element.name}> inside text; only text and <field/> are allowed there`, { element: element.name });
    }
    if ('list' in element.attribs) refuse(origin, 'a list field (<field list/>) stands inside <ul> or <ol>, not inside text');
    if (element.children.length > 0) refuse(origin, '<field/> is empty: it shows the value it refers to');
    runs.push(fieldOf(element, origin));
  }
  return normalizeRuns(runs);
}

/** Whitespace as the renderer reads it (markup.ts): runs of HTML spaces become one, none at either end. */
function normalizeRuns(runs: Inline[]): Inline[] {
  const spaced = runs
    .map((run) => (run.type === 'text' ? { ...run, text: run.text.replace(/[ \t\n\r\f]+/g, ' ') } : run))
    .filter((run) => run.type !== 'text' || run.text !== '');
  const first = spaced[0];
  if (first?.type === 'text') spaced[0] = { ...first, text: first.text.replace(/^ /, '') };
  const last = spaced.at(-1);
  if (last?.type === 'text') spaced[spaced.length - 1] = { ...last, text: last.text.replace(/ $/, '') };
  return spaced.filter((run) => run.type !== 'text' || run.text !== '');
}

function fieldOf(element: Element, origin: TextOrigin): FieldRun {
  const attributes = element.attribs;
  for (const name of Object.keys(attributes)) {
    if (!FIELD_ATTRIBUTES.has(name)) refuse(origin, `<field> has no attribute "${name}"`);
  }
  const { ref, josa, expr } = attributes;
  if (ref !== undefined && !REF.test(ref)) refuse(origin, `"${ref}" is not a field name`, { field: ref });
  if (ref === undefined && expr === undefined) refuse(origin, '<field/> needs ref="..."');
  if (josa !== undefined && !JOSA.test(josa)) refuse(origin, `"${josa}" is not a Korean particle pair such as 와/과`, { field: ref });
  if ('capitalize' in attributes && josa !== undefined)
    refuse(origin, 'a field is capitalized or takes a particle, not both', { field: ref });
  if (expr !== undefined) {
    if ('capitalize' in attributes || josa !== undefined) refuse(origin, 'a field with expr="..." takes no other form', { field: ref });
    checkExpression(expr, origin);
  }
  if (!PUNCTUATION.test(attributes.sep ?? '') || !PUNCTUATION.test(attributes.end ?? '')) {
    refuse(origin, "a list field's sep and end are one of . ; , : or nothing", { field: ref });
  }
  return {
    type: 'field',
    ...(ref !== undefined && { ref }),
    ...('capitalize' in attributes && { capitalize: true }),
    ...(josa !== undefined && { josa }),
    ...(expr !== undefined && { expr }),
  };
}

/** An expr is one helper call over the data, as written between {{ and }}: nothing more. */
function checkExpression(expr: string, origin: TextOrigin): void {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(`{{${expr}}}`);
  } catch {
    refuse(origin, `expr="${expr}" is not a helper call`);
  }
  const [statement, ...rest] = program.body;
  if (rest.length > 0 || statement?.type !== 'MustacheStatement' || !(statement as hbs.AST.MustacheStatement).escaped) {
    refuse(origin, `expr="${expr}" is not one helper call`);
  }
}

function noAttributes(element: Element, origin: TextOrigin): void {
  const [name] = Object.keys(element.attribs);
  if (name !== undefined) refuse(origin, `<${element.name}> takes no attributes ("${name}")`);
}

function asElement(node: ChildNode, origin: TextOrigin): Element {
  if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') refuse(origin, `unexpected ${node.type} in the clause text`);
  return node as Element;
}

// ---------------------------------------------------------------------------------------------------
// Writing the format

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (text: string) => escapeText(text).replace(/"/g, '&quot;');

function serializeInline(runs: readonly Inline[]): string {
  return runs
    .map((run) => {
      if (run.type === 'text') return escapeText(run.text);
      const attributes = [
        run.ref !== undefined && `ref="${escapeAttribute(run.ref)}"`,
        run.capitalize && 'capitalize',
        run.josa !== undefined && `josa="${escapeAttribute(run.josa)}"`,
        run.expr !== undefined && `expr="${escapeAttribute(run.expr)}"`,
      ].filter(Boolean);
      return `<field ${attributes.join(' ')}/>`;
    })
    .join('');
}

/** The canonical text of a document: what GET answers and what two texts are compared as. */
export function serializeEditable(doc: EditableDoc): string {
  if (doc.inline) return serializeInline(doc.content);
  return doc.blocks
    .map((block) => {
      if (block.type === 'paragraph') return `<p>${serializeInline(block.content)}</p>`;
      const tag = block.ordered ? 'ol' : 'ul';
      const entries = block.entries.map((entry) =>
        entry.type === 'item'
          ? `<li>${serializeInline(entry.content)}</li>`
          : `<field ref="${escapeAttribute(entry.ref)}" list${entry.sep ? ` sep="${escapeAttribute(entry.sep)}"` : ''}${entry.end ? ` end="${escapeAttribute(entry.end)}"` : ''}/>`,
      );
      return `<${tag}>\n${entries.join('\n')}\n</${tag}>`;
    })
    .join('\n');
}

/** Parses and writes again: the one spelling of a text, so "changes nothing" can be told. */
export function canonicalEditable(markup: string, origin: TextOrigin): string {
  return serializeEditable(parseEditable(markup, origin));
}

// ---------------------------------------------------------------------------------------------------
// Fields and the agreement's data

/** Every value a field may refer to in one language's clause context (booleans choose wording, they are no fields). */
export function fieldCatalog(context: object): FieldCatalog {
  const fields = new Map<string, { kind: 'text' | 'list'; value: string }>();
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'string' || typeof value === 'number') fields.set(path, { kind: 'text', value: String(value) });
    else if (Array.isArray(value)) {
      if (value.every((item) => typeof item === 'string')) fields.set(path, { kind: 'list', value: value.join('; ') });
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
    }
  };
  walk(context, '');
  return fields;
}

/** Every field of a document refers to a value of the agreement (a list field to a list); else 422 naming it. */
export function checkFields(doc: EditableDoc, catalog: FieldCatalog, origin: TextOrigin): void {
  const check = (ref: string | undefined, kind: 'text' | 'list') => {
    if (ref === undefined) return;
    const known = catalog.get(ref);
    if (!known) refuse(origin, `unknown field "${ref}"`, { field: ref });
    if (known.kind !== kind) {
      refuse(origin, kind === 'list' ? `"${ref}" is not a list` : `"${ref}" is a list: use <field ref="${ref}" list/> inside <ul>`, {
        field: ref,
      });
    }
  };
  const inline = (runs: readonly Inline[]) => {
    for (const run of runs) if (run.type === 'field') check(run.ref, 'text');
  };
  if (doc.inline) {
    inline(doc.content);
    return;
  }
  for (const block of doc.blocks) {
    if (block.type === 'paragraph') inline(block.content);
    else for (const entry of block.entries) entry.type === 'item' ? inline(entry.content) : check(entry.ref, 'list');
  }
}

/** The Handlebars call a field stands for, without the braces. */
export function fieldExpression(field: FieldRun): string {
  if (field.expr !== undefined) return field.expr;
  if (field.josa !== undefined) return `josa ${field.ref} ${JSON.stringify(field.josa)}`;
  if (field.capitalize) return `capitalize ${field.ref}`;
  return field.ref!;
}

/** The clause template a document is stored as. */
export function editableToTemplate(doc: EditableDoc): string {
  const inline = (runs: readonly Inline[]) =>
    runs.map((run) => (run.type === 'text' ? escapeText(run.text) : `{{${fieldExpression(run)}}}`)).join('');
  if (doc.inline) return inline(doc.content);
  return doc.blocks
    .map((block) => {
      if (block.type === 'paragraph') return `<p>${inline(block.content)}</p>`;
      const tag = block.ordered ? 'ol' : 'ul';
      const entries = block.entries.map((entry) => {
        if (entry.type === 'item') return `<li>${inline(entry.content)}</li>`;
        const punctuation = entry.sep || entry.end ? `{{#if @last}}${entry.end}{{else}}${entry.sep}{{/if}}` : '';
        return `{{#each ${entry.ref}}}\n<li>{{this}}${punctuation}</li>\n{{/each}}`;
      });
      return `<${tag}>\n${entries.join('\n')}\n</${tag}>`;
    })
    .join('\n');
}

/** A field's value as printed in a language (its helper applied). */
export function fieldValue(field: FieldRun, context: object, origin: TextOrigin): string {
  const rendered = renderClauseTemplate(`{{${fieldExpression(field)}}}`, context, origin.clause, origin.lang);
  return parseDocument(rendered, { decodeEntities: true })
    .children.map((node) => (node.type === 'text' ? node.data : ''))
    .join('');
}

/** The text as a reader reads it, fields filled in: blocks on lines of their own. For word diffs. */
export function plainText(doc: EditableDoc, context: object, origin: TextOrigin, catalog = fieldCatalog(context)): string {
  const inline = (runs: readonly Inline[]) =>
    runs.map((run) => (run.type === 'text' ? run.text : safeValue(run, context, origin))).join('');
  if (doc.inline) return inline(doc.content);
  return doc.blocks
    .flatMap((block) =>
      block.type === 'paragraph'
        ? [inline(block.content)]
        : block.entries.flatMap((entry) =>
            entry.type === 'item' ? [inline(entry.content)] : (catalog.get(entry.ref)?.value.split('; ') ?? [`[${entry.ref}]`]),
          ),
    )
    .join('\n');
}

function safeValue(field: FieldRun, context: object, origin: TextOrigin): string {
  try {
    return fieldValue(field, context, origin);
  } catch {
    return `[${field.ref ?? field.expr}]`;
  }
}

// ---------------------------------------------------------------------------------------------------
// From the clause library's templates

/**
 * The editable text of a clause template in one language, its conditionals settled by `context` (the
 * language's clause context). Constructs the format cannot show as fields (a block helper it does not
 * know, a loop of another shape) are shown as the text they print, so every template has an editable text.
 */
export function templateToEditable(template: string, context: object, origin: TextOrigin): EditableDoc {
  let program: hbs.AST.Program;
  try {
    program = parsedTemplate(template);
  } catch (error) {
    return refuse(origin, `the stored template does not parse: ${(error as Error).message.split('\n')[0]}`);
  }
  const lines = template.split('\n');
  const sourceOf = (node: hbs.AST.Node) => {
    const { start, end } = node.loc;
    if (start.line === end.line) return lines[start.line - 1]!.slice(start.column, end.column);
    return [
      lines[start.line - 1]!.slice(start.column),
      ...lines.slice(start.line, end.line - 1),
      lines[end.line - 1]!.slice(0, end.column),
    ].join('\n');
  };
  const printed = (node: hbs.AST.Node) => renderClauseTemplate(sourceOf(node), context, origin.clause, origin.lang);
  const emit = (statements: readonly hbs.AST.Statement[]): string =>
    statements
      .map((statement) => {
        switch (statement.type) {
          case 'ContentStatement':
            return (statement as hbs.AST.ContentStatement).value;
          case 'CommentStatement':
            return '';
          case 'MustacheStatement':
            // Handlebars escapes what a mustache prints, so its output is markup already.
            return fieldMarkup(statement as hbs.AST.MustacheStatement) ?? printed(statement);
          case 'BlockStatement': {
            const block = statement as hbs.AST.BlockStatement;
            const name = block.path.type === 'PathExpression' ? (block.path as hbs.AST.PathExpression).original : '';
            const [condition] = block.params;
            if ((name === 'if' || name === 'unless') && block.params.length === 1 && condition?.type === 'PathExpression') {
              const path = condition as hbs.AST.PathExpression;
              if (!path.data) {
                const truthy = isTruthy(resolvePath(context, path.parts));
                const chosen = truthy === (name === 'if') ? block.program : block.inverse;
                return chosen ? emit(chosen.body) : '';
              }
            }
            if (name === 'each') return listFieldMarkup(block) ?? printed(block);
            return printed(block);
          }
          default:
            return printed(statement);
        }
      })
      .join('');
  return parseEditable(emit(program.body), origin);
}

const MAX_PARSED = 2000;
/** Syntax trees by a hash of their template, read and never changed here. */
const parsedTemplates = new Map<string, hbs.AST.Program>();

/**
 * Handlebars' syntax tree of a template, parsed once per distinct template: every view of an agreement
 * shows every clause's editable text, and parsing the same templates again for each view was two
 * thirds of making them. Bounded, as the compiled templates are (clause-templates.ts).
 */
function parsedTemplate(template: string): hbs.AST.Program {
  const key = createHash('sha256').update(template).digest('base64');
  let program = parsedTemplates.get(key);
  if (program === undefined) {
    program = Handlebars.parse(template);
    if (parsedTemplates.size >= MAX_PARSED) parsedTemplates.delete(parsedTemplates.keys().next().value!);
    parsedTemplates.set(key, program);
  }
  return program;
}

function resolvePath(context: object, parts: readonly string[]): unknown {
  let value: unknown = context;
  for (const part of parts) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

/** Handlebars' own truth: an empty list is false. */
function isTruthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

/** {{path}}, {{capitalize path}}, {{josa path "와/과"}}, or any other helper call over the data as an expr field. */
function fieldMarkup(statement: hbs.AST.MustacheStatement): string | undefined {
  if (!statement.escaped || statement.path.type !== 'PathExpression') return undefined;
  const path = statement.path as hbs.AST.PathExpression;
  const paramPath = (param: hbs.AST.Expression | undefined) =>
    param?.type === 'PathExpression' && !(param as hbs.AST.PathExpression).data ? (param as hbs.AST.PathExpression).original : undefined;
  if (statement.params.length === 0 && !statement.hash) {
    return !path.data && REF.test(path.original) ? serializeInline([{ type: 'field', ref: path.original }]) : undefined;
  }
  const first = paramPath(statement.params[0]);
  const ref = first !== undefined && REF.test(first) ? first : undefined;
  if (path.original === 'capitalize' && statement.params.length === 1 && !statement.hash && ref) {
    return serializeInline([{ type: 'field', ref, capitalize: true }]);
  }
  const form = statement.params[1];
  if (path.original === 'josa' && statement.params.length === 2 && !statement.hash && ref && form?.type === 'StringLiteral') {
    const josa = (form as hbs.AST.StringLiteral).value;
    if (JOSA.test(josa)) return serializeInline([{ type: 'field', ref, josa }]);
  }
  const expr = printCall(statement);
  return expr === undefined ? undefined : serializeInline([{ type: 'field', ...(ref && { ref }), expr }]);
}

/** A helper call written out again from its syntax tree; undefined for what an expr may not hold. */
function printCall(call: hbs.AST.MustacheStatement | hbs.AST.SubExpression): string | undefined {
  const print = (node: hbs.AST.Expression): string | undefined => {
    switch (node.type) {
      case 'PathExpression': {
        const path = node as hbs.AST.PathExpression;
        return path.data ? undefined : path.original;
      }
      case 'StringLiteral':
        return JSON.stringify((node as hbs.AST.StringLiteral).value);
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return String((node as hbs.AST.NumberLiteral).value);
      case 'SubExpression': {
        const inner = printCall(node as hbs.AST.SubExpression);
        return inner === undefined ? undefined : `(${inner})`;
      }
      default:
        return undefined;
    }
  };
  const parts = [print(call.path as hbs.AST.Expression), ...call.params.map(print)];
  for (const pair of call.hash?.pairs ?? []) {
    const value = print(pair.value);
    parts.push(value === undefined ? undefined : `${pair.key}=${value}`);
  }
  return parts.every((part) => part !== undefined) ? parts.join(' ') : undefined;
}

/** {{#each list}}<li>{{this}}{{#if @last}}.{{else}};{{/if}}</li>{{/each}} as a list field. */
function listFieldMarkup(block: hbs.AST.BlockStatement): string | undefined {
  const [list] = block.params;
  if (block.params.length !== 1 || list?.type !== 'PathExpression' || block.inverse) return undefined;
  const ref = (list as hbs.AST.PathExpression).original;
  if (!REF.test(ref)) return undefined;
  const body = block.program.body.filter(
    (statement) => !(statement.type === 'ContentStatement' && (statement as hbs.AST.ContentStatement).value.trim() === ''),
  );
  const content = (statement: hbs.AST.Statement | undefined) =>
    statement?.type === 'ContentStatement' ? (statement as hbs.AST.ContentStatement).value.trim() : undefined;
  const isThis = (statement: hbs.AST.Statement | undefined) =>
    statement?.type === 'MustacheStatement' &&
    ((statement as hbs.AST.MustacheStatement).path as hbs.AST.PathExpression).original === 'this';
  if (content(body[0]) !== '<li>' || !isThis(body[1]) || content(body.at(-1)) !== '</li>') return undefined;
  let sep = '';
  let end = '';
  if (body.length === 4) {
    const last = body[2] as hbs.AST.BlockStatement;
    const condition = last.params?.[0] as hbs.AST.PathExpression | undefined;
    if (last.type !== 'BlockStatement' || (last.path as hbs.AST.PathExpression).original !== 'if' || condition?.original !== '@last') {
      return undefined;
    }
    end = last.program.body.map(content).join('');
    sep = (last.inverse?.body ?? []).map(content).join('');
    if (!PUNCTUATION.test(sep) || !PUNCTUATION.test(end)) return undefined;
  } else if (body.length !== 3) {
    return undefined;
  }
  return `<field ref="${escapeAttribute(ref)}" list${sep ? ` sep="${sep}"` : ''}${end ? ` end="${end}"` : ''}/>`;
}
