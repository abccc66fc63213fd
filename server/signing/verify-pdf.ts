import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe, which needs Reflect.getMetadata at import time
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import {
  EncryptedPDFError,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFString,
  ParseSpeeds,
} from '@cantoo/pdf-lib';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MalformedRequestError, RuleViolationError } from '../errors.ts';
import { identifiesCertificate } from './cms-checks.ts';
import { pathProvableUntil, STRENGTH_SOURCE, weakestAlgorithmOf } from './cryptographic-strength.ts';
import { PDF_LIMITS, PdfLimitError, checkPdfStructure } from './pdf-limits.ts';
import { DOCUMENT_TIMESTAMP_SUBFILTER, readDss, type ValidationData } from './long-term-validation.ts';
import {
  type PublishedCrl,
  type RevocationStatus,
  type StoredRevocationData,
  checkRevocation,
  findRevocationStatus,
} from './revocation-checks.ts';
import { type RevisionReport, analyseRevisions } from './revision-analysis.ts';
import { type TimestampCheck, checkTimestampToken, timestampTokensOf } from './timestamp-checks.ts';
import { pkijsCertificate } from './parsed-certificates.ts';
import { type Finding, finding, messagesOf } from './verification-findings.ts';

/**
 * Verifies the signatures of a PDF the way a careful reader would, without trusting anything the file
 * says about itself: for every signature field it checks that /ByteRange covers the whole revision but
 * the /Contents hole, recomputes the digest of the covered bytes against the CMS message-digest,
 * verifies the CMS signature and the signing-certificate-v2 binding, and builds the signer's chain to
 * one of the configured trust anchors (the parties' CAs) at the time the signature's RFC 3161 timestamp
 * proves, or at the present when nothing proves a time (the signer's own /M proves nothing). Then it
 * judges every revision after the certification and says whether anything follows the last signature.
 *
 * No I/O: bytes and anchors in, a report out. A PDF that cannot be read at all is a MalformedRequestError
 * (an encrypted one, or one with absurdly many signatures, a RuleViolationError); anything wrong with a
 * signature is reported in its `problems` (and as findings with codes, see verification-findings.ts), never thrown.
 */

/** A CA certificate that signer certificates must chain to, and the party it speaks for. */
export interface TrustAnchor {
  readonly party: string;
  readonly certificatePem: string;
  /** ISO 8601: from then on the anchor trusts no signature (signing time at or after it); null or absent: in service. */
  readonly retiredAt?: string | null;
}

/** Who the signer's certificate names. */
export interface SignerIdentity {
  /** The subject's common name, e.g. "Андрей Соболев". */
  readonly name: string;
  /** The whole subject, most significant RDN first, as pki.ts certificateSubject() writes it. */
  readonly subject: string;
  readonly email: string | null;
  readonly issuer: string;
  readonly serialNumber: string;
}

/** What was found about one signature. */
export interface SignatureVerification {
  /** The signature field's fully qualified name. */
  readonly field: string;
  readonly signer: SignerIdentity | null;
  /** The party whose CA issued the signer's certificate; null when no configured CA did. */
  readonly party: string | null;
  /** The claimed signing time (/M), ISO 8601; null when absent or unreadable. */
  readonly signingTime: string | null;
  /** The RFC 3161 signature timestamp (PAdES B-T): its time, its unit, whether the unit is trusted; null when there is none. */
  readonly timestamp: { readonly time: string | null; readonly authority: string | null; readonly trusted: boolean } | null;
  /** When the certificates were checked, ISO 8601, and why then: the time a trusted timestamp proves, else the present. */
  readonly validatedAt: string;
  readonly validatedAtSource: 'signature-timestamp' | 'document-timestamp' | 'present';
  /** The covered bytes hash to the signed message-digest and the CMS signature verifies. */
  readonly intact: boolean;
  /** The signer's certificate chains to a trust anchor and every certificate on the way was valid at `validatedAt`. */
  readonly trusted: boolean;
  /** Subjects from the signer's certificate to the trust anchor (just the signer's when not trusted). */
  readonly chain: string[];
  /** What its CA's CRL says about the signer's certificate; null when it names none or is not trusted. */
  readonly revocation: RevocationStatus | null;
  readonly subFilter: string | null;
  readonly byteRange: number[];
  /** The signature covers every byte of the file but its own /Contents. */
  readonly coversWholeFile: boolean;
  /** Everything wrong with this signature, in words; empty for a good one. */
  readonly problems: string[];
  /** What does not make it invalid but should be known (an untrusted timestamp unit, /M far from the timestamp). */
  readonly warnings: string[];
  /** The problems as findings (code, values, the same words), in the same order: what a reader in another language says. */
  readonly problemFindings: Finding[];
  /** The warnings as findings, in the same order. */
  readonly warningFindings: Finding[];
}

/** What was found about one document timestamp (/SubFilter /ETSI.RFC3161, PAdES B-LTA). */
export interface DocumentTimestampVerification {
  readonly field: string;
  /** The time the token states, ISO 8601; null when unreadable. */
  readonly time: string | null;
  readonly authority: string | null;
  /** The token is over the bytes its /ByteRange covers and its signature verifies. */
  readonly intact: boolean;
  /** Intact and its unit chains to a trust anchor, valid at the token's time. */
  readonly trusted: boolean;
  /** Until when the unit's chain is valid (its earliest notAfter), ISO 8601; null when not trusted. */
  readonly provableUntil: string | null;
  readonly byteRange: number[];
  readonly coversWholeFile: boolean;
  readonly problems: string[];
  readonly warnings: string[];
  readonly problemFindings: Finding[];
  readonly warningFindings: Finding[];
}

/** PAdES baseline levels (ETSI EN 319 142-1), weakest first. */
export const PADES_LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const;
export type PadesLevel = (typeof PADES_LEVELS)[number];

