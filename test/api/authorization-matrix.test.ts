import { expect } from 'chai';
import { insertObligation } from '../../db/repositories/obligations.repository.ts';
import { insertParty } from '../../db/repositories/parties.repository.ts';
import { findUserByEmail } from '../../db/repositories/users.repository.ts';
import { EVENT_TYPES, ROLES, type AgreementEventType, type Role } from '../../workflows/agreement/agreement.events.ts';
import { findAgreementRecord } from '../../server/agreements/load-agreement.ts';
import { decide, type Action, type Decision } from '../../server/auth/policy.ts';
import { addUser } from '../../server/auth/user-administration.ts';
import { DEMO_PARTIES } from '../../server/demo/demo-parties.ts';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { HAPPY_PATH } from '../support/execute-demo.ts';
import { countRows, storedAgreement } from '../support/snapshot.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';

/**
 * Every role of every party, in every state an agreement passes through, tries every action over HTTP.
 * The answer must be what the policy decides: the success status where decide() allows, else 404 for
 * what the party may not see, 403 for what the role may never do, 409 for what is not possible now;
 * and a refused request must leave everything stored about the agreement exactly as it was.
 */
const PARTIES = ['sverdlovsk', 'gyeonggi', 'outsider'] as const;
const COUNTERPARTY: Record<(typeof PARTIES)[number], string> = { sverdlovsk: 'gyeonggi', gyeonggi: 'sverdlovsk', outsider: 'sverdlovsk' };

/** The first `steps` events of the demo's happy path, as who and what. */
const happyPath = (steps: number): [string, AgreementEventType][] => HAPPY_PATH.slice(0, steps).map(([email, type]) => [email, type]);

/** Who moves a fresh agreement (Sverdlovsk–Gyeonggi, ru/ko) from drafting to each situation under test. */
/** `REGISTER`: the Russian party records its state registration, which is its notification of completion. */
const SITUATIONS: Record<string, readonly [string, AgreementEventType | 'REGISTER'][]> = {
  drafting: [],
  review: happyPath(1),
  'review, Sverdlovsk approved': happyPath(2),
  approval: happyPath(3),
  'approval, Gyeonggi approved': happyPath(4),
  signing: happyPath(5),
  'signing, Sverdlovsk signed': happyPath(6),
  executed: happyPath(7),
  'executed, Gyeonggi notified completion': [...happyPath(7), ['official@gyeonggi.example', 'NOTIFY_COMPLETION']],
  'in-force': [...happyPath(7), ['official@gyeonggi.example', 'NOTIFY_COMPLETION'], ['legal@sverdlovsk.example', 'REGISTER']],
  withdrawn: [['official@gyeonggi.example', 'WITHDRAW']],
};

/**
 * Everything a user does to one agreement (the scheduler's own events are not users' to send). Marking
 * a difference as intended needs a text whose languages differ: test/api/consistency.api.test.ts tries it by role and state;
 * test/api/registration.api.test.ts tries recording a registration.
 */
type AgreementAction = Exclude<
  Action,
  'agreement.create' | 'users.manage' | 'webhooks.manage' | 'consistency.intend' | 'registration.record'
>;
const ACTIONS: readonly AgreementAction[] = [
  'agreement.read',
  'text.edit',
  'text.confirm',
  'text.suggest',
  'suggestion.decide',
  'comment.write',
  'deadlines.set',
  'original.download',
  'obligation.record',
  'obligation.complete',
  ...EVENT_TYPES.map((type) => `event.${type}` as const),
];

/** What the API answers when the policy allows. */
const SUCCESS: Record<AgreementAction, number> = {
  'agreement.read': 200,
  'text.edit': 200,
  'text.confirm': 200,
  'text.suggest': 201,
  'suggestion.decide': 200,
  'comment.write': 201,
  'deadlines.set': 200,
  'original.download': 200,
  'obligation.record': 201,
  'obligation.complete': 200,
  ...(Object.fromEntries(EVENT_TYPES.map((type) => [`event.${type}`, 200])) as Record<`event.${AgreementEventType}`, number>),
};
const REFUSAL: Record<Exclude<Decision, { allowed: true }>['kind'], number> = { hidden: 404, forbidden: 403, 'not-now': 409 };
const expectedStatus = (action: AgreementAction, decision: Decision) => (decision.allowed ? SUCCESS[action] : REFUSAL[decision.kind]);

/** SIGN confirms the signatory's password (all test users share it); the policy is asked before it is checked. */
const eventBody = (type: string, expectedVersion: number) => ({
  type,
  expectedVersion,
  ...(type === 'SIGN' && { password: DEMO_PASSWORD }),
});

