import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Lang } from '../text/languages.ts';
import { formatDateTime, formatNumber, translate } from './i18n.ts';

/**
 * The pages: Handlebars templates under templates/web (layout.hbs, partials/, pages/), compiled once per
 * process in an environment of their own (the clause templates have theirs). {{ }} escapes everything
 * user-written; no template uses {{{ }}}, and prototype access stays off.
 */
const WEB_TEMPLATES = fileURLToPath(new URL('../../templates/web/', import.meta.url));

/** What every page gets besides its own data. */
export interface PageFrame {
  readonly lang: Lang;
  /** The reader's IANA time zone (their choice, else their party's): every time on the page is shown in it. */
  readonly timeZone: string;
  /** The <title> and the page's <h1>, already translated. */
  readonly title: string;
  readonly csrfToken: string;
  readonly user?: {
    readonly email: string;
    readonly displayName: string;
    readonly partyName: string;
    readonly role: string;
    readonly isAdmin: boolean;
  };
  readonly waitingCount?: number;
  readonly flash?: { readonly kind: 'ok' | 'error'; readonly message: string; readonly detail?: string };
  /** Which entry of the navigation is this page, for aria-current. */
  readonly section?: string;
}

interface Templates {
  readonly layout: Handlebars.TemplateDelegate;
  readonly pages: ReadonlyMap<string, Handlebars.TemplateDelegate>;
}

const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };

let templates: Templates | undefined;

function compileAll(): Templates {
  const environment = Handlebars.create();
  const hbsFiles = (folder: string) =>
    readdirSync(path.join(WEB_TEMPLATES, folder))
      .filter((file) => file.endsWith('.hbs'))
      .map((file) => [file.slice(0, -'.hbs'.length), readFileSync(path.join(WEB_TEMPLATES, folder, file), 'utf8')] as const);
  for (const [name, source] of hbsFiles('partials')) environment.registerPartial(name, source);
  registerHelpers(environment);
  const compile = (source: string) => environment.compile(source, { preventIndent: true });
  return {
    layout: compile(readFileSync(path.join(WEB_TEMPLATES, 'layout.hbs'), 'utf8')),
    pages: new Map(hbsFiles('pages').map(([name, source]) => [name, compile(source)])),
  };
}

function registerHelpers(environment: typeof Handlebars): void {
  const pageLang = (options: Handlebars.HelperOptions): Lang => options.data.root.lang;
  /** {{t "state." state count=3}}: the positional parts make the key, the named ones fill its placeholders. */
  environment.registerHelper('t', (...parts: unknown[]) => {
    const options = parts.pop() as Handlebars.HelperOptions;
    return translate(pageLang(options), parts.join(''), options.hash);
  });
  const pageZone = (options: Handlebars.HelperOptions): string => options.data.root.timeZone;
  // Helpers are named as verbs or kinds of markup, never as a word a page's data would use: a bare
  // {{time}} or {{number}} in a template calls a helper of that name before it reads the data (both
  // happened: a timestamp's time and a registration's number answered 500).
  /** {{formatDateTime at}}: the moment in the reader's zone, as text (an <option>, a sentence). */
  environment.registerHelper('formatDateTime', (iso: string, options: Handlebars.HelperOptions) =>
    iso ? formatDateTime(pageLang(options), iso, pageZone(options)) : '',
  );
  /** {{timeElement at}}: the same as a <time> element, with the moment in UTC on hover. */
  environment.registerHelper('timeElement', (iso: string, options: Handlebars.HelperOptions) => {
    if (!iso) return '';
    const lang = pageLang(options);
    const text = Handlebars.escapeExpression;
    return new Handlebars.SafeString(
      `<time datetime="${text(iso)}" title="${text(formatDateTime(lang, iso, 'UTC'))}">${text(formatDateTime(lang, iso, pageZone(options)))}</time>`,
    );
  });
  environment.registerHelper('formatNumber', (value: number, options: Handlebars.HelperOptions) => formatNumber(pageLang(options), value));
  environment.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  environment.registerHelper('or', (...values: unknown[]) => values.slice(0, -1).some(Boolean));
  environment.registerHelper('includes', (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value));
}

/** Renders a page inside the layout. */
export function renderPage(page: string, frame: PageFrame, data: object = {}): string {
  templates ??= compileAll();
  const template = templates.pages.get(page);
  if (!template) throw new Error(`templates/web/pages/${page}.hbs does not exist`);
  const context = { ...data, ...frame };
  const body = template(context, RUNTIME_OPTIONS);
  // The body is our own rendered template, so it is the one thing the layout inserts unescaped.
  return templates.layout({ ...context, body: new Handlebars.SafeString(body) }, RUNTIME_OPTIONS);
}
