import type { X509Certificate } from 'node:crypto';
import type { Knex } from 'knex';
import type { Queryable } from '../../db/connection.ts';
import { bumpAgreementVersion, type AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry } from '../../db/repositories/audit.repository.ts';
import { findPartyCa } from '../../db/repositories/credentials.repository.ts';
import { insertOriginalRevision, type OriginalRevision } from '../../db/repositories/originals.repository.ts';
import { listParties } from '../../db/repositories/parties.repository.ts';
import { scheduleEvent } from '../../db/repositories/scheduled-events.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { findAgreementRecord } from '../agreements/load-agreement.ts';
import {
  addDocumentTimestamp,
  addValidationData,
  certificatesOf,
  type DocumentTimestampAuthority,
} from '../signing/long-term-validation.ts';
import { pkijsCertificate, x509Certificate } from '../signing/parsed-certificates.ts';
import { ocspRequestFor } from '../signing/revocation-data.ts';
import { SCHEDULER_ACTOR, type ScheduledEventHandler } from '../scheduler/scheduler.ts';
import { fetchRevocationData } from './fetch-revocation-data.ts';
import { allTrustAnchors } from './load-trust-anchors.ts';
import { answerPartyOcsp, partyCrl } from './revocation-publication.ts';
import { latestOriginal, nextRevision } from './signature-revision.ts';
import { timestampAuthorityOf } from './timestamping.ts';

/**
 * PAdES B-LTA for the executed originals: each gets a revision with a DSS (every certificate of its
 * signatures and timestamps with the CAs they chain to, and for each certificate its CA's CRL and OCSP
 * answer) and a document timestamp over it. Done by the scheduler, first right after the last signature,
 * then again before the newest timestamps stop being provable (their unit's certificate expires, or its
 * algorithms stop being counted on), or at the configured interval, whichever comes first, so the
 * proof is always carried over to a certificate still valid and keys still strong.
 *
 * Revocation data comes from the CAs whose keys this server holds (built in-process, as their
 * /pki/:party/{crl,ocsp} answer) and, for other CAs' certificates, from the URLs they name on the hosts
 * REVOCATION_FETCH_HOSTS allows (fetch-revocation-data.ts); no other network.
 */

/** The scheduler's event kind. */
export const LONG_TERM_TIMESTAMP = 'long-term-timestamp';
/** What the audit calls an extension. */
export const EXTENSION_AUDIT_EVENT = 'EXTEND_LONG_TERM_VALIDATION';
/** Re-timestamp this long before the newest timestamps stop being provable. */
const EXPIRY_MARGIN_MS = 90 * 24 * 60 * 60 * 1000;
/** Without ARCHIVE_TIMESTAMP_INTERVAL_DAYS: every two years. */
const DEFAULT_INTERVAL_DAYS = 730;

/** What one extension added, and when the next one is due (undefined: no authority, so no document timestamp to renew). */
export interface LongTermExtension {
  readonly revisions: readonly OriginalRevision[];
  readonly nextDueAt?: Date;
}

/**
 * Adds the DSS and document timestamp revision to each of the agreement's originals, stores it and
 * records it in the audit; `deps.db` must be the caller's transaction (the scheduler's, which holds
 * the agreement's lock), so the revisions, the audit entry and the event's completion commit
 * together. Without a time-stamping authority only the DSS is added.
 */
export async function extendLongTermValidation(
  deps: UseCaseDeps,
  agreementId: number,
  authority: DocumentTimestampAuthority | undefined = timestampAuthorityOf(deps),
): Promise<LongTermExtension> {
  const record = await findAgreementRecord(deps.db, agreementId);
  if (!record) throw new Error(`agreement ${agreementId} does not exist`);
  const at = deps.now();
  const anchors = (await allTrustAnchors(deps.db)).map((anchor) => anchor.certificatePem);
  const checkedAgainst = anchors.map(pkijsCertificate);
  const revisions: OriginalRevision[] = [];
  let provableUntil: Date | undefined;
  for (const party of record.parties) {
    const latest = await latestOriginal(deps.db, agreementId, party);
    const data = await validationDataFor(deps, latest.pdf, anchors);
    if (!authority) {
      revisions.push(nextRevision(latest, await addValidationData(latest.pdf, data), at));
      continue;
    }
    // The DSS and the document timestamp over it in one revision (long-term-validation.ts says why).
    const timestamped = await addDocumentTimestamp(latest.pdf, authority, data, checkedAgainst);
    revisions.push(nextRevision(latest, timestamped.pdf, at));
    if (!provableUntil || timestamped.provableUntil < provableUntil) provableUntil = timestamped.provableUntil;
  }
  for (const revision of revisions) await insertOriginalRevision(deps.db, revision);
  const next = provableUntil && nextExtension(deps, at, provableUntil);
  await recordExtension(deps.db, record, revisions, at, next);
  return next ? { revisions, nextDueAt: next.dueAt } : { revisions };
}

/** When the next extension is due, and whether the authority's timestamps end too soon to carry the proof any further. */
interface NextExtension {
  readonly dueAt: Date;
  /** Set when the new timestamps are provable only until within the margin: renewing with the same authority would not help. */
  readonly authorityEndsAt?: Date;
}

/**
 * At the configured interval, or sooner when the new timestamps stop being provable first (their
 * unit's chain expires or its algorithms stop being counted on), EXPIRY_MARGIN_MS before then. An
 * authority whose timestamps already end within the margin cannot carry the proof on: renewing
 * with it sooner would only add a revision each time, so the next try is at the interval and the
 * audit says that another authority is needed.
 */
