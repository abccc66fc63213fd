import { expect } from 'chai';
import { ApiClient } from '../support/api-client.ts';
import { DEMO_PASSWORD } from '../support/server.ts';

/** The comments the walk leaves, one in each party's language (the second one returns the text for changes). */
export const WALK_COMMENTS = {
  ru: 'Прошу проверить; особенно статью о финансировании',
  ko: '재정 조항을 다시 검토해 주십시오',
} as const;

/**
 * Carries the demo agreement of cooperation (2) over the API to Sverdlovsk's signature, with a return
 * for changes on the way: the history a person reads on its page, its timeline and the notifications.
 */
export async function carryToFirstSignature(baseUrl: string): Promise<void> {
  const clients = new Map<string, ApiClient>();
  const as = async (email: string) => {
    if (!clients.has(email)) clients.set(email, await ApiClient.signIn(baseUrl, email));
    return clients.get(email)!;
  };
  let version = (await (await as('legal@sverdlovsk.example')).get('/api/agreements/2')).body.version as number;
  const steps: [string, string, Record<string, string>?][] = [
    ['legal@sverdlovsk.example', 'SUBMIT', { comment: WALK_COMMENTS.ru }],
    ['legal@gyeonggi.example', 'REQUEST_CHANGES', { comment: WALK_COMMENTS.ko }],
    ['legal@sverdlovsk.example', 'SUBMIT'],
    ['legal@sverdlovsk.example', 'APPROVE'],
    ['legal@gyeonggi.example', 'APPROVE'],
    ['official@sverdlovsk.example', 'APPROVE'],
    ['official@gyeonggi.example', 'APPROVE'],
    ['signatory@sverdlovsk.example', 'SIGN', { password: DEMO_PASSWORD }],
  ];
  for (const [email, type, more] of steps) {
    const response = await (await as(email)).post('/api/agreements/2/events', { type, expectedVersion: version, ...more });
    expect(response.status, `${email} ${type}: ${JSON.stringify(response.body)}`).to.equal(200);
    version = response.body.version;
  }
}
