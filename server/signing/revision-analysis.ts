import {
  PDFArray,
  type PDFContext,
  PDFDict,
  PDFName,
  type PDFObject,
  PDFParser,
  PDFRawStream,
  PDFRef,
  PDFStream,
  PDFXRefStreamParser,
} from '@cantoo/pdf-lib';
import { PdfLimitError } from './pdf-limits.ts';
import { type Finding, finding, messagesOf } from './verification-findings.ts';

/**
 * What each incremental revision of a signed PDF adds or changes, judged by the certifying signature's
 * DocMDP permission (ISO 32000-2 §12.8.2.2). A signature vouches for the bytes of its own revision; what
 * a later revision changes it never saw, so a reader must tell apart the changes the certifier allowed
 * (P 2: filling signature fields with their appearances; at every level a DSS and document timestamps)
 * from any other one (page content, resources, other annotations, the catalog beyond the form and the
 * DSS), which makes the file something nobody signed.
 *
 * Each revision is parsed on its own, so the objects it defines are known exactly (an object in one of
 * its object streams included), and is held against its own cross-reference section, so a reader that
 * follows the offsets sees the same objects as this analysis: a number defined twice, an entry pointing
 * at another revision's bytes or at nothing, an object the section does not list, are problems too.
 *
 * Pure: bytes in, a report out; every problem in words and as a finding, never thrown (but a PdfLimitError over a bound).
 */

/** One revision: the file up to the end of its `%%EOF` line. */
export interface RevisionReport {
  /** 1 for the original document, then in file order. */
  readonly number: number;
  /** Where it ends in the file, in bytes (after its end-of-line, when it has one). */
  readonly end: number;
  /** The field of the signature or document timestamp whose /ByteRange ends this revision; null for none. */
  readonly signedBy: string | null;
  /** What it changes that the certification does not permit, and anything inconsistent; empty when sound. */
  readonly problems: string[];
  /** The problems as findings (code, values, the same words), in the same order. */
  readonly problemFindings: Finding[];
}

/** A signature as the analysis needs it: its field, where the revision it signs ends, and its DocMDP permission if it certifies. */
export interface SignedRevisionEnd {
  readonly field: string;
  readonly signedUntil: number;
  /** DocMDP /P of a certification signature (1, 2 or 3); undefined for an approval signature or a document timestamp. */
  readonly docMdpPermission?: number;
}

/** Each revision is parsed once more; an agreement has a handful (original, two signatures, DSS and timestamps over decades). */
export const MAX_REVISIONS = 200;

const HEADER = Buffer.from('%PDF-1.7\n', 'latin1');

interface ObjectEntry {
  readonly ref: PDFRef;
  readonly object: PDFObject;
  readonly bytes: Buffer;
}

/** The objects in force after a revision, by object number. */
type State = Map<number, ObjectEntry>;

interface Referrer {
  /** The object number holding the reference; -1 for the trailer. */
  readonly from: number;
  /** The keys and indices from that object down to the reference. */
  readonly path: readonly string[];
}

interface Trailer {
  root?: PDFRef;
  info?: PDFRef;
  encrypt: boolean;
}

/** Where each revision ends: after "startxref <n> %%EOF" and the end-of-line that follows it. */
export function findRevisionEnds(pdf: Buffer): number[] {
  const text = pdf.toString('latin1');
  const ends: number[] = [];
  for (const match of text.matchAll(/startxref\s+\d+\s*%%EOF(\r\n|\r|\n)?/g)) {
    ends.push(match.index + match[0].length);
    if (ends.length > MAX_REVISIONS)
      throw new PdfLimitError(`The PDF has more than ${MAX_REVISIONS} revisions`, `${MAX_REVISIONS} incremental revisions`);
  }
  return ends;
}

/**
 * Judges every revision after the certifying one (the first signature's, when none certifies, with the
 * rules of P 2). Revisions up to it are reported without problems: the certifier signed them.
 */
