import { strToU8, zipSync } from 'fflate';
import { listAgreementsBasedOn } from '../../db/repositories/agreements.repository.ts';
import { findFreezeTime, findLatestOriginal } from '../../db/repositories/originals.repository.ts';
import { findParties } from '../../db/repositories/parties.repository.ts';
import { listSignatures } from '../../db/repositories/signatures.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { stateHasTag } from '../../workflows/agreement/agreement.workflow.ts';
import { buildAgreementDocument } from '../agreements/agreement-document.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { sha256 } from '../agreements/freeze-originals.ts';
import { findAgreementRecord, loadAgreementSource, loadText, loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { authorize } from '../auth/policy.ts';
import { InvalidTransitionError } from '../errors.ts';
import { akomaNtoso } from './akoma-ntoso.ts';
import { certifiedCopies, type CertifiedCopy } from './certified-copies.ts';
import { registrationViews } from './registration-view.ts';

/**
 * The registration dossier of an executed agreement, one ZIP: each party's signed original as stored
 * (`originals/<party>.pdf`), the machine-readable text of each language as Akoma Ntoso 3.0
 * (`texts/<lang>.akn.xml`), a statement of each party's signature, signatory, date and method of entry
 * into force and registration, with the later amendments and the SHA-256 of the originals
 * (`statement.json`), and a manifest of every file with its SHA-256 (`manifest.json`). Reads only.
 */
export async function registrationDossier(deps: UseCaseDeps, user: User, agreementId: number): Promise<{ filename: string; zip: Buffer }> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'original.download');
  if (!stateHasTag(record.workflow, 'originals-signed')) {
    throw new InvalidTransitionError(`The registration dossier is made once both parties have signed; the agreement is in ${record.state}`);
  }
  const text = await loadText(deps.db, record);
  const source = await loadAgreementSource(deps.db, record, text.text);
  const frozenOn = (await findFreezeTime(deps.db, record.id))!.slice(0, 10);
  const [parties, signatures, registrations, followers] = await Promise.all([
    findParties(deps.db, record.parties),
    listSignatures(deps.db, record.id),
    registrationViews(deps.db, record),
    listAgreementsBasedOn(deps.db, record.id),
  ]);
  const signedOn = signatures
    .map((signature) => signature.signedAt.slice(0, 10))
    .sort()
    .at(-1)!;
  const document = buildAgreementDocument(source, { original: record.parties[0]!, date: frozenOn, final: true });
  const { context } = record.workflow;

  const files: Record<string, Uint8Array> = {};
  const originals = [];
  for (const party of record.parties) {
    const original = (await findLatestOriginal(deps.db, record.id, party))!;
    files[`originals/${party}.pdf`] = original.pdf;
    originals.push({ party, file: `originals/${party}.pdf`, revision: original.revision, sha256: original.sha256 });
  }
  // Asked for by the party's certifying officer, the dossier holds the certified true copies of the
  // party's own original, one per authentic language, signed by them.
  let copies: CertifiedCopy[] = [];
  if (user.role === 'certifying') {
    copies = await certifiedCopies(deps, user, {
      document: buildAgreementDocument(source, { original: user.party, date: frozenOn, final: true }),
      original: { party: user.party, sha256: originals.find((original) => original.party === user.party)!.sha256 },
      signedOn,
      party: parties.find((party) => party.key === user.party)!,
    });
    for (const copy of copies) files[`copies/${copy.lang}.pdf`] = copy.pdf;
  }
  for (const lang of record.languages) {
    files[`texts/${lang}.akn.xml`] = strToU8(
      akomaNtoso(document, lang, {
        agreementId: record.id,
        kind: record.kind,
        signedOn,
        parties: parties.map((party) => ({ key: party.key, name: party.names.en.name })),
        prevailing: text.text.variables.prevailingLanguage,
        generatedOn: deps.now().toISOString().slice(0, 10),
      }),
    );
  }
  const amendments = await Promise.all(
    followers
      .filter((follower) => follower.kind === 'amendment')
      .map(async (follower) => {
        const amendment = (await findAgreementRecord(deps.db, follower.id))!;
        const amendmentSignatures = await listSignatures(deps.db, follower.id);
        return {
          id: follower.id,
          title: follower.title,
          state: follower.state,
          signedOn:
            amendmentSignatures.length === amendment.parties.length
              ? amendmentSignatures
                  .map((signature) => signature.signedAt.slice(0, 10))
                  .sort()
                  .at(-1)
              : null,
          inForceOn: amendment.dates.inForceOn,
        };
      }),
  );
  const statement = {
    agreement: { id: record.id, kind: record.kind, title: document.title, languages: record.languages, contentHash: text.contentHash },
    equallyAuthentic: record.languages,
    prevailingLanguage: text.text.variables.prevailingLanguage,
    signedOn,
    inForceOn: record.dates.inForceOn,
    parties: record.parties.map((party) => {
      const signature = signatures.find((candidate) => candidate.party === party);
      const block = document.signatureBlocks.find((candidate) => candidate.party === party);
      const registration = registrations.find((candidate) => candidate.party === party)!;
      return {
        party,
        signedAt: signature?.signedAt ?? null,
        signatory: { name: block?.signatoryName, title: block?.signatoryTitle, certificateSubject: signature?.certificateSubject ?? null },
        entryIntoForce:
          context.terms.entryIntoForce === 'signature'
            ? { method: 'signature', date: record.dates.inForceOn }
            : { method: 'notification', date: context.completions[party] ?? null },
        registration: {
          required: registration.required,
          state: registration.state,
          authority: registration.authority,
          number: registration.number,
          registeredOn: registration.registeredOn,
        },
      };
    }),
    originals,
    /** Empty unless a certifying officer asked for the dossier. */
    certifiedCopies: copies.map((copy) => ({
      lang: copy.lang,
      file: `copies/${copy.lang}.pdf`,
      of: user.party,
      certifiedBy: copy.certifiedBy,
      certificateSubject: copy.certificateSubject,
      certifiedAt: copy.certifiedAt,
    })),
    amendments,
  };
  files['statement.json'] = strToU8(`${JSON.stringify(statement, null, 2)}\n`);
  const manifest = {
    agreement: record.id,
    generatedAt: deps.now().toISOString(),
    files: Object.entries(files).map(([path, bytes]) => ({ path, bytes: bytes.length, sha256: sha256(Buffer.from(bytes)) })),
  };
  files['manifest.json'] = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);
  // A fixed time on every entry: the ZIP says nothing the manifest does not.
  const zip = zipSync(files, { level: 6, mtime: new Date(`${frozenOn}T00:00:00Z`) });
  return { filename: `agreement-${record.id}-registration-dossier.zip`, zip: Buffer.from(zip) };
}
