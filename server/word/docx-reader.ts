import { DOMParser, type Element as XmlElement, type Node as XmlNode } from '@xmldom/xmldom';
import yauzl from 'yauzl';
import { RuleViolationError } from '../errors.ts';
import type { TrackedSegment } from './text-edits.ts';

/**
 * Reads a Word file that came back from Word or LibreOffice, as untrusted input with a budget: the zip
 * through yauzl (entry count and uncompressed sizes bounded, every entry's real size checked against
 * the one it declares), the XML through @xmldom/xmldom with DOCTYPE and entity declarations refused
 * before parsing (so none is ever resolved). Macro-enabled documents and relationships to anything
 * outside the file are refused. Out comes what the import needs: the document's paragraphs in order
 * (their bookmarks, tracked changes and comment anchors), the comments and the custom properties.
 */
export const DOCX_LIMITS = {
  entries: 1000,
  /** One part, after inflation. */
  partBytes: 16 * 1024 * 1024,
  /** Every part read, after inflation. */
  totalBytes: 48 * 1024 * 1024,
} as const;

export interface ReadParagraph {
  readonly markers: readonly string[];
  readonly segments: readonly TrackedSegment[];
  /** Comments whose range starts (or, without a range, whose mark stands) in this paragraph. */
  readonly comments: readonly string[];
  /** Which table cell the paragraph stands in (-1: in the body). */
  readonly cell: number;
  /** A Heading 1 paragraph or one numbered as an article: a new article when it has no bookmark. */
  readonly heading: boolean;
}

export interface ReadComment {
  readonly id: string;
  readonly author: string;
  readonly text: string;
}

export interface ReadDocx {
  readonly properties: ReadonlyMap<string, string>;
  readonly paragraphs: readonly ReadParagraph[];
  readonly comments: ReadonlyMap<string, ReadComment>;
}

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const MAIN_PART = 'word/document.xml';
const WANTED = new Set([MAIN_PART, 'word/comments.xml', 'docProps/custom.xml', '[Content_Types].xml']);

const refuse = (detail: string, extensions: Record<string, unknown> = {}): never => {
  throw new RuleViolationError(detail, extensions);
};

export async function readDocx(bytes: Buffer): Promise<ReadDocx> {
  const parts = await unzipParts(bytes);
  const contentTypes = parts.get('[Content_Types].xml');
  if (!contentTypes || !parts.has(MAIN_PART)) refuse('This is not a Word document: it has no word/document.xml');
  const types = parseXml(contentTypes!, '[Content_Types].xml');
  for (const element of elements(types.documentElement!)) {
    const type = element.getAttribute('ContentType') ?? '';
    if (/macroEnabled|vbaProject|ms-office\.vba/i.test(type)) {
      refuse('Macro-enabled documents are refused: save the file as a plain Word document (.docx)', {
        part: element.getAttribute('PartName'),
      });
    }
  }
  for (const [name, xml] of parts) {
    if (!name.endsWith('.rels')) continue;
    for (const relationship of elements(parseXml(xml, name).documentElement!)) {
      if (relationship.getAttribute('TargetMode') === 'External') {
        refuse(`The file refers to something outside it (${relationship.getAttribute('Type')?.split('/').at(-1)}), which is refused`, {
          part: name,
          target: relationship.getAttribute('Target'),
        });
      }
    }
  }
  return {
    properties: customProperties(parts.get('docProps/custom.xml')),
    paragraphs: documentParagraphs(parseXml(parts.get(MAIN_PART)!, MAIN_PART)),
    comments: commentsOf(parts.get('word/comments.xml')),
  };
}

