import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createRootCa, issueCertificate, openssl, scratchDirectory, type FileCredential } from './openssl-pki.ts';

/**
 * An RFC 3161 time-stamping authority on 127.0.0.1, answered by `openssl ts -reply` with a TSA key and
 * certificate made for the occasion: the outside service a deployment would point TSA_URL at.
 */
export interface LocalTsa {
  readonly url: string;
  /** The TSA's root, for `openssl ts -verify -CAfile`. */
  readonly rootCa: FileCredential;
  readonly directory: string;
  /** How many queries it has answered. */
  readonly answered: () => number;
  readonly close: () => Promise<void>;
}

export async function startLocalTsa(): Promise<LocalTsa> {
  const directory = scratchDirectory('bilateral-tsa-');
  const rootCa = await createRootCa(directory, 'TSA-Root');
  const unit = await issueCertificate(rootCa, 'tsa', {
    commonName: 'Bilateral Test TSA',
    keyUsage: 'critical,digitalSignature,nonRepudiation',
    extendedKeyUsage: 'critical,timeStamping',
    // As long as its root, as an outside authority's unit is: the tests of a proof's end see its keys' end first.
    days: 3650,
  });
  writeFileSync(path.join(directory, 'tsaserial'), '01\n');
  const configFile = path.join(directory, 'tsa.cnf');
  writeFileSync(
    configFile,
    [
      '[tsa]',
      'default_tsa = local',
      '[local]',
      `dir = ${directory}`,
      'serial = $dir/tsaserial',
      'crypto_device = builtin',
      'signer_cert = $dir/tsa.pem',
      'certs = $dir/TSA-Root.pem',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      'default_policy = 1.3.6.1.4.1.99999.1',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = yes',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  let answered = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const id = randomBytes(6).toString('hex');
      const queryFile = path.join(directory, `${id}.tsq`);
      const replyFile = path.join(directory, `${id}.tsr`);
      try {
        if (request.method !== 'POST' || request.headers['content-type'] !== 'application/timestamp-query')
          throw new Error('not a timestamp query');
        writeFileSync(queryFile, Buffer.concat(chunks));
        await openssl(['ts', '-reply', '-config', configFile, '-queryfile', queryFile, '-out', replyFile]);
        answered += 1;
        response.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(replyFile));
      } catch (error) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      } finally {
        rmSync(queryFile, { force: true });
        rmSync(replyFile, { force: true });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  void unit;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    rootCa,
    directory,
    answered: () => answered,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
