import { expect } from 'chai';
import { listRegister, type RegisterQuery, type SearchPlan } from '../../db/repositories/agreement-search.repository.ts';
import { parseQuery } from '../../server/search/search-words.ts';
import { ApiClient, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const AGREEMENTS = 9;
/** The agreements (by creation order) whose purpose names beekeeping; the others name horticulture. */
const BEEKEEPING = new Set([1, 4, 5, 8]);
/** Every plan a search can take at this size: its matches computed first, or walked in walks too short and long enough. */
const PLANS: readonly SearchPlan[] = [
  { sparseMatches: 1_000_000, walk: 1000 },
  ...[1, 2, 3, 1000].map((walk) => ({ sparseMatches: 0, walk })),
];

describe(`the register's search plans (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let created: number[];

  /** Every id of a search, page by page, as listRegister answers it by the plan. */
  const pagedIds = async (query: string, limit: number, plan: SearchPlan, sort: RegisterQuery['sort'] = 'changed') => {
    const ids: number[] = [];
    let after: RegisterQuery['after'];
    for (;;) {
      const page = await listRegister(server.db, { party: 'sverdlovsk', lang: 'ru', match: parseQuery(query), sort, after, limit, plan });
      ids.push(...page.map((row) => row.id));
      if (page.length < limit) return ids;
      after = page.at(-1)!.position;
    }
  };

  before(async () => {
    server = await startTestServer({ agreementsPerUserPerHour: 1000 });
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    created = [];
    for (let index = 0; index < AGREEMENTS; index += 1) {
      const { id } = ok(await legal.post('/api/agreements', { counterparty: 'gyeonggi', kind: 'cooperation-agreement' }), 201);
      const { version } = ok(await legal.get(`/api/agreements/${id}`));
      const purpose = BEEKEEPING.has(index) ? 'пчеловодства' : 'садоводства';
      ok(
        await legal.put(`/api/agreements/${id}/clauses/purpose`, {
          lang: 'ru',
          text: `<p>Стороны развивают сотрудничество в области ${purpose}.</p>`,
          expectedVersion: version,
          as: 'translation',
        }),
      );
      created.push(id);
    }
  });
  after(async () => server?.close());

  it('when a search takes any plan, then every page is the page of the list of its matches', async () => {
    // Newest change first: the agreements were changed in the order they were created.
    const beekeeping = created.filter((_, index) => BEEKEEPING.has(index)).reverse();
    for (const limit of [1, 2, 3, 25]) {
      for (const plan of PLANS) {
        expect(await pagedIds('пчеловодство', limit, plan), `limit ${limit}, ${JSON.stringify(plan)}`).to.deep.equal(beekeeping);
      }
    }
  });

  it('when a word is in every agreement, then each plan and page size lists each once, in the order of the list', async () => {
    const everyOne = await pagedIds('сотрудничество', 1000, PLANS[0]!);
    expect(everyOne).to.include.members(created);
    for (const limit of [1, 4]) {
      for (const plan of PLANS) {
        expect(await pagedIds('сотрудничество', limit, plan), `limit ${limit}, ${JSON.stringify(plan)}`).to.deep.equal(everyOne);
      }
    }
    for (const sort of ['title', 'signed'] as const) {
      const sorted = await pagedIds('сотрудничество', 1000, PLANS[0]!, sort);
      expect(sorted, sort).to.have.members(everyOne);
      for (const plan of PLANS)
        expect(await pagedIds('сотрудничество', 3, plan, sort), `${sort}, ${JSON.stringify(plan)}`).to.deep.equal(sorted);
    }
  });
});
