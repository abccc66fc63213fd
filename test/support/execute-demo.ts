import { expect } from 'chai';
import { ApiClient } from './api-client.ts';
import { DEMO_PASSWORD, type TestServer } from './server.ts';

/** The seeded letter of intent (executed by the seed) and agreement of cooperation (in drafting). */
export const LETTER_OF_INTENT = 1;
export const COOPERATION = 2;
export const DEMO_ORIGINALS = ['sverdlovsk', 'gyeonggi'] as const;

/** Who sends which event to carry the agreement of cooperation from drafting to executed, and the state after it. */
export const HAPPY_PATH = [
  ['legal@sverdlovsk.example', 'SUBMIT', 'review'],
  ['legal@sverdlovsk.example', 'APPROVE', 'review'],
  ['legal@gyeonggi.example', 'APPROVE', 'approval'],
  ['official@gyeonggi.example', 'APPROVE', 'approval'],
  ['official@sverdlovsk.example', 'APPROVE', 'signing'],
  ['signatory@sverdlovsk.example', 'SIGN', 'signing'],
  ['signatory@gyeonggi.example', 'SIGN', 'executed'],
] as const;

/**
 * Drives the demo agreement of cooperation to execution over HTTP, as the two governments would, and
 * downloads each party's signed original from that party's side.
 */
export async function executeDemoAgreement(server: TestServer): Promise<Map<string, Buffer>> {
  await runEvents(server, COOPERATION, HAPPY_PATH);
  const originals = new Map<string, Buffer>();
  for (const party of DEMO_ORIGINALS) {
    const official = await ApiClient.signIn(server.baseUrl, `official@${party}.example`);
    const response = await official.get(`/api/agreements/${COOPERATION}/pdf?original=${party}`);
    expect(response.status).to.equal(200);
    expect(response.contentType).to.equal('application/pdf');
    originals.set(party, response.bytes);
  }
  return originals;
}

/** Sends each (user, event, expected state) in turn over HTTP, each at the version the last one left. */
export async function runEvents(
  server: Pick<TestServer, 'baseUrl'>,
  agreementId: number,
  steps: readonly (readonly [email: string, type: string, state: string])[],
  extra: Record<string, unknown> = {},
): Promise<number> {
  const clients = new Map<string, ApiClient>();
  for (const [email] of steps) if (!clients.has(email)) clients.set(email, await ApiClient.signIn(server.baseUrl, email));
  let { version } = (await clients.get(steps[0]![0])!.get(`/api/agreements/${agreementId}`)).body;
  for (const [email, type, state] of steps) {
    // Signing is confirmed with the signatory's password.
    const confirmation = type === 'SIGN' ? { password: DEMO_PASSWORD } : {};
    const response = await clients
      .get(email)!
      .post(`/api/agreements/${agreementId}/events`, { type, expectedVersion: version, ...confirmation, ...extra });
    expect(response.status, `${type} by ${email}: ${JSON.stringify(response.body)}`).to.equal(200);
    expect(response.body).to.deep.equal({ state, version: version + 1 });
    version = response.body.version;
  }
  return version;
}

/** The parties' CA certificates as stored (credentials, purpose 'ca'): the trust anchors. */
export async function demoCertificateAuthorities(server: TestServer): Promise<{ party: string; certificatePem: string }[]> {
  const rows = await server.db('credentials').where({ purpose: 'ca' }).whereNull('user_id').orderBy('party_key');
  return rows.map((row: { party_key: string; certificate_pem: string }) => ({ party: row.party_key, certificatePem: row.certificate_pem }));
}

/** A stored revision of an original, straight from the database (revision 1 is the unsigned frozen text). */
export async function storedOriginal(server: TestServer, agreementId: number, party: string, revision?: number): Promise<Buffer> {
  const query = server.db('originals').where({ agreement_id: agreementId, party_key: party });
  const row = await (revision === undefined ? query.orderBy('revision', 'desc') : query.where({ revision })).first();
  if (!row)
    throw new Error(`no stored original ${party} of agreement ${agreementId}${revision === undefined ? '' : ` revision ${revision}`}`);
  return Buffer.from(row.pdf);
}
