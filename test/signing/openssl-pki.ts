import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A government's own PKI, made with the openssl command line the way a government's IT would make it:
 * a root CA and signing certificates under it, their keys in files that the server never sees unless
 * a PKCS#12 is uploaded on purpose.
 */

/** Runs openssl; its standard output (latin1, so binary survives), with standard error after it when asked. */
export async function openssl(args: readonly string[], options: { stderr?: boolean } = {}): Promise<string> {
  try {
    const { stdout, stderr } = await run('openssl', [...args], { maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' });
    return options.stderr ? stdout + stderr : stdout;
  } catch (error) {
    const failed = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${failed.stderr ?? failed.message}`);
  }
}

export interface FileCredential {
  readonly directory: string;
  readonly certificateFile: string;
  readonly keyFile: string;
  readonly certificatePem: string;
}

export function scratchDirectory(prefix = 'bilateral-pki-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A self-signed root CA (RSA-2048, CA:true, keyCertSign). */
export async function createRootCa(directory: string, name: string, days = 3650): Promise<FileCredential> {
  const keyFile = path.join(directory, `${name}.key`);
  const certificateFile = path.join(directory, `${name}.pem`);
  await openssl([
    'req',
    '-utf8',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certificateFile,
    '-days',
    String(days),
    '-sha256',
    '-subj',
    `/C=KR/O=${name} Government/CN=${name} Root CA`,
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-addext',
    'subjectKeyIdentifier=hash',
  ]);
  return { directory, certificateFile, keyFile, certificatePem: readFileSync(certificateFile, 'utf8') };
}

export interface LeafOptions {
  commonName: string;
  email?: string;
  /** openssl keyUsage value; default "critical,digitalSignature,nonRepudiation". */
  keyUsage?: string | null;
  extendedKeyUsage?: string | null;
  /** openssl -not_before/-not_after need 3.x with x509 -req; we use ca-less signing with explicit dates. */
  notBefore?: string;
  notAfter?: string;
  days?: number;
  isCa?: boolean;
}

/** A certificate issued by `issuer`, with a fresh RSA-2048 key. Dates as YYYYMMDDHHMMSSZ. */
export async function issueCertificate(issuer: FileCredential, name: string, options: LeafOptions): Promise<FileCredential> {
  const { directory } = issuer;
  const keyFile = path.join(directory, `${name}.key`);
  const csrFile = path.join(directory, `${name}.csr`);
  const certificateFile = path.join(directory, `${name}.pem`);
  const extensionsFile = path.join(directory, `${name}.ext`);
  await openssl([
    'req',
    '-utf8',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    csrFile,
    '-subj',
    `/C=KR/O=Test Government/CN=${options.commonName}`,
  ]);
  const lines = [
    `basicConstraints=critical,CA:${options.isCa ? 'true' : 'false'}`,
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
  ];
  const keyUsage =
    options.keyUsage === undefined
      ? options.isCa
        ? 'critical,keyCertSign,cRLSign'
        : 'critical,digitalSignature,nonRepudiation'
      : options.keyUsage;
  if (keyUsage) lines.push(`keyUsage=${keyUsage}`);
  const extendedKeyUsage = options.extendedKeyUsage === undefined ? (options.isCa ? null : 'emailProtection') : options.extendedKeyUsage;
  if (extendedKeyUsage) lines.push(`extendedKeyUsage=${extendedKeyUsage}`);
  if (options.email) lines.push(`subjectAltName=email:${options.email}`);
  writeFileSync(extensionsFile, `${lines.join('\n')}\n`);
  // A minimal "ca" configuration lets us set exact validity dates (x509 -req cannot in OpenSSL 3.0).
  const database = path.join(directory, `${name}.index`);
  writeFileSync(database, '');
  const configFile = path.join(directory, `${name}.cnf`);
  writeFileSync(
    configFile,
    [
      '[ca]',
      'default_ca = issuing',
      '[issuing]',
      `database = ${database}`,
      `new_certs_dir = ${directory}`,
      'rand_serial = yes',
      'default_md = sha256',
      'policy = anything',
      'unique_subject = no',
      'copy_extensions = none',
      'email_in_dn = no',
      '[anything]',
      'commonName = supplied',
      'countryName = optional',
      'organizationName = optional',
      '',
    ].join('\n'),
  );
  const dates = options.notBefore
    ? ['-startdate', options.notBefore, '-enddate', options.notAfter!]
    : ['-days', String(options.days ?? 365)];
  await openssl([
    'ca',
    '-batch',
    '-utf8',
    '-config',
    configFile,
    '-notext',
    '-in',
    csrFile,
    '-out',
    certificateFile,
    '-cert',
    issuer.certificateFile,
    '-keyfile',
    issuer.keyFile,
    '-extfile',
    extensionsFile,
    ...dates,
  ]);
  return { directory, certificateFile, keyFile, certificatePem: readFileSync(certificateFile, 'utf8') };
}

/** A PKCS#12 of the credential (and the chain), encrypted the legacy way (RC2-40 certificates, 3DES key, SHA-1 MAC) or OpenSSL 3's way (AES-256, SHA-256). */
export async function exportPkcs12(
  credential: FileCredential,
  chain: readonly FileCredential[],
  passphrase: string,
  encryption: 'legacy' | 'modern',
): Promise<Buffer> {
  const file = path.join(credential.directory, `${path.basename(credential.keyFile, '.key')}-${encryption}.p12`);
  const chainFile = path.join(credential.directory, `${path.basename(credential.keyFile, '.key')}-chain.pem`);
  writeFileSync(chainFile, chain.map((issuer) => issuer.certificatePem).join(''));
  const algorithms =
    encryption === 'legacy'
      ? ['-certpbe', 'PBE-SHA1-RC2-40', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']
      : ['-certpbe', 'AES-256-CBC', '-keypbe', 'AES-256-CBC', '-macalg', 'sha256'];
  const legacyProvider = encryption === 'legacy' ? ['-legacy'] : [];
  await openssl([
    'pkcs12',
    '-export',
    ...legacyProvider,
    ...algorithms,
    '-in',
    credential.certificateFile,
    '-inkey',
    credential.keyFile,
    ...(chain.length > 0 ? ['-certfile', chainFile] : []),
    '-passout',
    `pass:${passphrase}`,
    '-out',
    file,
  ]);
  return readFileSync(file);
}
