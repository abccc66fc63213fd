import { createHash } from 'node:crypto';
import type { AgreementDocument, SignatureBlock } from '../pdf/document-model.ts';
import { FONT_URLS } from '../pdf/fonts.ts';
import { TYPOGRAPHY } from '../pdf/typesetter.ts';
import { LOCALE, type Lang } from '../text/languages.ts';
import type { Block } from '../text/markup.ts';

/**
 * The HTML preview of one original, made from the same document model as the PDF, so the browser
 * and the PDF never disagree about the text: the same words, article numbers, language order
 * (alternat), list labels and signature blocks, in parallel columns aligned article by article or
 * in sequence. A complete page with no scripts; the only thing it fetches is the font the PDFs
 * embed, from this server (FONT_URLS), and every piece of text is escaped.
 */
export function renderPreviewHtml(document: AgreementDocument): string {
  return renderPreview(document).html;
}

/**
 * The preview page with the Content-Security-Policy to serve it under: nothing may load or run, and
 * only the page's own stylesheet (by its hash) may style it, so the site's strict policy still holds.
 */
/** A way back to the page the preview was opened from (the web pages give one; the API does not). */
export interface PreviewBack {
  readonly href: string;
  /** In the reader's language, which `lang` names (a BCP 47 tag). */
  readonly label: string;
  readonly lang: string;
}

export function renderPreview(document: AgreementDocument, back?: PreviewBack): { html: string; contentSecurityPolicy: string } {
  const { languages } = document;
  const parallel = document.layout === 'parallel';
  const landscape = parallel && languages.length > 2;
  const body = parallel ? parallelText(document) : sequentialText(document);
  const css = stylesheet(languages.length, landscape);
  const styleHash = createHash('sha256').update(css).digest('base64');
  const contentSecurityPolicy = `default-src 'none'; style-src 'sha256-${styleHash}'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`;
  const html = `<!doctype html>
<html lang="${LOCALE[languages[0]!]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.metadata.title)}</title>
<style>${css}</style>
</head>
<body>
${back ? `<nav class="preview-back" lang="${escapeHtml(back.lang)}"><a href="${escapeHtml(back.href)}">${escapeHtml(back.label)}</a></nav>\n` : ''}${document.draft ? `<div class="draft-mark">DRAFT · ПРОЕКТ · 초안 — v${document.draft.version} · ${escapeHtml(document.draft.date)}</div>\n` : ''}<header class="running-title">${escapeHtml(languages.map((lang) => document.shortTitle[lang] ?? '').join('   |   '))}</header>
<main class="${parallel ? 'parallel' : 'sequential'}">
${body}
${signatures(document.signatureBlocks, languages)}
</main>
</body>
</html>
`;
  return { html, contentSecurityPolicy };
}

/** One row per section, one cell per language: a row's cells start on the same line, as in the PDF. */
function parallelText(document: AgreementDocument): string {
  const row = (key: string, cell: (lang: Lang) => string) =>
    `<div class="row" data-section="${escapeHtml(key)}">${document.languages.map((lang) => `<div class="cell" lang="${LOCALE[lang]}">${cell(lang)}</div>`).join('')}</div>`;
  return [
    row('title', (lang) => `<h1>${escapeHtml(document.title[lang] ?? '')}</h1>`),
    row('preamble', (lang) => blocks(document.preamble[lang] ?? [])),
    ...document.articles.map((article) =>
      row(article.key, (lang) => `<h2>${escapeHtml(article.heading[lang] ?? '')}</h2>${blocks(article.body[lang] ?? [])}`),
    ),
    row('final-clause', (lang) => blocks(document.finalClause[lang] ?? [])),
  ].join('\n');
}

/** Each language's complete text in turn, each from a new printed page. */
function sequentialText(document: AgreementDocument): string {
  return document.languages
    .map(
      (lang) => `<article class="text" lang="${LOCALE[lang]}">
<h1>${escapeHtml(document.title[lang] ?? '')}</h1>
${blocks(document.preamble[lang] ?? [])}
${document.articles.map((article) => `<section data-section="${escapeHtml(article.key)}"><h2>${escapeHtml(article.heading[lang] ?? '')}</h2>${blocks(article.body[lang] ?? [])}</section>`).join('\n')}
${blocks(document.finalClause[lang] ?? [])}
</article>`,
    )
    .join('\n');
}

/** Lists carry their labels as text ("1)", "–"), exactly as the PDF prints them. */
function blocks(content: readonly Block[]): string {
  return content
    .map((block) => {
      if (block.type === 'paragraph') return `<p>${escapeHtml(block.text)}</p>`;
      const tag = block.ordered ? 'ol' : 'ul';
      const items = block.items.map(
        (item, index) => `<li><span class="label">${block.ordered ? `${index + 1})` : '–'}</span>${escapeHtml(item)}</li>`,
      );
      return `<${tag}>${items.join('')}</${tag}>`;
    })
    .join('');
}

