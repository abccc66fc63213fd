import 'reflect-metadata'; // before @peculiar/x509, which needs Reflect.getMetadata at import time
import { deflateSync, inflateSync } from 'node:zlib';
import { PDFDocument, PDFName, StandardFonts, rgb } from '@cantoo/pdf-lib';
import * as x509 from '@peculiar/x509';
import { findSigningCredential } from '../../db/repositories/credentials.repository.ts';
import { findUserByEmail } from '../../db/repositories/users.repository.ts';
import type { SignatureField } from '../../server/pdf/compose.ts';
import { PadesCmsSigner } from '../../server/signing/cms-signer.ts';
import { credentialOwner } from '../../server/signatures/credential-owner.ts';
import { openPrivateKey } from '../../server/signing/key-vault.ts';
import { createCertificateAuthority, importPrivateKey, issueSigningCertificate } from '../../server/signing/pki.ts';
import { addSignature } from '../../server/signing/sign-pdf.ts';
import type { TestServer } from '../support/server.ts';

/**
 * The forgeries a verifier must catch, made the way an attacker would: by editing bytes, by appending a
 * revision with an ordinary PDF library, by transplanting a genuine signature, by signing with a
 * certificate from a CA of one's own. Byte surgery here is deliberately independent of the verifier.
 */

/** Byte offsets of every signature's ByteRange in file order, read straight from the bytes. */
export function byteRanges(pdf: Buffer): [number, number, number, number][] {
  return [...pdf.toString('latin1').matchAll(/\/ByteRange \[\s*(\d+) (\d+) (\d+) (\d+)\s*\]/g)].map(
    (match) => match.slice(1, 5).map(Number) as [number, number, number, number],
  );
}

/** An object stream of the file: where its deflated data starts, how long it is, and the data inflated. */
interface PackedObjects {
  readonly start: number;
  readonly length: number;
  readonly inflated: string;
  /** Each packed object's number and where its body starts in `inflated`. */
  readonly objects: ReadonlyMap<number, number>;
}

/** Every object stream of the file (ISO 32000-1 §7.5.7), read straight from the bytes. */
function objectStreams(pdf: Buffer): PackedObjects[] {
  const text = pdf.toString('latin1');
  return [...text.matchAll(/<<([^<>]*\/Type \/ObjStm[^<>]*)>>\s*stream\r?\n/g)].map((match) => {
    const entry = (key: string) => Number(new RegExp(`/${key} (\\d+)`).exec(match[1]!)?.[1]);
    const start = match.index + match[0].length;
    const length = entry('Length');
    const inflated = inflateSync(pdf.subarray(start, start + length)).toString('latin1');
    const pairs = inflated.slice(0, entry('First')).trim().split(/\s+/).map(Number);
    const objects = new Map<number, number>();
    for (let index = 0; index + 1 < pairs.length; index += 2) objects.set(pairs[index]!, entry('First') + pairs[index + 1]!);
    return { start, length, inflated, objects };
  });
}

/** The file's text followed by every object stream's inflated text: where a regular expression finds a dictionary wherever it is. */
function allObjectsText(pdf: Buffer): string {
  return [pdf.toString('latin1'), ...objectStreams(pdf).map((packed) => packed.inflated)].join('\n');
}

/**
 * Changes one byte of the Info dictionary's /Title string (a literal in the first revision); returns the
 * copy and the offset. In an object stream the byte is changed in the inflated data, deflated again to
 * exactly the same length, so every offset stays where it was and the file still parses: only the title differs.
 */
export function changeOneByteOfTitle(pdf: Buffer): { pdf: Buffer; offset: number } {
  const text = pdf.toString('latin1');
  const titleRef = /\/Title (\d+) 0 R/.exec(allObjectsText(pdf));
  const plain = titleRef ? text.indexOf(`\n${titleRef[1]} 0 obj\n(`) : text.indexOf('/Title (');
  if (plain !== -1) {
    const start = titleRef ? plain + `\n${titleRef[1]} 0 obj\n(`.length : plain + '/Title ('.length;
    return changeByteNear(pdf, start + 8);
  }
  for (const packed of objectStreams(pdf)) {
    const body = titleRef ? packed.objects.get(Number(titleRef[1])) : packed.inflated.indexOf('/Title (');
    if (body === undefined || body === -1) continue;
    const title = packed.inflated.indexOf('(', body) + 1;
    const bytes = Buffer.from(packed.inflated, 'latin1');
    for (let at = title + 8; at < title + 64; at++) {
      for (const mask of [0x01, 0x02, 0x04, 0x08]) {
        const changed = Buffer.from(bytes);
        changed[at] = bytes[at]! ^ mask;
        if ([...'()\\\r\n'].some((special) => changed[at] === special.charCodeAt(0))) continue;
        const deflated = deflateSync(changed);
        if (deflated.length !== packed.length) continue;
        const copy = Buffer.from(pdf);
        deflated.copy(copy, packed.start);
        return { pdf: copy, offset: packed.start };
      }
    }
  }
  throw new Error('no byte of the title can be changed without moving an offset');
}