function nextExtension(deps: UseCaseDeps, at: Date, provableUntil: Date): NextExtension {
  const intervalDays = deps.config.archiveTimestampIntervalDays ?? DEFAULT_INTERVAL_DAYS;
  const byInterval = at.getTime() + intervalDays * 24 * 60 * 60 * 1000;
  const beforeEnd = provableUntil.getTime() - EXPIRY_MARGIN_MS;
  if (beforeEnd <= at.getTime()) return { dueAt: new Date(byInterval), authorityEndsAt: provableUntil };
  return { dueAt: new Date(Math.min(byInterval, beforeEnd)) };
}

/**
 * The originals changed, so the agreement's audit says so, as for every other change: a new version
 * (audit entry n is the change that made version n), in the state it was in. The scheduler's
 * transaction holds the agreement's lock, so nobody moved it since it was read.
 */
async function recordExtension(
  db: Queryable,
  record: AgreementRecord,
  revisions: readonly OriginalRevision[],
  at: Date,
  next: NextExtension | undefined,
): Promise<void> {
  // The register's "last change" stays the agreement's own: an archive timestamp changes no text or state.
  if (!(await bumpAgreementVersion(db, record.id, record.version, { updatedAt: record.updatedAt }))) {
    throw new Error(`agreement ${record.id} changed while its originals were extended; the extension is retried`);
  }
  const originals = revisions.map((revision) => `${revision.party} revision ${revision.revision}`).join(', ');
  await appendAuditEntry(db, {
    agreementId: record.id,
    at: at.toISOString(),
    by: SCHEDULER_ACTOR,
    event: EXTENSION_AUDIT_EVENT,
    from: record.state,
    to: record.state,
    detail: next
      ? `${originals}: validation data and a document timestamp; renewal due ${next.dueAt.toISOString().slice(0, 10)}${
          next.authorityEndsAt
            ? `; the time-stamping authority's timestamps are provable only until ${next.authorityEndsAt.toISOString().slice(0, 10)}: another authority is needed`
            : ''
        }`
      : `${originals}: validation data`,
  });
}

/** Schedules the first extension of an agreement whose last signature is being committed in `trx`. */
export async function scheduleLongTermValidation(trx: Knex.Transaction, agreementId: number, at: Date): Promise<void> {
  await scheduleEvent(trx, { agreementId, kind: LONG_TERM_TIMESTAMP, dueAt: at }, at);
}

/**
 * The scheduler's handler: extends the originals in the event's transaction (which the scheduler
 * claimed exactly once across processes) and schedules the next extension in the same commit.
 */
export function longTermValidationHandlers(deps: UseCaseDeps): Record<typeof LONG_TERM_TIMESTAMP, ScheduledEventHandler> {
  return {
    [LONG_TERM_TIMESTAMP]: async (trx, event, now) => {
      const scoped: UseCaseDeps = { ...deps, db: trx, now: () => now };
      const { nextDueAt } = await extendLongTermValidation(scoped, event.agreementId);
      if (nextDueAt) await scheduleEvent(trx, { agreementId: event.agreementId, kind: LONG_TERM_TIMESTAMP, dueAt: nextDueAt }, now);
    },
  };
}

/**
 * The DSS for one original: the certificates its signatures and timestamps carry and the CA
 * certificates they chain to; for each certificate a CA here issued, that CA's CRL (once) and an OCSP
 * answer about it.
 */
async function validationDataFor(deps: UseCaseDeps, pdf: Buffer, anchorPems: readonly string[]) {
  const carried = (await certificatesOf(pdf)).map((certificate) => x509Certificate(certificate));
  const anchors = anchorPems.map((anchor) => x509Certificate(anchor));
  const cas = new Map<string, { party: string; certificate: X509Certificate }>();
  for (const party of await listParties(deps.db)) {
    const ca = await findPartyCa(deps.db, party.key);
    if (ca?.encryptedKey) cas.set(party.key, { party: party.key, certificate: x509Certificate(ca.certificatePem) });
  }
  const certificates = new Map<string, X509Certificate>();
  for (const certificate of [...carried, ...anchors.filter((anchor) => carried.some((leaf) => isIssuedBy(leaf, anchor)))])
    certificates.set(certificate.fingerprint256, certificate);
  const crls = new Map<string, Buffer>();
  const ocspResponses: Buffer[] = [];
  for (const certificate of certificates.values()) {
    const issuer = [...cas.values()].find(
      ({ certificate: ca }) => ca.fingerprint256 !== certificate.fingerprint256 && isIssuedBy(certificate, ca),
    );
    if (!issuer) {
      // Another CA's certificate (a registered CA, an outside authority's unit): from the URLs it names, where allowed.
      const outside = [...certificates.values(), ...anchors].find(
        (candidate) => candidate.fingerprint256 !== certificate.fingerprint256 && isIssuedBy(certificate, candidate),
      );
      if (!outside || (deps.config.revocationFetchHosts ?? []).length === 0) continue;
      const fetched = await fetchRevocationData(deps.config, certificate.toString(), outside.toString());
      for (const crl of fetched.crls) crls.set(`${certificate.fingerprint256}:${crls.size}`, crl);
      ocspResponses.push(...fetched.ocspResponses);
      continue;
    }
    if (!crls.has(issuer.party)) crls.set(issuer.party, await partyCrl(deps, issuer.party));
    ocspResponses.push(
      await answerPartyOcsp(deps, issuer.party, await ocspRequestFor(certificate.toString(), issuer.certificate.toString())),
    );
  }
  return {
    certificates: [...certificates.values()].map((certificate) => certificate.raw),
    crls: [...crls.values()],
    ocspResponses,
  };
}

function isIssuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
}
