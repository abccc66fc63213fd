import { insertParty } from '../../db/repositories/parties.repository.ts';
import { countUsers, findUserByEmail, insertUser, type User } from '../../db/repositories/users.repository.ts';
import type { AgreementEventInput } from '../agreements/send-agreement-event.ts';
import { createAgreement } from '../agreements/create-agreement.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { sendAgreementEvent } from '../agreements/send-agreement-event.ts';
import { hashPassword } from '../auth/passwords.ts';
import { issueDemoCredentials } from './issue-demo-credentials.ts';
import { DEMO_PARTIES, DEMO_USERS, LETTER_OF_INTENT_AREAS, SEED_AREAS } from './demo-parties.ts';
import { discardUnsentMails } from '../../db/repositories/mail-outbox.repository.ts';

/** The seed's dates. The article gives the years; the days are illustrative. */
const LETTER_OF_INTENT_SIGNED = '2012-06-14';
const COOPERATION_DRAFTED = '2018-07-20';

/**
 * Fills an empty database with the seed case, through the same use-cases a user would go through:
 * the parties and their users, the demo PKI, the 2012 letter of intent carried all the way to
 * execution (signed by both), and the agreement of cooperation that continues it, in drafting.
 * Returns false when the database already has users.
 */
export async function seedDemo(deps: UseCaseDeps): Promise<boolean> {
  if ((await countUsers(deps.db)) > 0) return false;
  const now = deps.now();
  const passwordHash = await hashPassword(deps.config.demoPassword);
  await deps.db.transaction(async (trx) => {
    for (const party of DEMO_PARTIES) await insertParty(trx, party, now.toISOString());
    for (const user of DEMO_USERS) {
      await insertUser(trx, { ...user, displayName: user.profile.name.en, passwordHash }, now.toISOString());
    }
  });
  await issueDemoCredentials(deps.db, deps.config, now);

  const as = async (email: string) => (await findUserByEmail(deps.db, email))!;
  // The seeded history was signed before anyone enrolled a second factor: a demo that requires one
  // (REQUIRE_SECOND_FACTOR) asks it of the signatures made from now on.
  const config = { ...deps.config, requireSecondFactor: [] };
  const at = (date: string) => ({ ...deps, config, now: () => new Date(`${date}T09:00:00Z`) });

  const letter = await createAgreement(at(LETTER_OF_INTENT_SIGNED), await as('legal@sverdlovsk.example'), {
    kind: 'letter-of-intent',
    title: 'Letter of Intent on inter-regional cooperation — Sverdlovsk Region / Gyeonggi Province',
    languages: ['ru', 'ko'],
    variables: {
      areas: [...LETTER_OF_INTENT_AREAS],
      placeOfSigning: 'gyeonggi',
      signingDate: LETTER_OF_INTENT_SIGNED,
      conferenceYear: 2013,
    },
  });
  const happyPath: [string, AgreementEventInput['type']][] = [
    ['legal@sverdlovsk.example', 'SUBMIT'],
    ['legal@sverdlovsk.example', 'APPROVE'],
    ['legal@gyeonggi.example', 'APPROVE'],
    ['official@sverdlovsk.example', 'APPROVE'],
    ['official@gyeonggi.example', 'APPROVE'],
    ['signatory@sverdlovsk.example', 'SIGN'],
    ['signatory@gyeonggi.example', 'SIGN'],
  ];
  let version = letter.version;
  for (const [email, type] of happyPath) {
    const user: User = await as(email);
    // The signatories confirm their signatures with their (demo) password, as every signatory does.
    const confirmation = type === 'SIGN' ? { password: deps.config.demoPassword } : {};
    ({ version } = await sendAgreementEvent(at(LETTER_OF_INTENT_SIGNED), user, letter.id, {
      type,
      expectedVersion: version,
      ...confirmation,
    }));
  }

  await createAgreement(at(COOPERATION_DRAFTED), await as('legal@sverdlovsk.example'), {
    kind: 'cooperation-agreement',
    title: 'Agreement of Cooperation — Sverdlovsk Region / Gyeonggi Province',
    languages: ['ru', 'ko', 'en'],
    basedOn: letter.id,
    variables: { areas: [...SEED_AREAS], placeOfSigning: 'sverdlovsk', conferenceYear: 2019, prevailingLanguage: 'en' },
  });
  // The letter of intent's history is replayed, not news: nobody is mailed about 2012.
  await discardUnsentMails(deps.db);
  return true;
}