/** The verdict on a whole file. */
export interface PdfVerification {
  /** SHA-256 of the file as given, hex. */
  readonly sha256: string;
  /** In signing order (by where their revisions end). */
  readonly signatures: SignatureVerification[];
  /** The document timestamps, in file order. */
  readonly documentTimestamps: DocumentTimestampVerification[];
  /**
   * The PAdES baseline level every signature reaches: B-B, B-T (a trusted signature timestamp), B-LT
   * (the DSS holds every certificate and revocation data for the signer and the timestamp unit), B-LTA
   * (that DSS is covered by a trusted document timestamp); null without signatures.
   */
  readonly level: PadesLevel | null;
  /**
   * Until when the file stays provable as it is (ISO 8601): the newest trusted document timestamp's
   * chain expiry, else the earliest signature timestamp's, else the earliest signer chain's; a new DSS
   * and document timestamp before then extend it. Null when nothing is proven now, and when the file
   * is not a valid original (a changed or unsigned revision): its signatures prove nothing of it as it is.
   */
  readonly provableUntil: string | null;
  /** Bytes follow the end of the last signed revision: a change nobody signed. */
  readonly appendedAfterLastSignature: boolean;
  /**
   * Every incremental revision in file order, with what each one after the certifying signature changes
   * beyond what the certification (DocMDP) permits, and which signature ends it.
   */
  readonly revisions: RevisionReport[];
  /** At least one signature, all intact and trusted without problems, no document timestamp with problems, no revision with problems, and nothing appended after the last. */
  readonly valid: boolean;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  keyUsage: '2.5.29.15',
} as const;

/** The digests a PAdES signature may use (SHA-1 is not among them: ETSI TS 119 312). */
const DIGESTS: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const WEBCRYPTO_DIGEST = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const;

/** Each signature costs a chain validation and an RSA verification; no agreement has more than a handful. */
const MAX_SIGNATURES = 50;

const SUPPORTED_SUBFILTERS = new Set(['ETSI.CAdES.detached', 'adbe.pkcs7.detached']);

const cryptoEngine = new pkijs.CryptoEngine({ name: 'nodejs', crypto: webcrypto });

/**
 * Verifies every signature of `pdf` against `trustAnchors`. Certificates are checked at the time each
 * signature's trusted timestamp states, or at `now` when it has none; a trusted signer's revocation
 * against the `crls` the caller obtained from the distribution points its certificate names.
 */
export async function verifyPdf(
  pdf: Buffer,
  trustAnchors: readonly TrustAnchor[],
  now: Date = new Date(),
  crls: readonly PublishedCrl[] = [],
): Promise<PdfVerification> {
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const document = await loadPdf(pdf);
  const anchors = trustAnchors.map((anchor) => ({
    party: anchor.party,
    certificate: certificateFromPem(anchor.certificatePem),
    retiredAt: anchor.retiredAt ? new Date(anchor.retiredAt) : null,
  }));
  const dictionaries = readSignatureDictionaries(document);
  if (dictionaries.length > MAX_SIGNATURES) {
    throw new RuleViolationError(`The PDF has ${dictionaries.length} signatures; at most ${MAX_SIGNATURES} are verified`);
  }
  const dss = readStoredData(document);
  const stamps: CheckedTimestamp[] = [];
  for (const { field, dictionary } of dictionaries.filter(({ dictionary }) => isDocumentTimestamp(dictionary)))
    stamps.push(await verifyDocumentTimestamp(pdf, field, dictionary, anchors));
  stamps.sort((a, b) => a.signedUntil - b.signedUntil);
  const checked: CheckedSignature[] = [];
  for (const { field, dictionary } of dictionaries.filter(({ dictionary }) => !isDocumentTimestamp(dictionary)))
    checked.push(await verifySignature(pdf, field, dictionary, anchors, now, crls, dss, stamps));
  checked.sort((a, b) => a.signedUntil - b.signedUntil);
  const revisions = await analyseRevisions(pdf, [
    ...checked
      .filter(({ signedUntil }) => signedUntil > 0)
      .map(({ report, signedUntil, docMdpPermission }) => ({ field: report.field, signedUntil, docMdpPermission })),
    ...stamps.filter(({ signedUntil }) => signedUntil > 0).map(({ report, signedUntil }) => ({ field: report.field, signedUntil })),
  ]);
  const signatures = checked.map(({ report }) => report);
  const documentTimestamps = stamps.map(({ report }) => report);
  // Only a sound /ByteRange says where a signed revision ends; a bogus one must not make the file look covered.
  const lastEnd = Math.max(0, ...checked.map(({ signedUntil }) => signedUntil), ...stamps.map(({ signedUntil }) => signedUntil));
  const appendedAfterLastSignature = signatures.length > 0 && lastEnd < pdf.length;
  const valid =
    signatures.length > 0 &&
    !appendedAfterLastSignature &&
    revisions.every((revision) => revision.problems.length === 0) &&
    documentTimestamps.every((stamp) => stamp.problems.length === 0) &&
    signatures.every((signature) => signature.intact && signature.trusted && signature.problems.length === 0);
  const level = await levelOf(pdf, checked, stamps, dss);
  const provableUntil = provableUntilOf(checked, stamps, now);
  return {
    sha256,
    signatures,
    documentTimestamps,
    level,
    provableUntil: valid ? (provableUntil?.toISOString() ?? null) : null,
    appendedAfterLastSignature,
    revisions,
    valid,
  };
}

function isDocumentTimestamp(dictionary: PDFDict): boolean {
  return (
    dictionary.lookupMaybe(PDFName.of('SubFilter'), PDFName)?.decodeText() === DOCUMENT_TIMESTAMP_SUBFILTER ||
    dictionary.lookupMaybe(PDFName.of('Type'), PDFName)?.decodeText() === 'DocTimeStamp'
  );
}

/** The DSS of the file as it ends; an unreadable one is as none (its data then proves nothing). */
function readStoredData(document: PDFDocument): ValidationData {
  try {
    return readDss(document);
  } catch {
    return { certificates: [], crls: [], ocspResponses: [] };
  }
}

interface CheckedTimestamp {
  report: DocumentTimestampVerification;
  signedUntil: number;
  time: Date | null;
  provableUntil: Date | null;
}

