import { parseDocument } from 'htmlparser2';
import type { ChildNode, Element } from 'domhandler';
import { RuleViolationError } from '../errors.ts';

/**
 * The small semantic markup clause templates produce: paragraphs and one level of lists.
 * Everything downstream (PDF layout, HTML preview) reads these blocks, never the raw markup.
 */
export type Block =
  | { readonly type: 'paragraph'; readonly text: string }
  | { readonly type: 'list'; readonly ordered: boolean; readonly items: readonly string[] };

/** Where a piece of markup came from, so an error can name it. */
export interface MarkupOrigin {
  readonly clause: string;
  readonly lang: string;
}

/** Parses a clause body; anything outside the subset is refused with the clause and language named. */
export function parseBlocks(markup: string, origin: MarkupOrigin): Block[] {
  const blocks: Block[] = [];
  for (const node of parseDocument(markup, { decodeEntities: true }).children) {
    if (node.type === 'text') {
      if (node.data.trim() !== '') blocks.push({ type: 'paragraph', text: normalizeSpace(node.data) });
      continue;
    }
    if (node.type === 'comment') continue;
    const element = asElement(node, origin);
    if (element.name === 'p') {
      blocks.push({ type: 'paragraph', text: inlineText(element, origin) });
    } else if (element.name === 'ul' || element.name === 'ol') {
      const items = element.children
        .filter((child) => !(child.type === 'text' && child.data.trim() === ''))
        .map((child) => {
          const item = asElement(child, origin);
          if (item.name !== 'li') refuse(`<${item.name}> inside a list; only <li> is allowed`, origin);
          return inlineText(item, origin);
        });
      blocks.push({ type: 'list', ordered: element.name === 'ol', items });
    } else {
      refuse(`<${element.name}> is not part of the clause markup (p, ul, ol, li)`, origin);
    }
  }
  return blocks.filter((block) => block.type === 'list' || block.text !== '');
}

/** Parses a one-line text such as a title: no markup at all, entities decoded. */
export function parseInline(markup: string, origin: MarkupOrigin): string {
  const document = parseDocument(`<p>${markup}</p>`, { decodeEntities: true });
  return inlineText(asElement(document.children[0]!, origin), origin);
}

function inlineText(element: Element, origin: MarkupOrigin): string {
  const parts = element.children.map((child) => {
    if (child.type === 'text') return child.data;
    if (child.type === 'comment') return '';
    return refuse(`<${asElement(child, origin).name}> inside text; only plain text is allowed there`, origin);
  });
  return normalizeSpace(parts.join(''));
}

/** Elements of any kind: htmlparser2 gives <script> and <style> node types of their own. */
function asElement(node: ChildNode, origin: MarkupOrigin): Element {
  if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') {
    refuse(`unexpected ${node.type} in the clause markup`, origin);
  }
  return node as Element;
}

/**
 * Runs of HTML's whitespace (space, tab, line breaks) become one space, as a browser collapses them.
 * Only those: JavaScript's \s would also take the no-break spaces that keep "2018 г." or "ст. 5"
 * on one line.
 */
function normalizeSpace(text: string): string {
  return text.replace(/[ \t\n\r\f]+/g, ' ').replace(/^ | $/g, '');
}

function refuse(problem: string, origin: MarkupOrigin): never {
  throw new RuleViolationError(`clause "${origin.clause}" (${origin.lang}): ${problem}`, {
    clause: origin.clause,
    lang: origin.lang,
  });
}
