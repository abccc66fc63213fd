import path from 'node:path';
import { NodeCompiler } from '@myriaddreamin/typst-ts-node-compiler';
import type { AgreementDocument } from '../server/pdf/document-model.ts';
import { FONT_FILES } from '../server/pdf/fonts.ts';
import { typstSource } from './typst-source.ts';

/**
 * Typst (typst-ts-node-compiler, its native compiler inside the npm package) set up with the same two
 * Noto Serif KR files Bilateral embeds. One compiler is kept, as a server would keep it, so a second
 * compile reuses what Typst memoised from the first (its incremental compilation).
 */
export function typstRenderer(): { render: (document: AgreementDocument) => Buffer } {
  const compiler = NodeCompiler.create({
    fontArgs: [{ fontPaths: [...new Set(Object.values(FONT_FILES).map((file) => path.dirname(file)))] }],
  });
  return {
    render: (document) => {
      const compiled = compiler.compile({ mainFileContent: typstSource(document) });
      const error = compiled.takeError();
      if (error) throw new Error(`Typst could not compile the generated source: ${JSON.stringify(compiler.fetchDiagnostics(error))}`);
      return compiler.pdf(compiled.result!, { creationTimestamp: 0 });
    },
  };
}