/** A document timestamp: its /ByteRange as a signature's, the token over the bytes it covers (checkTimestampToken). */
async function verifyDocumentTimestamp(
  pdf: Buffer,
  field: string,
  dictionary: PDFDict,
  anchors: readonly Anchor[],
): Promise<CheckedTimestamp> {
  const problems: Finding[] = [];
  const warnings: Finding[] = [];
  const subFilter = dictionary.lookupMaybe(PDFName.of('SubFilter'), PDFName)?.decodeText();
  if (subFilter !== DOCUMENT_TIMESTAMP_SUBFILTER)
    problems.push(
      finding(
        'malformed',
        `a /DocTimeStamp with /SubFilter ${subFilter ?? '(missing)'}; a document timestamp is ${DOCUMENT_TIMESTAMP_SUBFILTER}`,
      ),
    );
  const byteRange = readByteRange(dictionary);
  const contents = readContents(dictionary);
  const rangeIsSound = checkByteRange(pdf, byteRange, contents, problems);
  const signedUntil = rangeIsSound && byteRange ? byteRange[2]! + byteRange[3]! : 0;
  let check: TimestampCheck | undefined;
  if (contents && rangeIsSound && byteRange) {
    const parsed = asn1js.fromBER(contents);
    if (parsed.offset === -1) problems.push(finding('malformed', `/Contents is not DER: ${parsed.result.error}`));
    else {
      if (contents.subarray(parsed.offset).some((byte) => byte !== 0))
        problems.push(finding('malformed', '/Contents has data after the timestamp token'));
      check = await checkTimestampToken(
        contents.subarray(0, parsed.offset),
        coveredBytes(pdf, byteRange),
        anchors.map((anchor) => anchor.certificate),
      );
      problems.push(
        ...check.problems.map((problem) => ({
          ...problem,
          message: problem.message.replace('than this signature', 'than the bytes it covers'),
        })),
      );
      warnings.push(...check.warnings);
    }
  } else if (!contents) problems.push(finding('malformed', '/Contents holds no timestamp token'));
  return {
    report: {
      field,
      time: check?.time?.toISOString() ?? null,
      authority: check?.authority ?? null,
      intact: check?.intact ?? false,
      trusted: check?.trusted ?? false,
      provableUntil: check?.provableUntil?.toISOString() ?? null,
      byteRange: byteRange ?? [],
      coversWholeFile: signedUntil === pdf.length,
      problems: messagesOf(problems),
      warnings: messagesOf(warnings),
      problemFindings: problems,
      warningFindings: warnings,
    },
    signedUntil,
    time: check?.trusted ? check.time : null,
    provableUntil: check?.trusted ? (check.provableUntil ?? null) : null,
  };
}

/**
 * Whether what was provable until `until` is still proven at `now`: it is while `until` has not passed,
 * and after that when a document timestamp in a later revision (covering it), made before `until`, is
 * proven at `now` in turn (ETSI EN 319 102-1 §5.6.2.5, past signature validation). Offline: times and
 * the file only.
 */
function provenAt(now: Date, until: Date, after: number, stamps: readonly CheckedTimestamp[]): boolean {
  if (now.getTime() <= until.getTime()) return true;
  return stamps.some(
    (stamp) =>
      stamp.signedUntil > after &&
      stamp.time !== null &&
      stamp.provableUntil !== null &&
      stamp.time.getTime() <= until.getTime() &&
      provenAt(now, stamp.provableUntil, stamp.signedUntil, stamps),
  );
}

/** The earliest trusted document timestamp after `after` that is proven at `now`: a time the file provably existed. */
function earliestProvenStamp(now: Date, after: number, stamps: readonly CheckedTimestamp[]): CheckedTimestamp | undefined {
  return stamps.find(
    (stamp) =>
      stamp.signedUntil > after &&
      stamp.time !== null &&
      stamp.provableUntil !== null &&
      provenAt(now, stamp.provableUntil, stamp.signedUntil, stamps),
  );
}

/** Every signature's level, the weakest of them: see PdfVerification.level. */
async function levelOf(
  pdf: Buffer,
  checked: readonly CheckedSignature[],
  stamps: readonly CheckedTimestamp[],
  dss: ValidationData,
): Promise<PadesLevel | null> {
  if (checked.length === 0) return null;
  const lastSignature = Math.max(...checked.map(({ signedUntil }) => signedUntil));
  // The DSS as the newest trusted document timestamp after every signature saw it: what B-LTA protects.
  const newest = [...stamps].reverse().find((stamp) => stamp.time !== null && stamp.signedUntil > lastSignature);
  let covered: ValidationData | undefined;
  if (newest) {
    try {
      covered = readDss(
        await PDFDocument.load(pdf.subarray(0, newest.signedUntil), {
          updateMetadata: false,
          parseSpeed: ParseSpeeds.Fastest,
          throwOnInvalidObject: false,
        }),
      );
    } catch {
      covered = undefined;
    }
  }
  let level = 3;
  for (const signature of checked) {
    const evidence = signature.evidence;
    if (!signature.timestamped) {
      level = 0;
      continue;
    }
    if (!evidence?.timestampPath) {
      level = Math.min(level, 1);
      continue;
    }
    if (!(await holdsValidationData(dss, evidence))) level = Math.min(level, 1);
    else if (!covered || !(await holdsValidationData(covered, evidence))) level = Math.min(level, 2);
  }
  return PADES_LEVELS[level]!;
}

/** The DSS holds every certificate of the signer's and the timestamp unit's paths and revocation data for the signer's and the unit's certificate. */
async function holdsValidationData(dss: ValidationData, evidence: SignatureEvidence): Promise<boolean> {
  const held = new Set(dss.certificates.map((der) => createHash('sha256').update(der).digest('hex')));
  const paths = [evidence.signerPath, evidence.timestampPath ?? []];
  for (const path of paths) {
    for (const certificate of path) {
      if (
        !held.has(
          createHash('sha256')
            .update(Buffer.from(certificate.toSchema().toBER(false)))
            .digest('hex'),
        )
      )
        return false;
    }
    const [leaf, issuer] = path;
    if (!leaf || !issuer) return false;
    const status = await findRevocationStatus(leaf, issuer, [], dss);
    if (status === null || status.status === 'unchecked') return false;
  }
  return true;
}

