import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { ApiClient } from '../test/support/api-client.ts';
import { startTestServer } from '../test/support/server.ts';
import { formatTable, isMain, percentile, progress, writeResults, type BenchRow } from './bench-results.ts';

/**
 * `npm run bench` (or alone: `tsx bench/word-bench.ts`): the Word round trip of a 20-article agreement
 * in Russian, Korean and English over HTTP on SQLite: the export (GET .../docx) and the import of the
 * file with one word changed (POST .../docx, one suggestion stored), and the redline of every version
 * of its drafting as DOCX and as PDF: median and p95, and the file's bytes. Asserts nothing.
 */

const ARTICLES = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export async function runWordBench(): Promise<BenchRow[]> {
  const server = await startTestServer({ agreementsPerUserPerHour: 1000 });
  try {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const legalGyeonggi = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
    let agreement = (await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] })).body;
    const articles = () =>
      agreement.clauses.filter((clause: { key: string }) => !['title', 'preamble', 'final-clause'].includes(clause.key));
    while (articles().length < ARTICLES) {
      const added = await legal.post(`/api/agreements/${agreement.id}/clauses`, {
        lang: 'ru',
        text: `<p>Стороны содействуют обмену опытом в области ${articles().length + 1}.</p>`,
        expectedVersion: agreement.version,
      });
      if (added.status !== 201) throw new Error(`add clause: ${added.status} ${JSON.stringify(added.body)}`);
      agreement = added.body;
    }
    const exportPath = `/api/agreements/${agreement.id}/docx?original=gyeonggi&layout=parallel`;
    const timedRuns = async (run: () => Promise<number>) => {
      await run();
      const samples: number[] = [];
      let bytes = 0;
      for (let index = 0; index < RUNS; index += 1) {
        const start = performance.now();
        bytes = await run();
        samples.push(performance.now() - start);
      }
      return { samples, bytes };
    };
    const exported = await timedRuns(async () => (await legalGyeonggi.get(exportPath)).bytes.length);
    const parts = unzipSync(new Uint8Array((await legalGyeonggi.get(exportPath)).bytes));
    const xml = strFromU8(parts['word/document.xml']!);
    const edited = Buffer.from(
      zipSync({ ...parts, 'word/document.xml': strToU8(xml.replace('представляющих взаимный интерес', 'имеющих взаимный интерес')) }),
    );
    const imported = await timedRuns(async () => {
      const answer = await legalGyeonggi.upload(
        `/api/agreements/${agreement.id}/docx?expectedVersion=${agreement.version}`,
        edited,
        DOCX_TYPE,
      );
      if (answer.status !== 201) throw new Error(`import: ${answer.status} ${JSON.stringify(answer.body)}`);
      return edited.length;
    });
    // The redlines of the whole drafting (every article added one version at a time), as Word file and as PDF.
    const redline = `/api/agreements/${agreement.id}/docx?original=gyeonggi&from=1&to=${agreement.version}`;
    const redlineDocx = await timedRuns(async () => {
      const answer = await legalGyeonggi.get(redline);
      if (answer.status !== 200) throw new Error(`redline: ${answer.status}`);
      return answer.bytes.length;
    });
    const redlinePdf = await timedRuns(async () => {
      const answer = await legalGyeonggi.get(redline.replace('/docx?', '/pdf?'));
      if (answer.status !== 200) throw new Error(`redline PDF: ${answer.status}`);
      return answer.bytes.length;
    });
    const row = (name: string, result: { samples: number[]; bytes: number }): BenchRow => ({
      benchmark: 'word',
      case: `${name}, ${ARTICLES} articles, ru/ko/en, SQLite`,
      samples: result.samples.length,
      p50Ms: percentile(result.samples, 50),
      p95Ms: percentile(result.samples, 95),
      bytes: result.bytes,
    });
    const rows = [
      row('DOCX export', exported),
      row('DOCX import (one change)', imported),
      row(`DOCX redline of versions 1 to ${agreement.version}`, redlineDocx),
      row(`PDF redline of versions 1 to ${agreement.version}`, redlinePdf),
    ];
    rows.forEach(progress);
    return rows;
  } finally {
    await server.close();
  }
}

if (isMain(import.meta.url)) {
  const rows = await runWordBench();
  writeResults('word-bench', rows);
  console.log(formatTable(rows));
}