/** Changes one byte inside the first page's (compressed) content stream. */
export function changeOneByteOfPageContent(pdf: Buffer): { pdf: Buffer; offset: number } {
  const text = pdf.toString('latin1');
  const contentsRef = /\/Type \/Page\n[\s\S]*?\/Contents (\d+) 0 R/.exec(allObjectsText(pdf));
  if (!contentsRef) throw new Error('no page content stream found');
  const objectStart = text.indexOf(`\n${contentsRef[1]} 0 obj\n`);
  const streamStart = text.indexOf('stream\n', objectStart) + 'stream\n'.length;
  return changeByteNear(pdf, streamStart + 100);
}

/** Replaces the byte at `offset` (or the next one that can be changed safely) by another byte that keeps the syntax intact. */
function changeByteNear(pdf: Buffer, offset: number): { pdf: Buffer; offset: number } {
  const special = new Set([...'()\\<>\r\n'].map((character) => character.charCodeAt(0)));
  const copy = Buffer.from(pdf);
  for (let at = offset; at < offset + 64; at++) {
    if (special.has(copy[at]!)) continue;
    const replacement = [0x01, 0x02, 0x04].map((mask) => copy[at]! ^ mask).find((candidate) => !special.has(candidate))!;
    copy[at] = replacement;
    for (const [, holeStart, holeEnd] of byteRanges(pdf)) {
      if (at >= holeStart && at < holeEnd) throw new Error(`offset ${at} is inside a signature's /Contents, not in signed content`);
    }
    return { pdf: copy, offset: at };
  }
  throw new Error(`no byte near ${offset} can be changed safely`);
}

/** Appends an incremental revision after the last signature, as any PDF editor would: a new title and "VOID" across page 1. */
export async function appendRevision(pdf: Buffer): Promise<Buffer> {
  const document = await PDFDocument.load(pdf, { forIncrementalUpdate: true, updateMetadata: false });
  document.setTitle('Amended after signing');
  const font = await document.embedFont(StandardFonts.Helvetica);
  document.getPage(0).drawText('VOID', { x: 100, y: 100, size: 96, font, color: rgb(0.8, 0, 0) });
  const updated = Buffer.from(await document.save({ useObjectStreams: false }));
  if (!updated.subarray(0, pdf.length).equals(pdf)) throw new Error('the update did not keep the signed bytes');
  return updated;
}

/**
 * Appends a revision that replaces the whole text of page `pageIndex` by `text`, as an editor would that
 * "fixes" an executed original: a new content stream for the page, nothing else of the signed bytes touched.
 */
export async function replacePageText(pdf: Buffer, pageIndex: number, text: string): Promise<Buffer> {
  const document = await PDFDocument.load(pdf, { forIncrementalUpdate: true, updateMetadata: false });
  const page = document.getPage(pageIndex);
  page.node.set(PDFName.of('Contents'), document.context.register(document.context.flateStream('')));
  const font = await document.embedFont(StandardFonts.Helvetica);
  page.drawText(text, { x: 72, y: page.getHeight() - 120, size: 14, font, color: rgb(0, 0, 0) });
  const updated = Buffer.from(await document.save({ useObjectStreams: false }));
  if (!updated.subarray(0, pdf.length).equals(pdf)) throw new Error('the update did not keep the signed bytes');
  return updated;
}

/**
 * Signs `pdf` once more, as a genuine signatory of `party` with the key Bilateral holds for them (a
 * trusted certificate), in a new visible field on the first page: what a signatory turned forger can do.
 */
export async function signAsDemoSignatory(server: TestServer, pdf: Buffer, party: string): Promise<Buffer> {
  const { record } = await signingCertificate(server, `signatory@${party}.example`);
  const signer = new PadesCmsSigner({
    certificatePem: record.certificatePem,
    // As the server signs: the party's CA is the trust anchor, not carried (NSS refuses a CMS that carries an RSA-3072 root as pdfsig's anchor).
    chainPems: [],
    privateKey: await importPrivateKey(openPrivateKey(server.deps.config.secret, credentialOwner(record), record.encryptedKey!)),
  });
  const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
  return addSignature(pdf, {
    signer,
    signingTime,
    name: party,
    reason: 'Signed',
    location: '',
    field: { page: 0, rect: { x: 72, y: 72, width: 200, height: 40 }, lines: [party] },
  });
}

/** Where each revision ends ("startxref <n> %%EOF" and its end-of-line, if any), read straight from the bytes. */
export function revisionEnds(pdf: Buffer): number[] {
  return [...pdf.toString('latin1').matchAll(/startxref\s+\d+\s*%%EOF(?:\r\n|\r|\n)?/g)].map((match) => match.index + match[0].length);
}

/** Flips one byte of revision `index` (0-based) outside every /Contents hole, inside a dictionary key's name so the syntax holds. */
export function flipByteInRevision(pdf: Buffer, index: number): { pdf: Buffer; offset: number } {
  const ends = revisionEnds(pdf);
  const start = index === 0 ? 0 : ends[index - 1]!;
  const text = pdf.toString('latin1', start, ends[index]);
  const at = start + text.lastIndexOf('/Type /') + '/Type /'.length + 1;
  return changeByteNear(pdf, at);
}