/** See PdfVerification.provableUntil. */
function provableUntilOf(checked: readonly CheckedSignature[], stamps: readonly CheckedTimestamp[], now: Date): Date | null {
  const newest = [...stamps].reverse().find((stamp) => stamp.provableUntil !== null);
  if (newest?.provableUntil && provenAt(now, newest.provableUntil, newest.signedUntil, stamps)) return newest.provableUntil;
  const untils = checked.map(({ evidence }) => evidence?.timestampUntil ?? evidence?.signerUntil);
  if (untils.length === 0 || untils.some((until) => !until)) return null;
  const earliest = new Date(Math.min(...untils.map((until) => until!.getTime())));
  return earliest.getTime() >= now.getTime() ? earliest : null;
}

async function loadPdf(pdf: Buffer): Promise<PDFDocument> {
  if (pdf.length === 0) throw new MalformedRequestError('The body is empty; send the PDF to verify');
  // ISO 32000-2 §7.5.2 lets readers accept a header that does not start at byte 0; 1024 bytes is what Acrobat scans.
  if (!pdf.subarray(0, 1024).includes('%PDF-')) throw new MalformedRequestError('The body is not a PDF (no %PDF- header)');
  checkPdfStructure(pdf);
  try {
    // pdf-lib reads the objects in file order, so the newest revision's version of each object wins.
    return await PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest, throwOnInvalidObject: false });
  } catch (error) {
    if (error instanceof EncryptedPDFError) throw new RuleViolationError('Encrypted PDFs cannot be verified here');
    throw new MalformedRequestError(`The body could not be read as a PDF: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readSignatureDictionaries(document: PDFDocument): { field: string; dictionary: PDFDict }[] {
  try {
    return signatureDictionaries(document);
  } catch (error) {
    if (error instanceof PdfLimitError) throw error;
    // pdf-lib parses leniently; a file without a catalog or with a broken form tree only fails here.
    throw new MalformedRequestError(`The PDF's form could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Every signed signature field's value (/V), once each, in form order. The field tree is walked here
 * rather than with pdf-lib's getAllFields, which follows /Kids without a bound: a 37 KB file whose
 * /Kids fan out 2,000 x 2,000 x 2,000 kept it busy until the process died. A form is a tree (each field
 * has one /Parent), so a dictionary reached twice is refused, and the depth and node count are bounded.
 */
function signatureDictionaries(document: PDFDocument): { field: string; dictionary: PDFDict }[] {
  const fields = document.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict)?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  const visited = new Set<PDFDict>();
  const signed = new Set<PDFDict>();
  const found: { field: string; dictionary: PDFDict }[] = [];
  const visit = (node: PDFDict, parentName: string, inheritedType: PDFName | undefined, depth: number): void => {
    if (visited.has(node))
      throw new PdfLimitError("The PDF's form lists a field under more than one parent (a graph, not a tree)", 'one parent per form field');
    if (depth > PDF_LIMITS.fieldDepth)
      throw new PdfLimitError(
        `The PDF's form fields nest deeper than ${PDF_LIMITS.fieldDepth} levels`,
        `${PDF_LIMITS.fieldDepth} levels of form fields`,
      );
    if (visited.size >= PDF_LIMITS.fieldNodes)
      throw new PdfLimitError(
        `The PDF's form has more than ${PDF_LIMITS.fieldNodes} fields and widgets`,
        `${PDF_LIMITS.fieldNodes} form fields and widgets`,
      );
    visited.add(node);
    const partialName = node.lookupMaybe(PDFName.of('T'), PDFString, PDFHexString)?.decodeText();
    const name = partialName === undefined ? parentName : parentName ? `${parentName}.${partialName}` : partialName;
    const type = node.lookupMaybe(PDFName.of('FT'), PDFName) ?? inheritedType;
    const value = node.lookup(PDFName.of('V'));
    // A kid without /T is a widget of its field, not a field of its own.
    if (partialName !== undefined && type === PDFName.of('Sig') && value instanceof PDFDict && !signed.has(value)) {
      signed.add(value);
      found.push({ field: name, dictionary: value });
    }
    for (const kid of kidsOf(node.lookupMaybe(PDFName.of('Kids'), PDFArray))) visit(kid, name, type, depth + 1);
  };
  for (const field of kidsOf(fields)) visit(field, '', undefined, 1);
  return found;
}

function kidsOf(array: PDFArray | undefined): PDFDict[] {
  const kids: PDFDict[] = [];
  for (let index = 0; index < (array?.size() ?? 0); index += 1) {
    const kid = array!.lookup(index);
    if (kid instanceof PDFDict) kids.push(kid);
  }
  return kids;
}

interface Anchor {
  party: string;
  certificate: pkijs.Certificate;
  retiredAt: Date | null;
}

interface CheckedSignature {
  report: SignatureVerification;
  /** Where the revision it signs ends, when its /ByteRange is sound; 0 otherwise. */
  signedUntil: number;
  /** DocMDP /P when it is a certification signature. */
  docMdpPermission?: number;
  /** The validated paths of a trusted signature, for the level. */
  evidence?: SignatureEvidence;
  /** It carries a signature timestamp that is sound and trusted at its own time (B-T), proven now or not. */
  timestamped?: boolean;
}

interface SignatureEvidence {
  /** Signer first, anchor last. */
  signerPath: readonly pkijs.Certificate[];
  /** Until when the signer's path is valid. */
  signerUntil: Date;
  /** The signature timestamp unit's path, unit first, when the timestamp is trusted. */
  timestampPath?: readonly pkijs.Certificate[];
  timestampUntil?: Date;
}

/** Collects the problems while checking one signature; every check adds to it rather than throwing. */
async function verifySignature(
  pdf: Buffer,
  field: string,
  dictionary: PDFDict,
  anchors: readonly Anchor[],
  now: Date,
  crls: readonly PublishedCrl[],
  stored: StoredRevocationData,
  stamps: readonly CheckedTimestamp[],
): Promise<CheckedSignature> {
  const problems: Finding[] = [];
  let evidence: SignatureEvidence | undefined;
  let timestamped = false;
  const subFilter = dictionary.lookupMaybe(PDFName.of('SubFilter'), PDFName)?.decodeText() ?? null;
  if (subFilter === null || !SUPPORTED_SUBFILTERS.has(subFilter)) {
    problems.push(
      finding(
        'malformed',
        `/SubFilter ${subFilter ?? '(missing)'} is not a detached CMS signature (ETSI.CAdES.detached or adbe.pkcs7.detached)`,
      ),
    );
  }
  const signingTime = readSigningTime(dictionary, problems);
  const byteRange = readByteRange(dictionary);
  const contents = readContents(dictionary);
  const rangeIsSound = checkByteRange(pdf, byteRange, contents, problems);
  const signedUntil = rangeIsSound && byteRange ? byteRange[2]! + byteRange[3]! : 0;
  const docMdpPermission = readDocMdpPermission(dictionary);
  const warnings: Finding[] = [];
  const report = {
    field,
    signer: null as SignerIdentity | null,
    party: null as string | null,
    signingTime: signingTime?.toISOString() ?? null,
    timestamp: null as SignatureVerification['timestamp'],
    validatedAt: now.toISOString(),
    validatedAtSource: 'present' as SignatureVerification['validatedAtSource'],
    intact: false,
    trusted: false,
    chain: [] as string[],
    revocation: null as RevocationStatus | null,
    subFilter,
    byteRange: byteRange ?? [],
    coversWholeFile: signedUntil === pdf.length,
  };
  // Called once the checks are done: the report with its findings and their words.
  const outcome = (): CheckedSignature => ({
    report: {
      ...report,
      problems: messagesOf(problems),
      warnings: messagesOf(warnings),
      problemFindings: problems,
      warningFindings: warnings,
    },
    signedUntil,
    docMdpPermission,
    evidence,
    timestamped,
  });
  if (!contents) {
    problems.push(finding('malformed', '/Contents holds no signature'));
    return outcome();
  }
  try {
    const cms = parseCms(contents, problems);
    if (!cms) return outcome();
    const { signedData, signerInfo, signerCertificate } = cms;
    report.signer = identify(signerCertificate);
    report.chain = [report.signer.subject];
    const covered = rangeIsSound && byteRange ? coveredBytes(pdf, byteRange) : undefined;
    const digestMatches = covered !== undefined && (await checkDigestAndSignature(covered, signerInfo, signerCertificate, problems));
    report.intact = rangeIsSound && digestMatches;
    await checkSigningCertificateAttribute(signerInfo, signerCertificate, problems);
    checkKeyUsage(signerCertificate, problems);
    const timestamp = await checkSignatureTimestamp(signerInfo, anchors, signingTime, report, problems, warnings);
    let provenTime = timestamp?.trusted && timestamp.time ? timestamp.time : undefined;
    timestamped = provenTime !== undefined;
    if (provenTime && timestamp?.provableUntil && !provenAt(now, timestamp.provableUntil, signedUntil, stamps)) {
      // The token's unit can no longer be checked and no later document timestamp carries its proof on.
      problems.push(
        finding(
          'timestampExpired',
          `its signature timestamp proves nothing at ${now.toISOString()}: the time-stamping unit's chain can be checked only until ${timestamp.provableUntil.toISOString()} (its expiry, or its weakest algorithm's end) and no document timestamp made before then proves it`,
          { at: timestamp.provableUntil.toISOString() },
        ),
      );
      provenTime = undefined;
    }
    if (provenTime) {
      report.validatedAt = provenTime.toISOString();
      report.validatedAtSource = 'signature-timestamp';
    } else if (!timestamp) {
      const stamp = earliestProvenStamp(now, signedUntil, stamps);
      if (stamp?.time) {
        provenTime = stamp.time;
        report.validatedAt = stamp.time.toISOString();
        report.validatedAtSource = 'document-timestamp';
      }
    }
    const path = await chainToAnchor(signedData, signerCertificate, anchors, provenTime ?? now, problems);
    if (path) {
      report.trusted = true;
      report.party = path.anchor.party;
      report.chain = path.certificates.map((certificate) => identify(certificate).subject);
      const validatedAt = provenTime ?? now;
      report.revocation = await checkRevocation(signerCertificate, path.certificates[1]!, crls, validatedAt, problems, warnings, stored);
      const weakest = weakestAlgorithmOf(path.certificates, [signerInfo.digestAlgorithm.algorithmId]);
      if (weakest && validatedAt >= weakest.endsAt) {
        report.trusted = false;
        problems.push(
          finding(
            'algorithmEnded',
            `it relies on ${weakest.algorithm}, which is not counted on from ${weakest.endsAt.toISOString()} (${STRENGTH_SOURCE}), and nothing proves it was made before then`,
            { at: weakest.endsAt.toISOString(), algorithm: weakest.algorithm },
          ),
        );
      }
      evidence = {
        signerPath: path.certificates,
        signerUntil: pathProvableUntil(path.certificates, weakest),
        ...(provenTime && timestamp?.path && { timestampPath: timestamp.path, timestampUntil: timestamp.provableUntil }),
      };
    }
  } catch (error) {
    problems.push(finding('malformed', `the signature could not be read: ${error instanceof Error ? error.message : String(error)}`));
  }
  return outcome();
}

/** How far /M may be from the timestamp's time: the signature is made, then timestamped, within a request. */
const SIGNING_TIME_SKEW_MS = 5 * 60 * 1000;

/**
 * The signature-time-stamp over the signature value (PAdES B-T), if any: a broken token is a problem,
 * an untrusted unit or a /M that disagrees with it a warning. Returns the time it proves, if it does.
 */
async function checkSignatureTimestamp(
  signerInfo: pkijs.SignerInfo,
  anchors: readonly Anchor[],
  signingTime: Date | undefined,
  report: { timestamp: SignatureVerification['timestamp'] },
  problems: Finding[],
  warnings: Finding[],
): Promise<TimestampCheck | undefined> {
  const tokens = timestampTokensOf(signerInfo);
  if (tokens.length === 0) return undefined;
  if (tokens.length > 1)
    problems.push(finding('timestamps', `the signature carries ${tokens.length} signature timestamps; PAdES allows one`));
  const check = await checkTimestampToken(
    tokens[0]!,
    Buffer.from(signerInfo.signature.valueBlock.valueHexView),
    anchors.map((anchor) => anchor.certificate),
  );
  report.timestamp = { time: check.time?.toISOString() ?? null, authority: check.authority, trusted: check.trusted };
  problems.push(...check.problems);
  warnings.push(...check.warnings);
  if (!check.trusted || !check.time) return check;
  if (signingTime && Math.abs(signingTime.getTime() - check.time.getTime()) > SIGNING_TIME_SKEW_MS) {
    warnings.push(
      finding(
        'signingTimeDisagrees',
        `the claimed signing time (/M) ${signingTime.toISOString()} disagrees with the timestamp ${check.time.toISOString()}; the certificates were checked at the timestamp's time`,
        { claimed: signingTime.toISOString(), stamped: check.time.toISOString() },
      ),
    );
  }
  return check;
}

/** The /P of a DocMDP transform in the signature's /Reference (2 when absent, ISO 32000-2 §12.8.2.2); undefined for an approval signature. */
function readDocMdpPermission(dictionary: PDFDict): number | undefined {
  const references = dictionary.lookupMaybe(PDFName.of('Reference'), PDFArray);
  for (let index = 0; index < (references?.size() ?? 0); index++) {
    const reference = references!.lookup(index);
    if (!(reference instanceof PDFDict) || reference.lookupMaybe(PDFName.of('TransformMethod'), PDFName)?.decodeText() !== 'DocMDP')
      continue;
    const permission = reference.lookupMaybe(PDFName.of('TransformParams'), PDFDict)?.lookupMaybe(PDFName.of('P'), PDFNumber)?.asNumber();
    return permission === 1 || permission === 3 ? permission : 2;
  }
  return undefined;
}

function readSigningTime(dictionary: PDFDict, problems: Finding[]): Date | undefined {
  const value = dictionary.lookup(PDFName.of('M'));
  if (value === undefined) {
    problems.push(finding('signingTime', 'no signing time (/M)'));
    return undefined;
  }
  try {
    if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeDate();
  } catch {
    // reported below
  }
  problems.push(finding('signingTime', 'the signing time (/M) is not a PDF date'));
  return undefined;
}

function readByteRange(dictionary: PDFDict): number[] | undefined {
  const value = dictionary.lookup(PDFName.of('ByteRange'));
  if (!(value instanceof PDFArray)) return undefined;
  return value.asArray().map((element) => (element instanceof PDFNumber ? element.asNumber() : Number.NaN));
}

function readContents(dictionary: PDFDict): Buffer | undefined {
  const value = dictionary.lookup(PDFName.of('Contents'));
  if (value instanceof PDFHexString || value instanceof PDFString) return Buffer.from(value.asBytes());
  return undefined;
}

/**
 * A sound range is [0, a, b, c] with the hole [a, b) being exactly this dictionary's /Contents hex string,
 * written right after its /Contents key, and the covered bytes inside the file. Anything else could let a
 * signature vouch for bytes other than the ones it seems to.
 */
function checkByteRange(pdf: Buffer, byteRange: number[] | undefined, contents: Buffer | undefined, problems: Finding[]): boolean {
  if (byteRange?.length !== 4 || !byteRange.every((value) => Number.isSafeInteger(value) && value >= 0)) {
    problems.push(
      finding('malformed', `/ByteRange must be four non-negative integers, got ${byteRange ? `[${byteRange.join(' ')}]` : 'none'}`),
    );
    return false;
  }
  const [start, holeStart, holeEnd, tailLength] = byteRange as [number, number, number, number];
  const end = holeEnd + tailLength;
  if (start !== 0 || holeStart <= 0 || holeEnd <= holeStart || end > pdf.length) {
    problems.push(
      finding(
        'malformed',
        `/ByteRange [${byteRange.join(' ')}] does not describe the file from its first byte with one hole inside its ${pdf.length} bytes`,
      ),
    );
    return false;
  }
  const hole = pdf.subarray(holeStart, holeEnd).toString('latin1');
  if (!/^<[0-9A-Fa-f]*>$/.test(hole)) {
    problems.push(finding('malformed', 'the hole left by /ByteRange is not a single hex string'));
    return false;
  }
  const before = pdf.subarray(Math.max(0, holeStart - 32), holeStart).toString('latin1');
  if (!/\/Contents\s*$/.test(before)) {
    problems.push(finding('malformed', 'the hole left by /ByteRange is not the value of a /Contents key'));
    return false;
  }
  if (!contents || !Buffer.from(hole.slice(1, -1), 'hex').equals(contents)) {
    problems.push(finding('malformed', "the hole left by /ByteRange is not this signature's /Contents"));
    return false;
  }
  return true;
}

function coveredBytes(pdf: Buffer, byteRange: number[]): Buffer {
  const [, holeStart, holeEnd, tailLength] = byteRange as [number, number, number, number];
  return Buffer.concat([pdf.subarray(0, holeStart), pdf.subarray(holeEnd, holeEnd + tailLength)]);
}

interface ParsedCms {
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  signerCertificate: pkijs.Certificate;
}

/** The DER ContentInfo at the start of /Contents (the rest is zero padding), its one SignerInfo and the signer's certificate. */
function parseCms(contents: Buffer, problems: Finding[]): ParsedCms | undefined {
  const parsed = asn1js.fromBER(contents);
  if (parsed.offset === -1) {
    problems.push(finding('malformed', `/Contents is not DER: ${parsed.result.error}`));
    return undefined;
  }
  if (contents.subarray(parsed.offset).some((byte) => byte !== 0))
    problems.push(finding('malformed', '/Contents has data after the CMS signature'));
  const contentInfo = new pkijs.ContentInfo({ schema: parsed.result });
  if (contentInfo.contentType !== OID.signedData) {
    problems.push(finding('malformed', `/Contents is CMS ${contentInfo.contentType}, not SignedData`));
    return undefined;
  }
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  if (signedData.encapContentInfo.eContent) problems.push(finding('malformed', 'the CMS is not detached: it carries content of its own'));
  if (signedData.signerInfos.length !== 1)
    problems.push(finding('malformed', `the CMS has ${signedData.signerInfos.length} signers; a PDF signature has exactly one`));
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo) return undefined;
  const certificates = (signedData.certificates ?? []).filter((certificate) => certificate instanceof pkijs.Certificate);
  const signerCertificate = certificates.find((certificate) => identifiesCertificate(signerInfo.sid, certificate));
  if (!signerCertificate) {
    problems.push(finding('malformed', "the CMS does not carry the signer's certificate (by issuer and serial number)"));
    return undefined;
  }
  return { signedData, signerInfo, signerCertificate };
}

