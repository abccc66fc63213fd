import type { AgreementDocument, SignatureBlock } from '../server/pdf/document-model.ts';
import { TYPOGRAPHY } from '../server/pdf/typesetter.ts';
import type { Lang } from '../server/text/languages.ts';
import type { Block } from '../server/text/markup.ts';

/**
 * The Typst source of one original, generated from the same document model as Bilateral's PDF and
 * the preview, with Bilateral's page geometry (A4, landscape for three parallel languages, the same
 * margins, column gap, sizes and leading), so the bench compares typesetters, not documents: one grid
 * row per section (title, preamble, each article, final clause), every row starting on the same line
 * in every column; the running header and "X / Y" footer; the draft mark. Every text is a Typst
 * string literal, so no character of an agreement is read as markup. Russian and English are
 * hyphenated by Typst's own patterns; Korean words are kept whole (each one a box), as Bilateral
 * and the preview keep them (keep-all).
 */

const LANGUAGE: Record<Lang, string> = { ru: 'ru', ko: 'ko', en: 'en' };

/** A Typst string literal: backslash and double quote escaped, nothing else is special in it. */
const literal = (text: string) => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** Text in its language; a Korean word is one box, so no line breaks inside it. */
function text(value: string, lang: Lang): string {
  if (lang !== 'ko') return `#${literal(value)}`;
  return value
    .split(' ')
    .filter((word) => word !== '')
    .map((word) => `#box(${literal(word)})`)
    .join(' ');
}

function blocks(content: readonly Block[], lang: Lang): string {
  const { listIndent } = TYPOGRAPHY;
  return content
    .map((block) => {
      if (block.type === 'paragraph') return `#par[${text(block.text, lang)}]`;
      // List items 2 pt apart, as Bilateral sets them; the list a paragraph's gap from what is around it.
      const items = block.items
        .map(
          (item, index) =>
            `#par(hanging-indent: ${listIndent}pt)[#box(width: ${listIndent}pt, ${literal(block.ordered ? `${index + 1})` : '–')})${text(item, lang)}]`,
        )
        .join('\n');
      return `#block(spacing: ${TYPOGRAPHY.bodyLeading - TYPOGRAPHY.bodySize + TYPOGRAPHY.paragraphGap}pt)[#set par(spacing: ${TYPOGRAPHY.bodyLeading - TYPOGRAPHY.bodySize + 2}pt)\n${items}]`;
    })
    .join('\n');
}

function cell(lang: Lang, body: string): string {
  return `[#set text(lang: "${LANGUAGE[lang]}")\n${body}\n]`;
}

function signatureBlock(block: SignatureBlock, languages: readonly Lang[]): string {
  const line = (value: string | undefined, lang: Lang) => (value ? `#par[#set text(lang: "${LANGUAGE[lang]}")\n${text(value, lang)}]` : '');
  return `[#set par(justify: false, spacing: ${TYPOGRAPHY.bodyLeading - TYPOGRAPHY.bodySize + 2}pt)
${languages.map((lang) => line(block.heading[lang], lang)).join('\n')}
#v(${TYPOGRAPHY.signatureLineGap}pt)
#line(length: 80%, stroke: 0.5pt + rgb("#333333"))
${languages.map((lang) => `${line(block.signatoryName[lang], lang)}\n${line(block.signatoryTitle[lang], lang)}`).join('\n')}
]`;
}

export function typstSource(document: AgreementDocument): string {
  const { languages } = document;
  if (document.layout !== 'parallel') throw new Error('the Typst source is generated for the parallel layout only');
  const { margin, bodySize, bodyLeading, titleSize, headerSize, paragraphGap, sectionGap, columnGap } = TYPOGRAPHY;
  const landscape = languages.length > 2;
  // Lines are one em high (top edge at the em box, bottom at the baseline), so leading is the pitch less an em.
  const leading = bodyLeading - bodySize;
  const columns = `(${languages.map(() => '1fr').join(', ')})`;
  const row = (cells: (lang: Lang) => string) => languages.map((lang) => cell(lang, cells(lang))).join(',\n');
  const sections = [
    row((lang) => `#align(center, text(size: ${titleSize}pt, weight: 700)[${text(document.title[lang] ?? '', lang)}])`),
    row((lang) => blocks(document.preamble[lang] ?? [], lang)),
    ...document.articles.map((article) =>
      row(
        (lang) =>
          `#align(center, text(weight: 700)[${text(article.heading[lang] ?? '', lang)}])\n${blocks(article.body[lang] ?? [], lang)}`,
      ),
    ),
    row((lang) => blocks(document.finalClause[lang] ?? [], lang)),
  ];
  const header = languages.map((lang) => document.shortTitle[lang] ?? '').join('   |   ');
  const mark = document.draft ? `DRAFT · ПРОЕКТ · 초안 — v${document.draft.version} · ${document.draft.date}` : null;
  const angle = Math.atan2(landscape ? 210 : 297, landscape ? 297 : 210) * (180 / Math.PI);
  return `#set document(title: ${literal(document.metadata.title)})
#set page(
  paper: "a4",
  flipped: ${landscape},
  margin: (top: ${margin.top}pt, bottom: ${margin.bottom}pt, left: ${margin.left}pt, right: ${margin.right}pt),
  header-ascent: 16pt,
  header: [#set text(size: ${headerSize}pt, fill: rgb("#555555"))
    #align(center)[#${literal(header)}]
    #v(-4pt)
    #line(length: 100%, stroke: 0.5pt + rgb("#333333"))],
  footer: context align(center, text(size: ${headerSize + 1}pt, fill: rgb("#555555"), counter(page).display("1 / 1", both: true))),
  ${mark ? `foreground: place(center + horizon, rotate(${(-angle).toFixed(1)}deg, text(size: 28pt, weight: 700, fill: rgb(176, 0, 0, 36), ${literal(mark)}))),` : ''}
)
#set text(font: "Noto Serif KR", size: ${bodySize}pt, top-edge: 1em, bottom-edge: "baseline")
#set par(justify: true, leading: ${leading}pt, spacing: ${leading + paragraphGap}pt)
#grid(
  columns: ${columns},
  column-gutter: ${columnGap}pt,
  row-gutter: ${sectionGap}pt,
${sections.join(',\n')}
)
#v(${sectionGap * 2}pt)
#block(breakable: false, grid(columns: (1fr, 1fr), column-gutter: ${columnGap}pt,
${document.signatureBlocks.map((block) => signatureBlock(block, languages)).join(',\n')}
))
`;
}
