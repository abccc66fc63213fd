import { z } from 'zod';

/**
 * Characters no agreement text needs and that can make text read differently from how it is stored:
 * C0/C1 controls other than tab and line breaks, and the bidirectional overrides, embeddings, isolates
 * and marks used to hide text ("Trojan source"). Russian, Korean and English never need them.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u;

/** A string of user-written text, refused (naming the character) when it holds a forbidden character. */
export function safeText(maxLength: number) {
  return z
    .string()
    .max(maxLength)
    .superRefine((value, context) => {
      const match = FORBIDDEN.exec(value);
      if (match) {
        const codePoint = `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
        context.addIssue({ code: 'custom', message: `contains the control or direction character ${codePoint}, which agreement texts do not allow` });
      }
    });
}