/** True when the covered bytes hash to the signed message-digest; the signature over the signed attributes is checked too. */
async function checkDigestAndSignature(
  covered: Buffer,
  signerInfo: pkijs.SignerInfo,
  signerCertificate: pkijs.Certificate,
  problems: Finding[],
): Promise<boolean> {
  const digest = DIGESTS[signerInfo.digestAlgorithm.algorithmId];
  if (!digest) {
    problems.push(
      finding('attributes', `the digest algorithm ${signerInfo.digestAlgorithm.algorithmId} is not accepted (SHA-256, SHA-384 or SHA-512)`),
    );
    return false;
  }
  const attributes = signerInfo.signedAttrs?.attributes;
  if (!signerInfo.signedAttrs || !attributes) {
    problems.push(
      finding('attributes', 'the CMS has no signed attributes (PAdES requires content-type, message-digest and signing-certificate-v2)'),
    );
    return false;
  }
  const contentType = attributeValue(attributes, OID.contentType);
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== OID.data) {
    problems.push(finding('attributes', 'the content-type attribute is missing or is not id-data'));
  }
  const messageDigest = attributeValue(attributes, OID.messageDigest);
  const actual = createHash(digest).update(covered).digest();
  const digestMatches = messageDigest instanceof asn1js.OctetString && Buffer.from(messageDigest.valueBlock.valueHexView).equals(actual);
  if (!digestMatches)
    problems.push(finding('changed', 'the bytes it covers have changed since signing: their digest is not the signed message-digest'));
  const signatureVerifies = await cryptoEngine
    .verifyWithPublicKey(
      signerInfo.signedAttrs.encodedValue,
      signerInfo.signature,
      signerCertificate.subjectPublicKeyInfo,
      signerInfo.signatureAlgorithm,
      WEBCRYPTO_DIGEST[digest],
    )
    .catch(() => false);
  if (!signatureVerifies) problems.push(finding('signatureBroken', "the CMS signature does not verify with the signer's certificate"));
  return digestMatches && signatureVerifies;
}

