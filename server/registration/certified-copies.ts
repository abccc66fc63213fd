import { PDFDocument } from '@cantoo/pdf-lib';
import type { Party } from '../../db/stored-shapes.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { RuleViolationError } from '../errors.ts';
import type { AgreementDocument } from '../pdf/document-model.ts';
import { renderAgreementPdfIsolated } from '../pdf/isolated-rendering.ts';
import { TYPOGRAPHY } from '../pdf/typesetter.ts';
import { credentialOwner } from '../signatures/credential-owner.ts';
import { loadCheckedSigningCredential } from '../signatures/load-signing-credential.ts';
import { wholeSeconds } from '../signatures/signature-revision.ts';
import { timestampAuthorityOf } from '../signatures/timestamping.ts';
import { PadesCmsSigner } from '../signing/cms-signer.ts';
import { openPrivateKey } from '../signing/key-vault.ts';
import { certificateSubject, importPrivateKey } from '../signing/pki.ts';
import { addSignature } from '../signing/sign-pdf.ts';
import type { Lang } from '../text/languages.ts';
import { formatDate, translate } from '../web/i18n.ts';

/**
 * Certified true copies for registration (the UN Secretariat and the Russian Ministry of Justice ask for
 * one of every authentic text): per language, a PDF of the original's text in that language alone,
 * typeset by the same pipeline from the same frozen text, followed by a certification page saying, in
 * the certifying party's language and in the language of the text, that it is a certified true and
 * complete copy of the original in that language, with the original's SHA-256; signed with a PAdES
 * signature by the party's certifying officer, with the key the server holds for them (server/signing
 * does the signature; nothing here changes how it is made).
 */
export interface CertifiedCopy {
  readonly lang: Lang;
  readonly pdf: Buffer;
  readonly certifiedBy: string;
  readonly certificateSubject: string;
  readonly certifiedAt: string;
}

export interface CopyFacts {
  /** The final document of the original the copy is of (its text, as frozen). */
  readonly document: AgreementDocument;
  /** The original certified: its party and SHA-256. */
  readonly original: { readonly party: string; readonly sha256: string };
  readonly signedOn: string;
  /** The certifying officer's party. */
  readonly party: Party;
}

/** A4 portrait in points: a copy has one language, so one column on portrait pages. */
const A4 = [595.28, 841.89] as const;
/** The field the officer's signature is shown in: at the foot of the certification page. */
const FIELD = { width: 260, height: 54 };

export async function certifiedCopies(deps: UseCaseDeps, officer: User, facts: CopyFacts): Promise<CertifiedCopy[]> {
  if (officer.role !== 'certifying') throw new RuleViolationError(`${officer.email} is not a certifying officer`);
  const signingTime = wholeSeconds(deps.now());
  const { credential, checked } = await loadCheckedSigningCredential(deps.db, officer, signingTime);
  if (credential.encryptedKey === null) {
    throw new RuleViolationError(
      `${officer.email}'s certificate is registered without its private key: the server cannot certify copies with it`,
    );
  }
  const signer = new PadesCmsSigner({
    certificatePem: credential.certificatePem,
    chainPems: checked.issuerPems,
    privateKey: await importPrivateKey(openPrivateKey(deps.config.secret, credentialOwner(credential), credential.encryptedKey)),
    timestampAuthority: timestampAuthorityOf(deps),
  });
  const copies: CertifiedCopy[] = [];
  for (const lang of facts.document.languages) {
    const { pdf } = await renderAgreementPdfIsolated(copyDocument(facts, officer, lang, signingTime));
    const pages = (await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount();
    const height = A4[1];
    const signed = await addSignature(pdf, {
      signer,
      signingTime,
      name: officer.profile.name.en,
      reason: `Certified true and complete copy of the original in the ${translate('en', `certification.language.${lang}`)} language`,
      location: facts.party.names.en.capital,
      contactInfo: officer.email,
      field: {
        page: pages - 1,
        rect: { x: TYPOGRAPHY.margin.left, y: height - TYPOGRAPHY.margin.bottom - FIELD.height - 8, ...FIELD },
        lines: appearanceLines(officer, facts.party, signingTime),
      },
    });
    copies.push({
      lang,
      pdf: signed,
      certifiedBy: officer.email,
      certificateSubject: certificateSubject(credential.certificatePem),
      certifiedAt: signingTime.toISOString(),
    });
  }
  return copies;
}

/** Pure: the copy of one language: that language's text alone, then the certification page. */
export function copyDocument(facts: CopyFacts, officer: User, lang: Lang, at: Date): AgreementDocument {
  const { document } = facts;
  const partyLang = facts.party.language;
  const statements = [...new Set([partyLang, lang])].map((statementLang) => certificationText(statementLang, facts, officer, lang, at));
  return {
    ...document,
    languages: [lang],
    layout: 'sequential',
    draft: null,
    appendix: {
      heading: {
        [lang]: [...new Set([partyLang, lang])].map((headingLang) => translate(headingLang, 'certification.heading')).join(' / '),
      },
      paragraphs: statements.flat(),
    },
    metadata: {
      ...document.metadata,
      title: `${document.title[lang] ?? document.metadata.title} (${translate('en', 'certification.heading')})`,
      lang,
    },
  };
}

/** The certification in `statementLang`, of the copy in `lang`: what it is, of which original, by whom. */
function certificationText(statementLang: Lang, facts: CopyFacts, officer: User, lang: Lang, at: Date): string[] {
  const partyName = { en: facts.party.names.en.name, ru: facts.party.names.ru.nom, ko: facts.party.names.ko.name }[statementLang];
  return [
    translate(statementLang, 'certification.statement', { language: translate(statementLang, `certification.language.${lang}`) }),
    translate(statementLang, 'certification.original', {
      title: facts.document.title[statementLang] ?? facts.document.title[lang] ?? '',
      signedOn: formatDate(statementLang, facts.signedOn),
      sha256: facts.original.sha256,
    }),
    translate(statementLang, 'certification.by', {
      name: officer.profile.name[statementLang],
      title: officer.profile.title[statementLang],
      party: partyName,
      date: formatDate(statementLang, at.toISOString().slice(0, 10)),
    }),
  ];
}

function appearanceLines(officer: User, party: Party, at: Date): string[] {
  const lang = party.language;
  return [
    lang === 'en' ? officer.profile.name.en : `${officer.profile.name[lang]} · ${officer.profile.name.en}`,
    `${at.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    translate(lang, 'certification.heading'),
    officer.profile.title[lang],
  ];
}