/** Side by side, the original's own party first (on the left), each line in its language. */
function signatures(blocks: readonly SignatureBlock[], languages: readonly Lang[]): string {
  const line = (text: string | undefined, lang: Lang) => (text ? `<p lang="${LOCALE[lang]}">${escapeHtml(text)}</p>` : '');
  const block = (signature: SignatureBlock) =>
    `<div class="signature-block" data-party="${escapeHtml(signature.party)}">${languages.map((lang) => line(signature.heading[lang], lang)).join('')}<div class="signing-line"></div>${languages
      .map((lang) => line(signature.signatoryName[lang], lang) + line(signature.signatoryTitle[lang], lang))
      .join('')}</div>`;
  return `<section class="signatures">${blocks.map(block).join('')}</section>`;
}

function stylesheet(columns: number, landscape: boolean): string {
  const {
    margin,
    bodySize,
    bodyLeading,
    titleSize,
    titleLeading,
    paragraphGap,
    sectionGap,
    columnGap,
    listIndent,
    headerSize,
    signatureLineGap,
  } = TYPOGRAPHY;
  return `
@page { size: A4${landscape ? ' landscape' : ''}; margin: ${margin.top}pt ${margin.right}pt ${margin.bottom}pt ${margin.left}pt; }
@font-face { font-family: 'Noto Serif KR'; font-weight: 400; src: local('Noto Serif KR'), url('${FONT_URLS.serif}') format('truetype'); }
@font-face { font-family: 'Noto Serif KR'; font-weight: 700; src: local('Noto Serif KR Bold'), url('${FONT_URLS['serif-bold']}') format('truetype'); }
html { font-family: 'Noto Serif KR', serif; font-size: ${bodySize}pt; line-height: ${bodyLeading}pt; color: #000; }
body { margin: 0 auto; max-width: ${landscape ? 842 : 595}pt; padding: 0 ${margin.left}pt; }
@media print { body { max-width: none; padding: 0; } }
[lang|="ru"], [lang|="en"] { hyphens: auto; }
[lang|="ko"] { word-break: keep-all; }
p, li { margin: ${paragraphGap}pt 0 0; text-align: justify; overflow-wrap: anywhere; }
h1 { font-size: ${titleSize}pt; line-height: ${titleLeading}pt; text-align: center; margin: 0; hyphens: manual; }
h2 { font-size: ${bodySize}pt; text-align: center; margin: ${sectionGap}pt 0 0; hyphens: manual; }
ul, ol { list-style: none; margin: 0; padding: 0; }
li { padding-left: ${listIndent}pt; text-indent: -${listIndent}pt; }
li > .label { display: inline-block; width: ${listIndent}pt; text-indent: 0; }
.running-title { font-size: ${headerSize}pt; color: #555; text-align: center; border-bottom: 0.5pt solid #333; padding: ${margin.top - 30}pt 0 6pt; margin-bottom: 16pt; white-space: nowrap; overflow: hidden; }
.parallel .row { display: grid; grid-template-columns: repeat(${columns}, 1fr); column-gap: ${columnGap}pt; }
.parallel .row + .row { margin-top: ${sectionGap}pt; }
.sequential .text + .text { break-before: page; }
.signatures { display: grid; grid-template-columns: 1fr 1fr; column-gap: ${columnGap}pt; margin-top: ${sectionGap * 2}pt; break-inside: avoid; }
.signature-block p { text-align: left; margin-top: 2pt; }
.signing-line { width: 80%; height: ${signatureLineGap}pt; border-bottom: 0.5pt solid #333; margin-bottom: 4pt; }
/* On screen the draft mark is a band above the text, dark red on pale red (7:1), read like any text, not a
   faint diagonal over it (1.3:1, and in the way of the words); printed, it stands on every page. */
.draft-mark { position: sticky; top: 0; z-index: 1; margin: 0 -${margin.left}pt; padding: 4pt ${margin.left}pt; font-weight: 700; font-size: ${headerSize + 2}pt;
  text-align: center; color: #8f0000; background: #fdeeee; border-bottom: 1pt solid #8f0000; overflow-wrap: anywhere; }
/* On a phone the languages follow each other article by article, so no word is broken to fit a narrow column. */
@media screen and (max-width: 640px) {
  body { padding: 0 12pt; }
  .draft-mark { margin: 0 -12pt; padding: 4pt 12pt; }
  .parallel .row, .signatures { grid-template-columns: 1fr; row-gap: ${paragraphGap * 2}pt; }
  p, li { text-align: left; overflow-wrap: break-word; }
  .running-title { white-space: normal; }
}
@media print { .draft-mark { position: fixed; top: 0; left: 0; right: 0; margin: 0; } .preview-back { display: none; } }
.preview-back { padding: 8pt 0 0; font-family: system-ui, sans-serif; font-size: ${headerSize + 2}pt; }
.preview-back a { color: #1f3a5f; }
.preview-back a:focus-visible { outline: 3px solid #152a45; outline-offset: 2px; }
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
