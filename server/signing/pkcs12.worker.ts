import { outcomeOf, type ThreadOutcome } from '../isolation/bounded-threads.ts';
import { readPkcs12, type Pkcs12Contents } from './pkcs12.ts';

/** What the server hands a PKCS#12 thread: the uploaded file and its passphrase, copied across the thread boundary. */
export interface Pkcs12Task {
  readonly pkcs12: Uint8Array;
  readonly passphrase: string;
}

/** The contents as they cross back: the key in an array of its own. */
export type Pkcs12Reply = Omit<Pkcs12Contents, 'privateKeyPkcs8'> & { readonly privateKeyPkcs8: Uint8Array };

/** Runs in a worker thread (see isolated-pkcs12.ts): one uploaded PKCS#12 per call. */
export default function readPkcs12InWorker({ pkcs12, passphrase }: Pkcs12Task): Promise<ThreadOutcome<Pkcs12Reply>> {
  return outcomeOf(async () => {
    const contents = readPkcs12(Buffer.from(pkcs12.buffer, pkcs12.byteOffset, pkcs12.byteLength), passphrase);
    // A small Buffer is a view of a shared pool, and the copy to the other thread takes the whole pool:
    // the key travels alone, and this thread's copy is zeroed.
    const privateKeyPkcs8 = new Uint8Array(contents.privateKeyPkcs8);
    contents.privateKeyPkcs8.fill(0);
    return { ...contents, privateKeyPkcs8 };
  });
}