export async function analyseRevisions(pdf: Buffer, signatures: readonly SignedRevisionEnd[]): Promise<RevisionReport[]> {
  const ends = findRevisionEnds(pdf);
  const text = pdf.toString('latin1');
  const trailingBytes = pdf.subarray(ends.at(-1) ?? 0);
  const signedBy = (start: number, end: number) =>
    signatures.find(({ signedUntil }) => signedUntil > start && signedUntil <= end && /^\s*$/.test(text.slice(signedUntil, end)))?.field ??
    null;
  const ordered = [...signatures].sort((a, b) => a.signedUntil - b.signedUntil);
  const certifying = ordered.find((signature) => signature.docMdpPermission !== undefined);
  const baseline = certifying ?? ordered[0];
  const permission = certifying?.docMdpPermission ?? 2;
  const reports: RevisionReport[] = [];
  const state: State = new Map();
  let trailer: Trailer = { encrypt: false };
  let start = 0;
  for (const [index, end] of ends.entries()) {
    // In words while the checks run: every one of them is a structural problem (revisionStructure).
    const problems: string[] = [];
    const section = await parseSection(pdf, start, end, index === 0, problems);
    const judged = baseline !== undefined && start >= baseline.signedUntil && index > 0;
    const sectionTrailer = readTrailer(section?.context, trailer);
    if (section && judged) {
      checkCrossReferences(pdf, start, end, section, state, problems);
      judgeChanges(section, state, trailer, sectionTrailer, permission, problems);
    }
    if (section) for (const [number, entry] of section.objects) state.set(number, entry);
    trailer = sectionTrailer;
    const signer = signedBy(start, end);
    const findings = problems.map((problem) => finding('revisionStructure', problem));
    if (judged && signer === null && !findings.length) findings.push(...unsignedProblems(section));
    reports.push({ number: index + 1, end, signedBy: signer, problems: messagesOf(findings), problemFindings: findings });
    start = end;
  }
  if (baseline !== undefined && trailingBytes.some((byte) => !isWhitespace(byte))) {
    const trailing = finding('trailingBytes', `${trailingBytes.length} bytes follow the last revision's %%EOF and belong to no revision`);
    reports.push({
      number: reports.length + 1,
      end: pdf.length,
      signedBy: null,
      problems: messagesOf([trailing]),
      problemFindings: [trailing],
    });
  }
  return reports;
}

/** An unsigned revision after the certification is permitted only when it adds validation data (a DSS) and nothing else. */
function unsignedProblems(section: Section | undefined): Finding[] {
  if (!section) return [];
  return section.onlyValidationData
    ? []
    : [finding('unsignedChange', 'it is signed by nobody: it changes the document after the last signature')];
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x0c || byte === 0x00;
}

interface Section {
  readonly context: PDFContext;
  /** The objects the revision defines (those in its object streams included), not its xref streams and object stream containers. */
  readonly objects: Map<number, ObjectEntry>;
  /** Set by judgeChanges: everything it changes is DSS data. */
  onlyValidationData: boolean;
}