/**
 * Workflow events move the agreement on, and a confirmation or a decision on a suggestion can be made
 * once: an allowed one gets an agreement of its own; every other action leaves it as it can be again.
 */
const movesOn = (action: AgreementAction) =>
  action.startsWith('event.') || action === 'text.confirm' || action === 'suggestion.decide' || action === 'obligation.complete';

describe(`authorization matrix: role × party × state × action (${TEST_DATABASE_KIND})`, function () {
  this.timeout(600_000);
  let server: TestServer;
  const clients = new Map<string, ApiClient>();
  const users = new Map<string, { party: string; role: Role }>();
  const emails = PARTIES.flatMap((party) => ROLES.map((role) => `${role}@${party}.example`));

  before(async () => {
    // It creates an agreement per state and role, far more than a person does in an hour.
    server = await startTestServer({ agreementsPerUserPerHour: 10_000 });
    await insertParty(server.db, { ...DEMO_PARTIES[1]!, key: 'outsider', language: 'en' }, new Date().toISOString());
    for (const role of ROLES) {
      await addUser(
        server.db,
        'outsider',
        { email: `${role}@outsider.example`, role, displayName: `Outsider ${role}`, password: DEMO_PASSWORD },
        new Date(),
      );
    }
    for (const email of emails) {
      clients.set(email, await ApiClient.signIn(server.baseUrl, email));
      const [role, party] = email.replace('.example', '').split('@') as [Role, string];
      users.set(email, { party, role });
    }
  });
  after(async () => server?.close());

  /** A fresh Sverdlovsk–Gyeonggi agreement brought to the situation through the API. */
  async function agreementIn(situation: string, forAction?: AgreementAction): Promise<number> {
    const created = await clients.get('legal@sverdlovsk.example')!.post('/api/agreements', {
      kind: 'memorandum',
      counterparty: 'gyeonggi',
      languages: ['ru', 'ko'],
      // Entry into force by notifications, so users can carry it into force themselves.
      variables: { entryIntoForce: 'notifications' },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    let version: number = created.body.version;
    if (situation === 'drafting' && forAction === 'text.confirm') {
      // Something to confirm: Korean needs review after a Russian edit.
      const edited = await clients.get('legal@sverdlovsk.example')!.put(`/api/agreements/${created.body.id}/clauses/financing`, {
        lang: 'ru',
        text: '<p>Каждая Сторона несёт свои расходы по настоящему Меморандуму.</p>',
        expectedVersion: version,
      });
      expect(edited.status, JSON.stringify(edited.body)).to.equal(200);
      version = edited.body.version;
    }
    if (situation === 'drafting') {
      // Something to decide on: Gyeonggi suggested a change.
      const suggested = await clients.get('legal@gyeonggi.example')!.post(`/api/agreements/${created.body.id}/suggestions`, {
        clause: 'financing',
        lang: 'ru',
        text: '<p>Каждая Сторона самостоятельно несёт свои расходы.</p>',
        expectedVersion: version,
      });
      expect(suggested.status, JSON.stringify(suggested.body)).to.equal(201);
    }
    for (const [email, type] of SITUATIONS[situation]!) {
      const registration = {
        authority: 'Министерство юстиции Российской Федерации',
        number: `RU66-${created.body.id}`,
        registeredOn: (await server.db('signatures').where({ agreement_id: created.body.id }).max({ at: 'signed_at' }).first())?.at?.slice(
          0,
          10,
        ),
        expectedVersion: version,
      };
      const sent =
        type === 'REGISTER'
          ? await clients.get(email)!.put(`/api/agreements/${created.body.id}/registrations/sverdlovsk`, registration)
          : await clients.get(email)!.post(`/api/agreements/${created.body.id}/events`, eventBody(type, version));
      expect(sent.status, `${situation}: ${type} by ${email}: ${JSON.stringify(sent.body)}`).to.equal(200);
      version = sent.body.version;
    }
    const record = (await findAgreementRecord(server.db, created.body.id))!;
    if (record.state === 'executed' || record.state === 'in-force') {
      // Something to mark done: an open obligation of each party, as its legal staff would record it.
      for (const party of ['sverdlovsk', 'gyeonggi']) {
        const owner = (await findUserByEmail(server.db, `legal@${party}.example`))!;
        await insertObligation(server.db, {
          agreementId: created.body.id,
          party,
          clause: 'financing',
          text: 'Report the costs borne.',
          ownerId: owner.id,
          startsOn: '2099-06-30',
          recurrence: 'yearly',
          createdBy: owner.id,
          createdAt: new Date().toISOString(),
        });
      }
    }
    return created.body.id;
  }

  async function attempt(client: ApiClient, party: string, id: number, action: AgreementAction): Promise<ApiResponse> {
    const expectedVersion = (await findAgreementRecord(server.db, id))!.version;
    switch (action) {
      case 'agreement.read':
        return client.get(`/api/agreements/${id}`);
      case 'text.edit':
        return client.put(`/api/agreements/${id}/clauses/financing`, {
          lang: 'ru',
          text: '<p>Каждая Сторона несёт свои расходы.</p>',
          expectedVersion,
        });
      case 'text.confirm':
        return client.post(`/api/agreements/${id}/clauses/financing/confirm`, { lang: 'ko', expectedVersion });
      case 'text.suggest':
        return client.post(`/api/agreements/${id}/suggestions`, {
          clause: 'financing',
          lang: 'ru',
          text: '<p>Стороны несут расходы поровну.</p>',
          expectedVersion,
        });
      case 'suggestion.decide': {
        const [open] = await server.db('suggestions').where({ agreement_id: id, state: 'open' }).orderBy('id').select('id');
        return client.post(`/api/agreements/${id}/suggestions/${open?.id ?? 999_999}/accept`, { expectedVersion });
      }
      case 'comment.write':
        return client.post(`/api/agreements/${id}/comments`, { clause: 'financing', lang: 'ru', body: 'Согласны.' });
      case 'deadlines.set':
        return client.put(`/api/agreements/${id}/deadlines`, { signingDueOn: '2099-12-31', expectedVersion });
      case 'original.download':
        return client.get(`/api/agreements/${id}/pdf?original=sverdlovsk`);
      case 'obligation.record':
        return client.post(`/api/agreements/${id}/obligations`, {
          clause: 'financing',
          text: 'Each Party reports its costs once a year.',
          owner: `legal@${party}.example`,
          dueOn: `${new Date().getUTCFullYear() + 1}-12-31`,
          recurrence: 'yearly',
        });
      case 'obligation.complete': {
        const [open] = await server
          .db('obligations')
          .where({ agreement_id: id, party_key: party, state: 'open' })
          .orderBy('id')
          .select('id', 'due_on');
        return client.post(`/api/agreements/${id}/obligations/${open?.id ?? 999_999}/done`, {
          dueOn: open?.due_on ?? '2099-06-30',
          note: 'Reported.',
        });
      }
      default:
        return client.post(`/api/agreements/${id}/events`, eventBody(action.slice('event.'.length), expectedVersion));
    }
  }

  for (const situation of Object.keys(SITUATIONS)) {
    it(`when the agreement is in ${situation}, then every user's every action is answered as the policy decides`, async () => {
      const shared = await agreementIn(situation);
      const mismatches: string[] = [];
      const answered = new Set<number>();
      for (const email of emails) {
        for (const action of ACTIONS) {
          const record = (await findAgreementRecord(server.db, shared))!;
          const decision = decide(users.get(email)!, record, action);
          const id = decision.allowed && movesOn(action) ? await agreementIn(situation, action) : shared;
          const before = await storedAgreement(server.db, id);
          const response = await attempt(clients.get(email)!, users.get(email)!.party, id, action);
          const expected = expectedStatus(action, decision);
          answered.add(response.status);
          if (response.status !== expected) {
            mismatches.push(
              `${email} ${action}: policy ${decision.allowed ? 'allows' : decision.kind} (${expected}), HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`,
            );
          }
          if (!decision.allowed && (await storedAgreement(server.db, id)) !== before)
            mismatches.push(`${email} ${action}: refused, but the agreement changed`);
        }
      }
      expect(mismatches).to.deep.equal([]);
      // Every situation has actions some may do, and all three kinds of refusal (the outsider's 404s among them).
      expect([...answered].sort()).to.include.members([200, 403, 404, 409]);
    });
  }

  it('when each user tries to start an agreement, then only legal staff can, and a refusal creates nothing', async () => {
    const mismatches: string[] = [];
    for (const email of emails) {
      const user = users.get(email)!;
      const decision = decide(user, null, 'agreement.create');
      const count = await countRows(server.db, 'agreements');
      const response = await clients
        .get(email)!
        .post('/api/agreements', { kind: 'memorandum', counterparty: COUNTERPARTY[user.party as keyof typeof COUNTERPARTY] });
      const expected = decision.allowed ? 201 : REFUSAL[decision.kind];
      if (response.status !== expected)
        mismatches.push(`${email}: policy ${decision.allowed ? 'allows' : decision.kind} (${expected}), HTTP ${response.status}`);
      if (!decision.allowed && (await countRows(server.db, 'agreements')) !== count)
        mismatches.push(`${email}: refused, but an agreement was created`);
    }
    expect(mismatches).to.deep.equal([]);
  });
});
