import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { STATES } from '../../workflows/agreement/agreement.events.ts';

/**
 * The machine's states are named in workflows/ and the translations only: the server asks tags
 * (stateHasTag) and the machine's effects. Some of the same words mean something else, listed here
 * with where they mean it.
 */
const OTHER_MEANINGS: readonly { readonly file: string; readonly pattern: RegExp }[] = [
  // A credential's purpose, and what a password confirms again.
  { file: 'server/auth/confirm-password.ts', pattern: /again: 'signing'/ },
  { file: 'server/signatures/register-signing-credential.ts', pattern: /purpose: 'signing'/ },
  { file: 'server/demo/issue-demo-credentials.ts', pattern: /purpose: 'signing'/ },
  // A single-sign-on answer that lapsed.
  { file: 'server/auth/single-sign-on.ts', pattern: /'expired'/ },
  // A certificate that expired, as the verify page names the message.
  { file: 'server/web/verify-messages.ts', pattern: /key: 'expired'/ },
  // A suggestion's state.
  { file: 'server/agreements/suggestions.ts', pattern: /'withdrawn'/ },
  { file: 'server/agreements/withdraw-suggestion.ts', pattern: /'withdrawn'/ },
  { file: 'server/agreements/reject-suggestion.ts', pattern: /'withdrawn'/ },
];

async function typeScriptFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('workflow: state names', () => {
  it('when the server is read, then no line names a state of the machine: callers ask tags', async () => {
    const quoted = new RegExp(`['"\`](${STATES.join('|')})['"\`]`);
    const found: string[] = [];
    for (const file of await typeScriptFiles('server')) {
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        if (!quoted.test(line)) return;
        const explained = OTHER_MEANINGS.some((meaning) => meaning.file === file && meaning.pattern.test(line));
        if (!explained) found.push(`${file}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(found, 'ask stateHasTag (or add a tag to workflows/agreement/agreement.machine.ts) instead').to.deep.equal([]);
  });
});