function attributeValue(attributes: pkijs.Attribute[], type: string): unknown {
  const matching = attributes.filter((attribute) => attribute.type === type);
  return matching.length === 1 && matching[0]!.values.length === 1 ? matching[0]!.values[0] : undefined;
}

/**
 * ESS signing-certificate-v2 (RFC 5035) names the certificate the signer meant; without the check a
 * certificate with the same key but other contents could be put in its place.
 * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies OPTIONAL }
 * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
 */
async function checkSigningCertificateAttribute(
  signerInfo: pkijs.SignerInfo,
  signerCertificate: pkijs.Certificate,
  problems: Finding[],
): Promise<void> {
  const attributes = signerInfo.signedAttrs?.attributes ?? [];
  const value = attributeValue(attributes, OID.signingCertificateV2);
  if (!(value instanceof asn1js.Sequence)) {
    const legacy = attributeValue(attributes, OID.signingCertificate) !== undefined;
    problems.push(
      finding(
        'attributes',
        legacy
          ? 'the signer is bound with the SHA-1 signing-certificate attribute; PAdES requires signing-certificate-v2'
          : "no signing-certificate-v2 attribute binds the signer's certificate",
      ),
    );
    return;
  }
  const certs = value.valueBlock.value[0];
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) {
    problems.push(finding('attributes', 'the signing-certificate-v2 attribute is malformed'));
    return;
  }
  let elements = first.valueBlock.value;
  let digest: 'sha256' | 'sha384' | 'sha512' | undefined = 'sha256';
  if (elements[0] instanceof asn1js.Sequence) {
    digest = DIGESTS[new pkijs.AlgorithmIdentifier({ schema: elements[0] }).algorithmId];
    elements = elements.slice(1);
  }
  const [certHash, issuerSerial] = elements;
  const certificateDer = Buffer.from(signerCertificate.toSchema().toBER(false));
  if (!digest || !(certHash instanceof asn1js.OctetString)) {
    problems.push(finding('attributes', 'the signing-certificate-v2 attribute is malformed or uses an unaccepted digest'));
    return;
  }
  if (!Buffer.from(certHash.valueBlock.valueHexView).equals(createHash(digest).update(certificateDer).digest())) {
    problems.push(finding('attributes', "the signing-certificate-v2 attribute names another certificate than the signer's"));
    return;
  }
  if (issuerSerial instanceof asn1js.Sequence) {
    const [names, serial] = issuerSerial.valueBlock.value;
    const directoryNames = names instanceof asn1js.Sequence ? names.valueBlock.value : [];
    // GeneralName directoryName is [4], context-specific and explicit.
    const issuerMatches = directoryNames.some(
      (name) =>
        name instanceof asn1js.Constructed &&
        name.idBlock.tagClass === 3 &&
        name.idBlock.tagNumber === 4 &&
        isSameName(name.valueBlock.value[0], signerCertificate.issuer),
    );
    const serialMatches = serial instanceof asn1js.Integer && serial.isEqual(signerCertificate.serialNumber);
    if (!issuerMatches || !serialMatches) {
      problems.push(
        finding('attributes', "the signing-certificate-v2 attribute's issuer and serial number are not the signer certificate's"),
      );
    }
  }
}

