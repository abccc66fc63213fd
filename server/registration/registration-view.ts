import type { Queryable } from '../../db/connection.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { findParties } from '../../db/repositories/parties.repository.ts';
import { listRegistrations, type RegistrationRecord } from '../../db/repositories/registrations.repository.ts';
import type { Party } from '../parties/party.ts';

/**
 * Registration after signature. A Russian region's agreement with a foreign region takes effect only
 * after its state registration (Federal Law 4-FZ of 4 January 1999, art. 9; the rules of Government
 * Decree 552 of 24 July 2000): the Russian party records what it submitted and, once registered, the
 * number and date, and that registration is the Russian party's notification that its procedures are
 * complete (NOTIFY_COMPLETION, dated on the day of registration). Any other party may record a
 * registration of its own too; it completes nothing in the lifecycle.
 */
export const REGISTRATION_NEEDS = ['signed-texts', 'federal-coordination', 'covering-letter'] as const;
export type RegistrationNeed = (typeof REGISTRATION_NEEDS)[number];

/** not-required: the party's law asks for none known here; pending: required, nothing recorded yet. */
export type RegistrationState = 'not-required' | 'pending' | 'submitted' | 'registered';

export interface RegistrationView {
  readonly party: string;
  readonly required: boolean;
  readonly state: RegistrationState;
  /** What a registration needs, for the party's staff to gather (keys of templates/locales registration.need.*). */
  readonly needs: readonly RegistrationNeed[];
  /** The authority that registers, as recorded, or the one a Russian region's registration goes to. */
  readonly authority: string | null;
  readonly submittedOn: string | null;
  readonly number: string | null;
  readonly registeredOn: string | null;
  readonly recordedBy: string | null;
  readonly recordedAt: string | null;
  /** Whether recording the registration is this party's notification of completion (entry into force on notifications). */
  readonly completesNotification: boolean;
}

/** The Russian federal registration, by the Ministry of Justice of the Russian Federation. */
const RUSSIAN_AUTHORITY = 'Министерство юстиции Российской Федерации';

/** Whether the party's law asks for the registration of its agreements (a Russian region's: the federal one). */
export function requiresRegistration(party: Pick<Party, 'language'>): boolean {
  return party.language === 'ru';
}

/** Each party's registration of the agreement, as the API and the page show it. Reads only. */
export async function registrationViews(db: Queryable, record: AgreementRecord): Promise<RegistrationView[]> {
  const [parties, recorded] = await Promise.all([findParties(db, record.parties), listRegistrations(db, record.id)]);
  const { terms } = record.workflow.context;
  return parties.map((party) => {
    const registration: RegistrationRecord | undefined = recorded.find((candidate) => candidate.party === party.key);
    const required = requiresRegistration(party);
    const state: RegistrationState = registration?.registeredOn
      ? 'registered'
      : registration?.submittedOn
        ? 'submitted'
        : required
          ? 'pending'
          : 'not-required';
    return {
      party: party.key,
      required,
      state,
      needs: required ? REGISTRATION_NEEDS : [],
      authority: registration?.authority ?? (required ? RUSSIAN_AUTHORITY : null),
      submittedOn: registration?.submittedOn ?? null,
      number: registration?.number ?? null,
      registeredOn: registration?.registeredOn ?? null,
      recordedBy: registration?.recordedBy ?? null,
      recordedAt: registration?.recordedAt ?? null,
      completesNotification: required && terms.entryIntoForce === 'notifications',
    };
  });
}