/** The parts the import reads, inflated within the budget; anything else in the zip is only counted. */
function unzipParts(bytes: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (error, zip) => {
      if (error || !zip) {
        reject(new RuleViolationError('The body is not a Word file: it is not a zip archive (a .docx is one)'));
        return;
      }
      if (zip.entryCount > DOCX_LIMITS.entries) {
        reject(
          new RuleViolationError(`The file holds ${zip.entryCount} entries; a Word document holds at most ${DOCX_LIMITS.entries} here`),
        );
        return;
      }
      const parts = new Map<string, string>();
      let total = 0;
      const fail = (problem: RuleViolationError) => {
        zip.close();
        reject(problem);
      };
      zip.on('error', () => fail(new RuleViolationError('The zip archive is damaged')));
      zip.on('end', () => resolve(parts));
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        if (/(^|\/)vbaProject\.bin$/i.test(name)) {
          fail(
            new RuleViolationError('Macro-enabled documents are refused: save the file as a plain Word document (.docx)', { part: name }),
          );
          return;
        }
        if (!WANTED.has(name) && !name.endsWith('.rels')) {
          zip.readEntry();
          return;
        }
        if (entry.uncompressedSize > DOCX_LIMITS.partBytes) {
          fail(new RuleViolationError(`Part ${name} inflates to more than ${DOCX_LIMITS.partBytes} bytes: refused`, { part: name }));
          return;
        }
        // yauzl holds every entry to the size it declares, so the declared sizes bound what is inflated.
        if (total + entry.uncompressedSize > DOCX_LIMITS.totalBytes) {
          fail(
            new RuleViolationError(`The parts read inflate to more than ${DOCX_LIMITS.totalBytes} bytes in all: refused`, { part: name }),
          );
          return;
        }
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) {
            fail(new RuleViolationError(`Part ${name} cannot be read (encrypted or damaged)`, { part: name }));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > DOCX_LIMITS.partBytes) {
              stream.destroy();
              fail(new RuleViolationError(`Part ${name} inflates to more than ${DOCX_LIMITS.partBytes} bytes: refused`, { part: name }));
              return;
            }
            chunks.push(chunk);
          });
          // yauzl says so when a part inflates to more than it declared: a zip bomb's usual lie.
          stream.on('error', () => fail(new RuleViolationError(`Part ${name} does not inflate to the size it declares`, { part: name })));
          stream.on('end', () => {
            total += size;
            parts.set(name, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

function parseXml(xml: string, part: string) {
  // No DTD is read at all: a declaration anywhere is refused before the parser sees it.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) refuse(`Part ${part} declares a DOCTYPE or entities, which are refused`, { part });
  let document: ReturnType<DOMParser['parseFromString']>;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
  } catch {
    return refuse(`Part ${part} is not well-formed XML`, { part });
  }
  if (!document.documentElement) refuse(`Part ${part} is empty`, { part });
  return document;
}

function elements(parent: XmlNode): XmlElement[] {
  const found: XmlElement[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) if (child.nodeType === 1) found.push(child as XmlElement);
  return found;
}

const isW = (element: XmlElement, name: string) => element.namespaceURI === W && element.localName === name;
const attribute = (element: XmlElement, name: string) => element.getAttributeNS(W, name) ?? element.getAttribute(`w:${name}`) ?? '';

function customProperties(xml: string | undefined): Map<string, string> {
  const properties = new Map<string, string>();
  if (!xml) return properties;
  for (const property of elements(parseXml(xml, 'docProps/custom.xml').documentElement!)) {
    const name = property.getAttribute('name');
    if (name) properties.set(name, property.textContent ?? '');
  }
  return properties;
}

function commentsOf(xml: string | undefined): Map<string, ReadComment> {
  const comments = new Map<string, ReadComment>();
  if (!xml) return comments;
  for (const comment of elements(parseXml(xml, 'word/comments.xml').documentElement!)) {
    if (!isW(comment, 'comment')) continue;
    const paragraphs = elements(comment)
      .filter((child) => isW(child, 'p'))
      .map((paragraph) =>
        paragraphSegments(paragraph)
          .map((segment) => (segment.status === 'del' ? '' : segment.text))
          .join(''),
      );
    const id = attribute(comment, 'id');
    comments.set(id, { id, author: attribute(comment, 'author'), text: paragraphs.join('\n').trim() });
  }
  return comments;
}

/** Every paragraph of the body in reading order, table cells included. */
function documentParagraphs(document: ReturnType<DOMParser['parseFromString']>): ReadParagraph[] {
  const paragraphs: ReadParagraph[] = [];
  let cell = -1;
  let cells = 0;
  const visit = (element: XmlElement) => {
    if (isW(element, 'p')) {
      paragraphs.push(readParagraph(element, cell));
      return;
    }
    if (isW(element, 'tc')) {
      const outer = cell;
      cell = cells++;
      for (const child of elements(element)) visit(child);
      cell = outer;
      return;
    }
    for (const child of elements(element)) visit(child);
  };
  const body = elements(document.documentElement!).find((element) => isW(element, 'body'));
  if (!body) refuse('word/document.xml has no body');
  for (const child of elements(body!)) visit(child);
  return paragraphs;
}

function readParagraph(paragraph: XmlElement, cell: number): ReadParagraph {
  const markers: string[] = [];
  const comments: string[] = [];
  let heading = false;
  const properties = elements(paragraph).find((child) => isW(child, 'pPr'));
  if (properties) {
    for (const property of elements(properties)) {
      if (isW(property, 'pStyle') && /^heading ?1$/i.test(attribute(property, 'val'))) heading = true;
    }
  }
  const segments = paragraphSegments(paragraph, (element) => {
    if (isW(element, 'bookmarkStart')) markers.push(attribute(element, 'name'));
    if (isW(element, 'commentRangeStart') || isW(element, 'commentReference')) {
      const id = attribute(element, 'id');
      if (!comments.includes(id)) comments.push(id);
    }
  });
  return { markers, segments, comments, cell, heading };
}

/** A paragraph's text as stretches unchanged, inserted and deleted (Track Changes), in order. */
function paragraphSegments(paragraph: XmlElement, onMark: (element: XmlElement) => void = () => {}): TrackedSegment[] {
  const segments: TrackedSegment[] = [];
  const push = (text: string, status: TrackedSegment['status']) => {
    if (text === '') return;
    const last = segments.at(-1);
    if (last?.status === status) segments[segments.length - 1] = { text: last.text + text, status };
    else segments.push({ text, status });
  };
  const visit = (element: XmlElement, status: TrackedSegment['status']) => {
    if (element.namespaceURI !== W) return;
    switch (element.localName) {
      case 'pPr':
      case 'rPr':
      case 'instrText':
      case 'delInstrText':
        return;
      case 'ins':
      case 'moveTo':
        for (const child of elements(element)) visit(child, 'ins');
        return;
      case 'del':
      case 'moveFrom':
        for (const child of elements(element)) visit(child, 'del');
        return;
      case 't':
      case 'delText':
        push(element.textContent ?? '', status);
        return;
      case 'tab':
        push('\t', status);
        return;
      case 'br':
      case 'cr':
        push(' ', status);
        return;
      case 'noBreakHyphen':
        push('-', status);
        return;
      default:
        onMark(element);
        for (const child of elements(element)) visit(child, status);
    }
  };
  for (const child of elements(paragraph)) visit(child, 'same');
  return segments;
}