function isSameName(element: unknown, name: pkijs.RelativeDistinguishedNames): boolean {
  if (!(element instanceof asn1js.Sequence)) return false;
  try {
    return new pkijs.RelativeDistinguishedNames({ schema: element }).isEqual(name);
  } catch {
    return false;
  }
}

/** RFC 5280 §4.2.1.3: a signer's key must be allowed digitalSignature or nonRepudiation when key usage is stated. */
function checkKeyUsage(certificate: pkijs.Certificate, problems: Finding[]): void {
  const keyUsage = certificate.extensions?.find((extension) => extension.extnID === OID.keyUsage)?.parsedValue;
  if (!(keyUsage instanceof asn1js.BitString)) return;
  const firstByte = keyUsage.valueBlock.valueHexView[0] ?? 0;
  const digitalSignature = 0x80;
  const nonRepudiation = 0x40;
  if ((firstByte & (digitalSignature | nonRepudiation)) === 0)
    problems.push(finding('keyUsage', "the signer's certificate may not be used for signatures (key usage)"));
}

/**
 * The path from the signer's certificate to one of the anchors in service at `at`, every link verified
 * and every certificate valid at `at`; undefined (with the reason among the problems) when there is none.
 * The chain is built against each party's anchors apart, so another party's certificate of a CA can
 * neither win nor spoil the match and the order of the anchors cannot change it; a signature whose chain
 * reaches (or runs through) CAs of more than one party is attributed to none.
 */