/** The revision's bytes parsed alone (a header put in front of those after the first), its objects by number. */
async function parseSection(pdf: Buffer, start: number, end: number, first: boolean, problems: string[]): Promise<Section | undefined> {
  const bytes = first ? pdf.subarray(0, end) : Buffer.concat([HEADER, pdf.subarray(start, end)]);
  let context: PDFContext;
  try {
    context = await PDFParser.forBytesWithOptions(bytes, Infinity, false, false, false).parseDocument();
  } catch (error) {
    problems.push(`it could not be read: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const objects = new Map<number, ObjectEntry>();
  for (const [ref, object] of context.enumerateIndirectObjects()) {
    if (isStreamOfType(object, 'XRef') || isStreamOfType(object, 'ObjStm')) continue;
    objects.set(ref.objectNumber, { ref, object, bytes: serialize(object) });
  }
  return { context, objects, onlyValidationData: true };
}

function isStreamOfType(object: PDFObject, type: string): boolean {
  return object instanceof PDFRawStream && object.dict.get(PDFName.of('Type')) === PDFName.of(type);
}

function serialize(object: PDFObject): Buffer {
  const buffer = Buffer.alloc(object.sizeInBytes());
  object.copyBytesInto(buffer, 0);
  return buffer;
}

function readTrailer(context: PDFContext | undefined, previous: Trailer): Trailer {
  if (!context) return previous;
  const { Root, Info, Encrypt } = context.trailerInfo;
  return {
    root: Root instanceof PDFRef ? Root : previous.root,
    info: Info instanceof PDFRef ? Info : previous.info,
    encrypt: previous.encrypt || Encrypt !== undefined,
  };
}

interface XrefEntry {
  readonly number: number;
  readonly generation: number;
  readonly kind: 'in-use' | 'free' | 'compressed';
  /** The absolute offset (in use) or the object stream's number (compressed). */
  readonly where: number;
}

/**
 * The revision's cross-reference section must be inside it and list exactly the objects it defines, each
 * at its own header: otherwise a reader following the offsets would see other objects than these.
 */
function checkCrossReferences(pdf: Buffer, start: number, end: number, section: Section, before: State, problems: string[]): void {
  const text = pdf.toString('latin1', start, end);
  const startxref = /startxref\s+(\d+)\s*%%EOF\s*$/.exec(text);
  const offset = startxref ? Number(startxref[1]) : Number.NaN;
  if (!(offset >= start && offset < end)) {
    problems.push(`its startxref (${startxref?.[1] ?? 'none'}) does not point into the revision`);
    return;
  }
  const entries = readXref(pdf, offset, end, section);
  if (!entries) {
    problems.push(`no cross-reference section at its startxref ${offset}`);
    return;
  }
  const headers = new Map<number, number[]>();
  for (const match of text.matchAll(/(?:^|[\r\n])(\d+)[ \t\r\n]+(\d+)[ \t\r\n]+obj\b/g)) {
    const number = Number(match[1]);
    const at = start + match.index + match[0].indexOf(match[1]!);
    headers.set(number, [...(headers.get(number) ?? []), at]);
  }
  for (const [number, offsets] of headers) if (offsets.length > 1) problems.push(`it defines object ${number} more than once`);
  const listed = new Set<number>();
  const streams = new Set(
    section.context
      .enumerateIndirectObjects()
      .filter(([, object]) => isStreamOfType(object, 'ObjStm') || isStreamOfType(object, 'XRef'))
      .map(([ref]) => ref.objectNumber),
  );
  for (const entry of entries) {
    if (entry.kind === 'free') {
      if (entry.number !== 0 && before.has(entry.number)) problems.push(`it deletes object ${entry.number}`);
      continue;
    }
    listed.add(entry.number);
    if (entry.kind === 'compressed') {
      if (!streams.has(entry.where) || !section.objects.has(entry.number))
        problems.push(`its cross-reference section puts object ${entry.number} in object stream ${entry.where}, which does not hold it`);
      continue;
    }
    if (entry.where < start || entry.where >= end) {
      problems.push(`its cross-reference section points object ${entry.number} at byte ${entry.where}, outside the revision`);
      continue;
    }
    const header = /^(\d+)[ \t\r\n]+(\d+)[ \t\r\n]+obj\b/.exec(pdf.toString('latin1', entry.where, Math.min(end, entry.where + 40)));
    if (!header || Number(header[1]) !== entry.number || Number(header[2]) !== entry.generation)
      problems.push(`its cross-reference section points object ${entry.number} at byte ${entry.where}, where it is not defined`);
  }
  for (const number of section.objects.keys()) {
    if (!listed.has(number)) problems.push(`it defines object ${number}, which its cross-reference section does not list`);
  }
}

/** The entries of a classic xref table or of an xref stream at `offset`; undefined when neither is there. */
function readXref(pdf: Buffer, offset: number, end: number, section: Section): XrefEntry[] | undefined {
  const text = pdf.toString('latin1', offset, end);
  if (text.startsWith('xref')) {
    const entries: XrefEntry[] = [];
    const body = text.slice(4, text.search(/trailer/) === -1 ? text.length : text.search(/trailer/));
    let number = 0;
    for (const match of body.matchAll(/(\d+)[ \t]+(\d+)(?:[ \t]+([nf]))?/g)) {
      if (match[3] === undefined) {
        number = Number(match[1]);
        continue;
      }
      entries.push({
        number,
        generation: Number(match[2]),
        kind: match[3] === 'n' ? 'in-use' : 'free',
        where: Number(match[1]),
      });
      number += 1;
    }
    return entries;
  }
  const header = /^(\d+)[ \t\r\n]+(\d+)[ \t\r\n]+obj\b/.exec(text.slice(0, 40));
  if (!header) return undefined;
  const stream = section.context.lookup(PDFRef.of(Number(header[1]), Number(header[2])));
  if (!(stream instanceof PDFRawStream) || !isStreamOfType(stream, 'XRef')) return undefined;
  try {
    return PDFXRefStreamParser.forStream(stream)
      .parseIntoContext()
      .map((entry) => ({
        number: entry.ref.objectNumber,
        generation: entry.ref.generationNumber,
        kind: entry.deleted ? ('free' as const) : entry.inObjectStream ? ('compressed' as const) : ('in-use' as const),
        where: entry.offset,
      }));
  } catch {
    return undefined;
  }
}

/** Every reference in the state, by the number it refers to. */
function referrersOf(state: State): Map<number, Referrer[]> {
  const referrers = new Map<number, Referrer[]>();
  const walk = (value: PDFObject | undefined, from: number, path: string[], depth: number): void => {
    if (depth > 64 || value === undefined) return;
    if (value instanceof PDFRef) {
      const list = referrers.get(value.objectNumber) ?? [];
      list.push({ from, path });
      referrers.set(value.objectNumber, list);
    } else if (value instanceof PDFDict) {
      for (const [key, entry] of value.entries()) walk(entry, from, [...path, key.decodeText()], depth + 1);
    } else if (value instanceof PDFArray) {
      for (const [index, entry] of value.asArray().entries()) walk(entry, from, [...path, String(index)], depth + 1);
    } else if (value instanceof PDFStream) {
      walk(value.dict, from, path, depth + 1);
    }
  };
  for (const [number, { object }] of state) walk(object, number, [], 0);
  return referrers;
}

function resolve(state: State, value: PDFObject | undefined): PDFObject | undefined {
  return value instanceof PDFRef ? state.get(value.objectNumber)?.object : value;
}

function dictOf(state: State, value: PDFObject | undefined): PDFDict | undefined {
  const resolved = resolve(state, value);
  if (resolved instanceof PDFDict) return resolved;
  if (resolved instanceof PDFStream) return resolved.dict;
  return undefined;
}

function nameOf(dict: PDFDict | undefined, key: string): string | undefined {
  const value = dict?.get(PDFName.of(key));
  return value instanceof PDFName ? value.decodeText() : undefined;
}

/** A signature field, or a widget of one: /FT /Sig on itself or on a parent. */
function isSignatureField(state: State, dict: PDFDict | undefined): boolean {
  let node = dict;
  for (let depth = 0; node && depth < 32; depth++) {
    if (nameOf(node, 'FT') === 'Sig') return true;
    if (nameOf(node, 'FT') !== undefined) return false;
    node = dictOf(state, node.get(PDFName.of('Parent')));
  }
  return false;
}

function bytesOf(value: PDFObject | undefined): string {
  return value === undefined ? '' : serialize(value).toString('latin1');
}

/** The keys whose values differ between two dictionaries (inline values compared by their bytes). */
function changedKeys(before: PDFDict, after: PDFDict): string[] {
  const keys = new Set([...before.keys(), ...after.keys()].map((key) => key.decodeText()));
  return [...keys].filter((key) => bytesOf(before.get(PDFName.of(key))) !== bytesOf(after.get(PDFName.of(key)))).sort();
}

/** Page numbers (1-based) by object number, walking the page tree of `state` with a bound. */
function pageNumbers(state: State, root: PDFRef | undefined): Map<number, number> {
  const pages = new Map<number, number>();
  const seen = new Set<number>();
  const visit = (ref: PDFObject | undefined, depth: number): void => {
    if (!(ref instanceof PDFRef) || seen.has(ref.objectNumber) || depth > 64 || seen.size > 100_000) return;
    seen.add(ref.objectNumber);
    const node = dictOf(state, ref);
    if (nameOf(node, 'Type') === 'Page') pages.set(ref.objectNumber, pages.size + 1);
    const kids = resolve(state, node?.get(PDFName.of('Kids')));
    if (kids instanceof PDFArray) for (const kid of kids.asArray()) visit(kid, depth + 1);
  };
  visit(dictOf(state, root)?.get(PDFName.of('Pages')), 0);
  return pages;
}

/**
 * Holds every object the revision changes against the permission. A new object is harmless by itself:
 * it takes effect only through a reference from a changed one (or from the trailer), which is judged;
 * a new object that an earlier revision already referred to is a change of what that reference meant.
 */
function judgeChanges(
  section: Section,
  before: State,
  oldTrailer: Trailer,
  newTrailer: Trailer,
  permission: number,
  problems: string[],
): void {
  const after: State = new Map(before);
  for (const [number, entry] of section.objects) after.set(number, entry);
  const referrers = referrersOf(before);
  const pagesBefore = pageNumbers(before, oldTrailer.root);
  const rules = new Rules(before, after, oldTrailer, pagesBefore, permission, referrers);
  if (newTrailer.encrypt && !oldTrailer.encrypt) problems.push('it encrypts the document');
  if (oldTrailer.root && newTrailer.root && oldTrailer.root.objectNumber !== newTrailer.root.objectNumber) {
    problems.push(`it replaces the catalog (object ${oldTrailer.root.objectNumber} by ${newTrailer.root.objectNumber})`);
  }
  if (oldTrailer.info?.objectNumber !== newTrailer.info?.objectNumber) problems.push('it replaces the document information dictionary');
  for (const [number, entry] of section.objects) {
    const previous = before.get(number);
    if (!previous) {
      if (referrers.has(number)) problems.push(`it defines object ${number}, to which the earlier revisions already referred`);
      continue;
    }
    if (previous.bytes.equals(entry.bytes)) continue;
    const verdict = rules.judge(number);
    if (verdict.problem) problems.push(verdict.problem);
    if (!verdict.validationData) section.onlyValidationData = false;
  }
  if (problems.length) section.onlyValidationData = false;
}

interface Verdict {
  /** Why the change is not permitted; undefined when it is. */
  readonly problem?: string;
  /** The change belongs to a DSS (permitted at every level, signed or not). */
  readonly validationData: boolean;
}

const PERMITTED: Verdict = { validationData: false };
const VALIDATION_DATA: Verdict = { validationData: true };
const DSS_KEYS = new Set(['Type', 'Certs', 'CRLs', 'OCSPs', 'VRI']);

/** The judgement of one changed object, by every role it plays in the revision before. */
class Rules {
  constructor(
    private readonly before: State,
    private readonly after: State,
    private readonly trailer: Trailer,
    private readonly pages: Map<number, number>,
    private readonly permission: number,
    private readonly referrers: Map<number, Referrer[]>,
  ) {}

  judge(number: number): Verdict {
    // What an object is in its own right decides first: a page stays a page whoever points at it (its
    // parent, the widgets' /P, the structure tree's /Pg).
    if (number === this.trailer.root?.objectNumber) return this.catalog(number);
    if (this.pages.has(number)) return this.page(number);
    if (this.isAcroForm(number)) return this.acroForm(number);
    if (isSignatureField(this.before, dictOf(this.before, this.before.get(number)?.object))) return this.signatureField(number);
    const roles = this.roles(number);
    const verdicts = roles.map((role) => this.judgeRole(number, role));
    const problem = verdicts.find((verdict) => verdict.problem)?.problem;
    if (problem) return { problem, validationData: false };
    return { validationData: verdicts.length > 0 && verdicts.every((verdict) => verdict.validationData) };
  }

  private describe(number: number): string {
    const page = this.pages.get(number);
    if (page !== undefined) return `page ${page}`;
    if (number === this.trailer.root?.objectNumber) return 'the catalog';
    if (number === this.trailer.info?.objectNumber) return 'the document information dictionary';
    for (const { from, path } of this.referrers.get(number) ?? []) {
      const fromPage = this.pages.get(from);
      if (fromPage !== undefined && path[0] === 'Contents') return `the content stream of page ${fromPage} (object ${number})`;
      if (fromPage !== undefined && path[0] === 'Resources') return `the resources of page ${fromPage} (object ${number})`;
      if (fromPage !== undefined) return `the /${path.join(' ')} of page ${fromPage} (object ${number})`;
    }
    const object = this.before.get(number)?.object;
    const dict = dictOf(this.before, object);
    const type = nameOf(dict, 'Subtype') ?? nameOf(dict, 'Type');
    const kind = object instanceof PDFStream ? 'stream' : object instanceof PDFArray ? 'array' : 'object';
    return `${type ? `a /${type} ${kind}` : `a ${kind}`} (object ${number})`;
  }

  private roles(number: number): Referrer[] {
    const roles = [...(this.referrers.get(number) ?? [])];
    if (number === this.trailer.root?.objectNumber) roles.push({ from: -1, path: ['Root'] });
    if (number === this.trailer.info?.objectNumber) roles.push({ from: -1, path: ['Info'] });
    return roles;
  }

  private forbidden(number: number, what?: string): Verdict {
    return { problem: `it changes ${what ?? this.describe(number)}`, validationData: false };
  }

  private judgeRole(number: number, { from, path }: Referrer): Verdict {
    const key = path[0];
    if (from === -1) return key === 'Root' ? this.catalog(number) : this.forbidden(number);
    if (from === this.trailer.root?.objectNumber) {
      if (key === 'AcroForm' && path.length === 1) return this.acroForm(number);
      if (key === 'DSS' && path.length === 1) return this.dss(number);
      if (key === 'Extensions') return VALIDATION_DATA;
      return this.forbidden(number, `the catalog's /${path.join(' ')} (object ${number})`);
    }
    if (this.isAcroForm(from) && key === 'Fields' && path.length === 1) return this.fieldList(number, 'Fields');
    if (this.pages.has(from) && key === 'Annots' && path.length === 1) return this.fieldList(number, 'Annots');
    if (this.isDssPart(from)) return this.dss(number);
    return this.forbidden(number);
  }

  private isAcroForm(number: number): boolean {
    const root = dictOf(this.before, this.trailer.root);
    const form = root?.get(PDFName.of('AcroForm'));
    return form instanceof PDFRef && form.objectNumber === number;
  }

  private isDssPart(number: number): boolean {
    const root = dictOf(this.before, this.trailer.root);
    const dss = root?.get(PDFName.of('DSS'));
    if (!(dss instanceof PDFRef)) return false;
    if (dss.objectNumber === number) return true;
    // The DSS's own arrays and its VRI dictionaries, two levels down.
    return (this.referrers.get(number) ?? []).some(
      ({ from }) => from === dss.objectNumber || (this.referrers.get(from) ?? []).some((up) => up.from === dss.objectNumber),
    );
  }

  private catalog(number: number): Verdict {
    const before = dictOf(this.before, this.before.get(number)?.object);
    const after = dictOf(this.after, this.after.get(number)?.object);
    if (!before || !after) return this.forbidden(number);
    let validationData = true;
    for (const key of changedKeys(before, after)) {
      if (key === 'DSS') {
        const problem = this.dssLoss(before.get(PDFName.of('DSS')), after.get(PDFName.of('DSS')));
        if (problem) return { problem, validationData: false };
        continue;
      }
      if (key === 'Extensions') continue;
      if (key === 'AcroForm' && this.permission >= 2) {
        validationData = false;
        const verdict = this.formDictionary(
          dictOf(this.before, before.get(PDFName.of('AcroForm'))),
          dictOf(this.after, after.get(PDFName.of('AcroForm'))),
        );
        if (verdict) return { problem: verdict, validationData: false };
        continue;
      }
      return this.forbidden(number, `the catalog's /${key}`);
    }
    return { validationData };
  }

  private acroForm(number: number): Verdict {
    if (this.permission < 2) return this.forbidden(number, 'the form');
    const problem = this.formDictionary(
      dictOf(this.before, this.before.get(number)?.object),
      dictOf(this.after, this.after.get(number)?.object),
    );
    return problem ? { problem, validationData: false } : PERMITTED;
  }

  /** The form may gain signature fields and the signature flags; nothing else of it may change (no XFA, no new resources). */
  private formDictionary(before: PDFDict | undefined, after: PDFDict | undefined): string | undefined {
    if (!after) return 'it removes the form';
    if (after.has(PDFName.of('XFA'))) return 'it adds an XFA form';
    for (const key of before ? changedKeys(before, after) : after.keys().map((name) => name.decodeText())) {
      if (key === 'SigFlags') continue;
      if (key === 'Fields') {
        const problem = this.arrayGrowth(before?.get(PDFName.of('Fields')), after.get(PDFName.of('Fields')), 'Fields');
        if (problem) return problem;
        continue;
      }
      if (!before && (key === 'DA' || key === 'DR')) continue;
      return `it changes the form's /${key}`;
    }
    return undefined;
  }

  /** An indirect /Fields or /Annots array: it may only gain signature fields (widgets). */
  private fieldList(number: number, kind: 'Fields' | 'Annots'): Verdict {
    if (this.permission < 2) return this.forbidden(number);
    const problem = this.arrayGrowth(this.before.get(number)?.object, this.after.get(number)?.object, kind);
    return problem ? { problem, validationData: false } : PERMITTED;
  }

  /** Every entry before is still there; every new one is a signature field or its widget. */
  private arrayGrowth(
    beforeValue: PDFObject | undefined,
    afterValue: PDFObject | undefined,
    kind: 'Fields' | 'Annots',
  ): string | undefined {
    const before = resolve(this.before, beforeValue);
    const after = resolve(this.after, afterValue);
    const entries = (array: PDFObject | undefined) => (array instanceof PDFArray ? array.asArray().map((entry) => bytesOf(entry)) : []);
    const remaining = entries(after);
    for (const entry of entries(before)) {
      const at = remaining.indexOf(entry);
      if (at === -1) return kind === 'Annots' ? 'it removes an annotation from a page' : 'it removes a form field';
      remaining.splice(at, 1);
    }
    const afterArray = after instanceof PDFArray ? after.asArray() : [];
    for (const added of afterArray.filter((entry) => remaining.includes(bytesOf(entry)))) {
      const dict = dictOf(this.after, added);
      if (!isSignatureField(this.after, dict) || (kind === 'Annots' && nameOf(dict, 'Subtype') !== 'Widget')) {
        const what = nameOf(dict, 'Subtype') ?? nameOf(dict, 'FT') ?? 'unknown';
        return kind === 'Annots'
          ? `it adds a /${what} annotation that is not a signature widget`
          : `it adds a form field (/${what}) that is not a signature field`;
      }
    }
    return undefined;
  }

  /** A page may only gain signature widgets in /Annots. */
  private page(number: number): Verdict {
    const before = dictOf(this.before, this.before.get(number)?.object);
    const after = dictOf(this.after, this.after.get(number)?.object);
    if (!before || !after || nameOf(before, 'Type') !== 'Page') return this.forbidden(number);
    const page = this.pages.get(number) ?? '?';
    for (const key of changedKeys(before, after)) {
      if (key === 'Annots' && this.permission >= 2) {
        const problem = this.arrayGrowth(before.get(PDFName.of('Annots')), after.get(PDFName.of('Annots')), 'Annots');
        if (problem) return { problem: `${problem} (page ${page})`, validationData: false };
        continue;
      }
      return this.forbidden(number, `the /${key} of page ${page}`);
    }
    return PERMITTED;
  }

  /** An unsigned signature field may be signed: its /V set, its appearance given; a signed one stays as it is. */
  private signatureField(number: number): Verdict {
    const before = dictOf(this.before, this.before.get(number)?.object);
    const after = dictOf(this.after, this.after.get(number)?.object);
    if (!before || !after || !isSignatureField(this.before, before)) return this.forbidden(number);
    if (this.permission < 2) return this.forbidden(number, `the signature field (object ${number})`);
    const name = before.get(PDFName.of('T')) ? bytesOf(before.get(PDFName.of('T'))) : `(object ${number})`;
    for (const key of changedKeys(before, after)) {
      if (key === 'AP' || key === 'AS') continue;
      if (key === 'V' && !before.has(PDFName.of('V'))) continue;
      return {
        problem: `it changes the /${key} of the signature field ${name}${key === 'V' ? ', which was signed already' : ''}`,
        validationData: false,
      };
    }
    return PERMITTED;
  }

  /**
   * Validation data may be added, never taken away: a DSS that replaces the catalog's must still hold
   * every certificate, CRL and OCSP answer of the one before (what the earlier timestamps proved).
   */
  private dssLoss(beforeValue: PDFObject | undefined, afterValue: PDFObject | undefined): string | undefined {
    const before = dictOf(this.before, beforeValue);
    if (!before) return undefined;
    const after = dictOf(this.after, afterValue);
    if (!after) return 'it removes the DSS (the validation data earlier timestamps cover)';
    for (const key of ['Certs', 'CRLs', 'OCSPs']) {
      const entries = (state: State, dict: PDFDict) => {
        const array = resolve(state, dict.get(PDFName.of(key)));
        return array instanceof PDFArray ? array.asArray().map((entry) => bytesOf(entry)) : [];
      };
      const kept = new Set(entries(this.after, after));
      if (entries(this.before, before).some((entry) => !kept.has(entry))) return `it removes validation data from the DSS (/${key})`;
    }
    return undefined;
  }

  /** The DSS and its arrays and VRI dictionaries: validation data, permitted at every level. */
  private dss(number: number): Verdict {
    const after = resolve(this.after, this.after.get(number)?.object);
    const before = resolve(this.before, this.before.get(number)?.object);
    if (before instanceof PDFArray && after instanceof PDFArray) {
      const kept = new Set(after.asArray().map((entry) => bytesOf(entry)));
      if (before.asArray().some((entry) => !kept.has(bytesOf(entry))))
        return this.forbidden(number, `the DSS's validation data (object ${number}), removing some of it`);
    }
    if (before instanceof PDFDict && nameOf(before, 'Type') === 'DSS' && !(after instanceof PDFDict))
      return this.forbidden(number, 'the DSS, removing it');
    if (before instanceof PDFDict && after instanceof PDFDict && nameOf(before, 'Type') === 'DSS') {
      const problem = this.dssLoss(before, after);
      if (problem) return { problem, validationData: false };
    }
    if (after instanceof PDFStream) return this.forbidden(number, `a stream of the DSS in place (object ${number})`);
    const dict = after instanceof PDFDict ? after : undefined;
    if (dict && nameOf(dict, 'Type') === 'DSS' && dict.keys().some((key) => !DSS_KEYS.has(key.decodeText())))
      return this.forbidden(number, 'the DSS beyond its certificates, CRLs, OCSP responses and VRI');
    return VALIDATION_DATA;
  }
}