/** Rewrites the /M of the first signature (same length, a year earlier): a claimed signing time nobody signed. */
export function changeSigningTime(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const match = /\/M \(D:(\d{4})/.exec(text);
  if (!match) throw new Error('no /M found');
  const copy = Buffer.from(pdf);
  copy.write(String(Number(match[1]) - 1), match.index + '/M (D:'.length, 'latin1');
  return copy;
}

/** Swaps the CMS of the last signatures of two files (both padded to their slots). */
export function swapLastSignatures(a: Buffer, b: Buffer): [Buffer, Buffer] {
  return [transplantLastSignature(a, b), transplantLastSignature(b, a)];
}

/**
 * Puts the CMS of `donor`'s last signature into `target`'s last signature slot, padded with zeros to the
 * slot's length: a genuine signature, by a genuine certificate, over another document.
 */
export function transplantLastSignature(target: Buffer, donor: Buffer): Buffer {
  const [, targetStart, targetEnd] = byteRanges(target).at(-1)!;
  const [, donorStart, donorEnd] = byteRanges(donor).at(-1)!;
  const donorHex = donor.subarray(donorStart + 1, donorEnd - 1).toString('latin1');
  const slotLength = targetEnd - targetStart - 2;
  const cms = donorHex.replace(/(00)+$/, '');
  if (cms.length > slotLength) throw new Error('the donor signature does not fit the slot');
  const copy = Buffer.from(target);
  copy.write(cms.padEnd(slotLength, '0'), targetStart + 1, 'latin1');
  return copy;
}

/**
 * Signs `frozen` (an unsigned original) as the Sverdlovsk signatory, but with a certificate from a fresh CA
 * that copies the name of Sverdlovsk's CA, then adds the genuine Gyeonggi signature: the file looks like
 * an executed original, and only the chain gives the forgery away.
 */
export async function signUnderForeignCa(server: TestServer, frozen: Buffer, fields: readonly SignatureField[]): Promise<Buffer> {
  const validity = { notBefore: new Date('2010-01-01T00:00:00Z'), notAfter: new Date(Date.now() + 10 * 365 * 86_400_000) };
  const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
  const realCa = await partyCa(server, 'sverdlovsk');
  const realSignatory = await signingCertificate(server, 'signatory@sverdlovsk.example');
  const name = (certificate: x509.X509Certificate, field: string) => certificate.subjectName.getField(field)[0] ?? '';
  const foreignCa = await createCertificateAuthority(
    { commonName: name(realCa, 'CN'), organization: name(realCa, 'O'), country: name(realCa, 'C') },
    validity,
  );
  const forged = await issueSigningCertificate(
    foreignCa,
    {
      commonName: name(realSignatory.certificate, 'CN'),
      organization: name(realSignatory.certificate, 'O'),
      country: name(realSignatory.certificate, 'C'),
      title: name(realSignatory.certificate, 'T'),
      email: 'signatory@sverdlovsk.example',
    },
    validity,
  );
  const forgedSigner = new PadesCmsSigner({
    certificatePem: forged.certificatePem,
    chainPems: [foreignCa.certificatePem],
    privateKey: await importPrivateKey(forged.privateKeyPkcs8),
  });
  const withForgery = await addSignature(
    frozen,
    signatureOptions(forgedSigner, fieldOf(fields, 'sverdlovsk'), signingTime, 'Андрей Соболев'),
  );
  const gyeonggi = await signingCertificate(server, 'signatory@gyeonggi.example');
  const gyeonggiSigner = new PadesCmsSigner({
    certificatePem: gyeonggi.record.certificatePem,
    chainPems: [(await partyCa(server, 'gyeonggi')).toString('pem')],
    privateKey: await importPrivateKey(
      openPrivateKey(server.deps.config.secret, credentialOwner(gyeonggi.record), gyeonggi.record.encryptedKey!),
    ),
  });
  return addSignature(withForgery, signatureOptions(gyeonggiSigner, fieldOf(fields, 'gyeonggi'), signingTime, '박정의'));
}

function signatureOptions(signer: PadesCmsSigner, field: SignatureField, signingTime: Date, name: string) {
  return {
    signer,
    signingTime,
    name,
    reason: 'Signed',
    location: '',
    field: { page: field.page, rect: { x: field.x, y: field.y, width: field.width, height: field.height }, lines: [name] },
  };
}

function fieldOf(fields: readonly SignatureField[], party: string): SignatureField {
  const field = fields.find((candidate) => candidate.party === party);
  if (!field) throw new Error(`no signature field for ${party}`);
  return field;
}

async function partyCa(server: TestServer, party: string): Promise<x509.X509Certificate> {
  const row = await server.db('credentials').where({ party_key: party, purpose: 'ca' }).whereNull('user_id').first();
  return new x509.X509Certificate(row.certificate_pem);
}

async function signingCertificate(server: TestServer, email: string) {
  const user = (await findUserByEmail(server.db, email))!;
  const record = (await findSigningCredential(server.db, user.id))!;
  return { record, certificate: new x509.X509Certificate(record.certificatePem) };
}
