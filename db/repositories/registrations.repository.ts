import type { Queryable } from '../connection.ts';

/** A party's registration of an executed agreement, as recorded. */
export interface RegistrationRecord {
  readonly party: string;
  readonly authority: string;
  readonly submittedOn: string | null;
  readonly number: string | null;
  readonly registeredOn: string | null;
  readonly recordedBy: string;
  readonly recordedAt: string;
}

/** The agreement's registrations, by party. Reads only. */
export async function listRegistrations(db: Queryable, agreementId: number): Promise<RegistrationRecord[]> {
  const rows = await db('registrations')
    .join('users', 'users.id', 'registrations.recorded_by')
    .where('registrations.agreement_id', agreementId)
    .orderBy('registrations.party_key')
    .select('registrations.*', 'users.email');
  return rows.map((row) => ({
    party: row.party_key,
    authority: row.authority,
    submittedOn: row.submitted_on ?? null,
    number: row.number ?? null,
    registeredOn: row.registered_on ?? null,
    recordedBy: row.email,
    recordedAt: row.recorded_at,
  }));
}

/** Writes a party's registration (one row per agreement and party); call it in the transaction that moves the version. */
export async function saveRegistration(
  db: Queryable,
  agreementId: number,
  registration: Omit<RegistrationRecord, 'recordedBy'> & { readonly userId: number },
): Promise<void> {
  const row = {
    authority: registration.authority,
    submitted_on: registration.submittedOn,
    number: registration.number,
    registered_on: registration.registeredOn,
    recorded_by: registration.userId,
    recorded_at: registration.recordedAt,
  };
  await db('registrations')
    .insert({ agreement_id: agreementId, party_key: registration.party, ...row })
    .onConflict(['agreement_id', 'party_key'])
    .merge(row);
}

/** The registration numbers recorded for these agreements (a page of the register), by agreement. Reads only. */
export async function listRegistrationNumbers(
  db: Queryable,
  agreementIds: readonly number[],
): Promise<{ agreementId: number; party: string; number: string; registeredOn: string }[]> {
  if (agreementIds.length === 0) return [];
  const rows = await db('registrations')
    .whereIn('agreement_id', agreementIds)
    .whereNotNull('registered_on')
    .orderBy(['agreement_id', 'party_key'])
    .select('agreement_id', 'party_key', 'number', 'registered_on');
  return rows.map((row) => ({ agreementId: row.agreement_id, party: row.party_key, number: row.number, registeredOn: row.registered_on }));
}
