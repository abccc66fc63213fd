import type { Queryable } from '../../db/connection.ts';
import { findLatestOriginal, type OriginalRevision } from '../../db/repositories/originals.repository.ts';
import { findParty } from '../../db/repositories/parties.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { Party } from '../../db/stored-shapes.ts';
import { sha256 } from '../agreements/freeze-originals.ts';
import { MalformedRequestError } from '../errors.ts';
import type { SignatureRevisionOptions } from '../signing/sign-pdf.ts';

/**
 * The revision of an original that carries a signatory's signature, whoever makes the CMS (the server
 * with the key it holds, or the signatory's own device): which original, what it is based on, its
 * signature dictionary and visible field, and the revision row that holds the signed bytes.
 */

/** Whole seconds: the time in /M has no fractions, and the same time goes in every revision. */
export function wholeSeconds(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

/** The original a request names: one of the agreement's parties, else 400. */
export function originalOf(parties: readonly string[], original: unknown): string {
  if (typeof original !== 'string' || !parties.includes(original)) {
    throw new MalformedRequestError(`original must be one of the parties: ${parties.join(', ')}`);
  }
  return original;
}

export async function latestOriginal(db: Queryable, agreementId: number, party: string): Promise<OriginalRevision> {
  const latest = await findLatestOriginal(db, agreementId, party);
  if (!latest) throw new Error(`agreement ${agreementId} is in signing but has no original for ${party}`);
  return latest;
}

/** The revision after `latest` holding `pdf`. */
export function nextRevision(latest: OriginalRevision, pdf: Buffer, at: Date): OriginalRevision {
  return {
    agreementId: latest.agreementId,
    party: latest.party,
    revision: latest.revision + 1,
    sha256: sha256(pdf),
    pdf,
    signatureFields: latest.signatureFields,
    createdAt: at.toISOString(),
  };
}

/** The signature dictionary and the visible field for the user's signature in this original, whoever makes the CMS. */
export async function signatureRevisionOptions(
  db: Queryable,
  user: User,
  signingTime: Date,
  latest: OriginalRevision,
): Promise<SignatureRevisionOptions> {
  const field = latest.signatureFields.find((candidate) => candidate.party === user.party);
  if (!field) throw new Error(`original ${latest.party} of agreement ${latest.agreementId} has no signature field for ${user.party}`);
  const party = await findParty(db, user.party);
  return {
    signingTime,
    name: user.profile.name.en,
    reason: `Signed for ${party?.names.en.name ?? user.party}`,
    location: party?.names.en.capital ?? '',
    contactInfo: user.email,
    field: {
      page: field.page,
      rect: { x: field.x, y: field.y, width: field.width, height: field.height },
      lines: appearanceLines(user, party, signingTime),
    },
  };
}

/**
 * The visible signature, most important first (sign-pdf leaves out from the end what does not fit at
 * 7 pt): the name in the signatory's script and in Latin letters, the UTC time, the title and the
 * party in the signatory's language. Words, not the certificate's raw subject (the certificate is in
 * the signature for whoever wants it).
 */
function appearanceLines(user: User, party: Party | undefined, signingTime: Date): string[] {
  const language = party?.language ?? 'en';
  const name = language === 'en' ? user.profile.name.en : `${user.profile.name[language]} · ${user.profile.name.en}`;
  const partyName = party ? { en: party.names.en.name, ru: party.names.ru.nom, ko: party.names.ko.name }[language] : user.party;
  return [
    name,
    `${signingTime.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    user.profile.title[language],
    partyName.replace(/^the /, 'The '),
  ];
}