async function chainToAnchor(
  signedData: pkijs.SignedData,
  signerCertificate: pkijs.Certificate,
  allAnchors: readonly Anchor[],
  at: Date,
  problems: Finding[],
): Promise<{ anchor: Anchor; certificates: pkijs.Certificate[] } | undefined> {
  const signerTbs = Buffer.from(signerCertificate.tbsView);
  if (allAnchors.some((anchor) => signerTbs.equals(anchor.certificate.tbsView))) {
    problems.push(finding('caCertificate', "it is signed with a CA's own certificate, not a signatory's"));
    return undefined;
  }
  // A retired anchor still vouches for what was signed before its retirement, nothing after.
  const anchors = allAnchors.filter((anchor) => anchor.retiredAt === null || at < anchor.retiredAt);
  const embedded = (signedData.certificates ?? []).filter(
    (certificate): certificate is pkijs.Certificate => certificate instanceof pkijs.Certificate && certificate !== signerCertificate,
  );
  const found: { anchor: Anchor; certificates: pkijs.Certificate[] }[] = [];
  const failures = new Map<string, string>();
  for (const party of [...new Set(anchors.map((anchor) => anchor.party))].sort()) {
    const partyAnchors = anchors.filter((anchor) => anchor.party === party);
    // pkijs takes the last of `certs` as the end entity.
    const engine = new pkijs.CertificateChainValidationEngine({
      trustedCerts: partyAnchors.map((anchor) => anchor.certificate),
      certs: [...embedded, signerCertificate],
      checkDate: at,
    });
    const result = await engine.verify({}, cryptoEngine).catch((error: unknown) => ({
      result: false,
      resultMessage: error instanceof Error ? error.message : String(error),
    }));
    const path = engine.certs;
    const root = path.at(-1);
    const anchor = result.result && root ? partyAnchors.find((candidate) => isSameCa(candidate.certificate, root)) : undefined;
    if (anchor) found.push({ anchor, certificates: path });
    else failures.set(party, result.resultMessage);
  }
  const parties = [
    ...new Set(
      found.flatMap(({ certificates }) =>
        anchors
          .filter((candidate) => certificates.slice(1).some((certificate) => isSameCa(candidate.certificate, certificate)))
          .map((candidate) => candidate.party),
      ),
    ),
  ].sort();
  if (parties.length > 1) {
    problems.push(
      finding(
        'severalParties',
        `the signer's chain reaches CAs registered by more than one party (${parties.join(', ')}); it is attributed to none`,
      ),
    );
    return undefined;
  }
  if (found.length === 1) return found[0];

  const retired = allAnchors.find(
    (candidate) =>
      candidate.retiredAt !== null && at >= candidate.retiredAt && candidate.certificate.subject.isEqual(signerCertificate.issuer),
  );
  const impersonated = [...anchors]
    .sort((a, b) => a.party.localeCompare(b.party))
    .find((candidate) => candidate.certificate.subject.isEqual(signerCertificate.issuer));
  const messages = [...failures.values()];
  // pkijs's words for the most telling failure: against the CA the certificate names, else an expiry.
  const reason =
    (impersonated && failures.get(impersonated.party)) ??
    messages.find((message) => /not yet valid or expired/.test(message)) ??
    messages[0] ??
    'no trust anchor in service';
  const issuer = identify(signerCertificate).issuer;
  if (retired && !impersonated) {
    problems.push(
      finding(
        'retiredIssuer',
        `the signer's certificate was issued by a CA ${retired.party} retired at ${retired.retiredAt!.toISOString()}, before the signing time ${at.toISOString()}`,
        { party: retired.party, at: retired.retiredAt!.toISOString() },
      ),
    );
  } else if (/not yet valid or expired/.test(reason)) {
    problems.push(
      finding(
        'chainNotValid',
        `a certificate on the signer's chain was not valid at ${at.toISOString()}, when its certificates were checked`,
        {
          at: at.toISOString(),
        },
      ),
    );
  } else if (impersonated) {
    problems.push(
      finding(
        'impersonated',
        `the signer's certificate names ${impersonated.party}'s CA as its issuer but does not chain to it (${reason})`,
        { party: impersonated.party },
      ),
    );
  } else {
    problems.push(finding('unknownIssuer', `the signer's certificate was not issued by any party's CA (issuer: ${issuer}; ${reason})`));
  }
  return undefined;
}

function identify(certificate: pkijs.Certificate): SignerIdentity {
  const parsed = new x509.X509Certificate(certificate.toSchema().toBER(false));
  const email =
    parsed.getExtension(x509.SubjectAlternativeNameExtension)?.names.items.find((name) => name.type === 'email')?.value ??
    parsed.subjectName.getField('E')[0] ??
    null;
  return {
    name: parsed.subjectName.getField('CN')[0] ?? parsed.subject,
    subject: parsed.subject,
    email,
    issuer: parsed.issuer,
    serialNumber: parsed.serialNumber,
  };
}

/** The same CA: the same name and the same key, whichever of its certificates (re-issued, renewed) each one is. */
function isSameCa(a: pkijs.Certificate, b: pkijs.Certificate): boolean {
  return (
    Buffer.from(a.subject.toSchema().toBER(false)).equals(Buffer.from(b.subject.toSchema().toBER(false))) &&
    Buffer.from(a.subjectPublicKeyInfo.toSchema().toBER(false)).equals(Buffer.from(b.subjectPublicKeyInfo.toSchema().toBER(false)))
  );
}

function certificateFromPem(pem: string): pkijs.Certificate {
  return pkijsCertificate(pem);
}
