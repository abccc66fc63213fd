import type { AuditEntry } from '../../db/repositories/audit.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { SYSTEM_ACTOR } from '../../workflows/agreement/agreement.events.ts';
import { EXTENSION_AUDIT_EVENT } from '../signatures/extend-long-term-validation.ts';
import { isLang, type Lang } from '../text/languages.ts';
import { formatDate, translate } from './i18n.ts';
import { personName } from './person-name.ts';

/**
 * The audit chain as a journal for people. The stored detail is one string the use-cases write for the
 * record (a comment, then what the effects add: "text frozen: <hash>", "approved text <hash>", ...); it
 * is covered by the chain's hashes and stays as it is. This reads it back: what it says becomes
 * sentences in the reader's language, the sender's comment its own text in its own language, and the
 * hashes and raw words go behind "technical details".
 */

/** One thing an entry says: a message key of timeline.* and its values, as the detail gave them. */
interface Fact {
  readonly key: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface TimelineEntry {
  readonly event: string;
  readonly at: string;
  /** The person in the reader's script, or the scheduler named as such. */
  readonly who: string;
  readonly roleKey: string;
  readonly partyName: string;
  readonly system: boolean;
  readonly from: string | null;
  readonly to: string;
  /** What the entry says besides its event, as sentences in the reader's language. */
  readonly facts: readonly string[];
  /** What the sender wrote, in the language they use the application in. */
  readonly comment?: { readonly text: string; readonly lang: Lang };
  /** What a person reads only to check the record: hashes, the account, the raw detail. */
  readonly technical: { readonly actor: string; readonly hash: string; readonly detail: string | null; readonly hashes: readonly string[] };
}

const HASH = '[0-9a-f]{16,}';
/** The parts the effects append to a transition's detail (effects.ts), after the sender's comment. */
const EFFECT_PARTS: readonly { readonly pattern: RegExp; readonly fact: (match: RegExpExecArray) => Fact }[] = [
  { pattern: new RegExp(`^text frozen: (${HASH})$`), fact: () => ({ key: 'timeline.textFrozen', values: {} }) },
  { pattern: new RegExp(`^approved text (${HASH})$`), fact: () => ({ key: 'timeline.approvedText', values: {} }) },
  {
    pattern: /^approvals cleared: returned from ([\w-]+) to ([\w-]+)$/,
    fact: (match) => ({ key: 'timeline.approvalsCleared', values: { from: match[1]!, to: match[2]! } }),
  },
];

interface Reader {
  readonly lang: Lang;
  /** Users by e-mail, for the names of the people in the entries. */
  readonly users: ReadonlyMap<string, User>;
  readonly partyName: (key: string) => string;
  /** A user's interface language (their choice, else their party's): the language of their comment. */
  readonly languageOf: (user: User) => Lang;
}

/** Pure: the entries, newest first, as the reader reads them. */
export function timelineFor(entries: readonly AuditEntry[], reader: Reader): TimelineEntry[] {
  return entries.map((entry) => describeEntry(entry, reader)).reverse();
}

function describeEntry(entry: AuditEntry, reader: Reader): TimelineEntry {
  const { lang } = reader;
  const user = reader.users.get(entry.actor);
  const system = entry.role === SYSTEM_ACTOR.role;
  const { facts, comment, hashes } = readDetail(entry, reader);
  return {
    event: entry.event,
    at: entry.at,
    who: system ? translate(lang, 'timeline.scheduler') : user ? personName(user, lang) : entry.actor,
    roleKey: `role.${entry.role}`,
    partyName: system ? '' : reader.partyName(entry.party),
    system,
    from: entry.from,
    to: entry.to,
    facts: facts.map((fact) => translate(lang, fact.key, translateValues(lang, fact.values))),
    comment: comment ? { text: comment, lang: user ? reader.languageOf(user) : lang } : undefined,
    technical: { actor: entry.actor, hash: entry.hash, detail: entry.detail, hashes },
  };
}

/** State, clause and language values become their names, dates the reader's dates; the rest stays as it is. */
function translateValues(lang: Lang, values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => {
      if (name === 'from' || name === 'to') return [name, translate(lang, `state.${value}`, { fallback: value })];
      if (name === 'clause') return [name, translate(lang, `clause.${value}`, { fallback: value })];
      if (name === 'language') return [name, isLang(value) ? translate(lang, `languageInText.${value}`) : value];
      if (name === 'date') return [name, formatDate(lang, value)];
      return [name, value];
    }),
  );
}

interface ReadDetail {
  facts: Fact[];
  comment?: string;
  hashes: string[];
}

/** What the entry's detail says, by the event that wrote it; a detail this does not know is only technical. */
function readDetail(entry: AuditEntry, reader: Reader): ReadDetail {
  const detail = entry.detail ?? '';
  const hashes = [...detail.matchAll(new RegExp(HASH, 'g'))].map((match) => match[0]);
  if (!detail) return { facts: [], hashes };
  const nameOf = (email: string) => {
    const user = reader.users.get(email);
    return user ? personName(user, reader.lang) : email;
  };
  if (entry.event === 'EDIT_TEXT') {
    const accepted = /^edit ([\w-]+) \((\w+)\): suggestion (\d+) by (\S+), accepted by (\S+)$/.exec(detail);
    if (accepted) {
      return {
        facts: [
          { key: 'timeline.change.accepted', values: { clause: accepted[1]!, language: accepted[2]!, author: nameOf(accepted[4]!) } },
        ],
        hashes,
      };
    }
    const change = /^(edit|confirm|add-clause|remove-clause|reorder|variables|create)(?: ([\w-]+))?(?: \((\w+)\))?$/.exec(detail);
    if (change) {
      const [, op, clause = '', language = ''] = change;
      return { facts: [{ key: `timeline.change.${op}`, values: { clause, language } }], hashes };
    }
    return { facts: [], hashes };
  }
  if (entry.event === 'CREATE') {
    const continues = /^continues agreement (\d+)$/.exec(detail);
    return { facts: continues ? [{ key: 'timeline.continues', values: { id: continues[1]! } }] : [], hashes };
  }
  if (entry.event === 'SET_DEADLINES') {
    const pairs = detail.split(', ').map((pair) => /^(\w+)=(\S+)$/.exec(pair));
    if (!pairs.every((pair) => pair !== null)) return { facts: [], hashes };
    const facts = pairs.map(([, name = '', value = '']): Fact => {
      const deadline = translate(reader.lang, `timeline.deadline.${name}`, { fallback: name });
      return value === 'none'
        ? { key: 'timeline.deadlineCleared', values: { deadline } }
        : { key: 'timeline.deadlineSet', values: { deadline, date: value } };
    });
    return { facts, hashes };
  }
  if (entry.event === EXTENSION_AUDIT_EVENT) {
    const renewal =
      /; renewal due (\d{4}-\d{2}-\d{2})(?:; the time-stamping authority's timestamps are provable only until (\d{4}-\d{2}-\d{2}): another authority is needed)?$/.exec(
        detail,
      );
    const facts: Fact[] = [
      renewal
        ? { key: 'timeline.longTermTimestamped', values: { date: renewal[1]! } }
        : { key: 'timeline.longTermValidationData', values: {} },
    ];
    if (renewal?.[2]) facts.push({ key: 'timeline.longTermAuthorityEnds', values: { date: renewal[2] } });
    return { facts, hashes };
  }
  if (entry.role === SYSTEM_ACTOR.role) {
    const due = /^due (\d{4}-\d{2}-\d{2})$/.exec(detail);
    return { facts: due ? [{ key: 'timeline.due', values: { date: due[1]! } }] : [], hashes };
  }
  // A transition: the sender's comment, then the effects' parts, each after "; ". The comment may hold
  // "; " itself, so the known parts are taken from the end and the rest is the comment, whole.
  const parts = detail.split('; ');
  const facts: ReadDetail['facts'] = [];
  while (parts.length > 0) {
    const last = parts.at(-1)!;
    const known = EFFECT_PARTS.map((part) => ({ part, match: part.pattern.exec(last) })).find(({ match }) => match);
    if (!known) break;
    facts.unshift(known.part.fact(known.match!));
    parts.pop();
  }
  const comment = parts.join('; ').trim();
  return { facts, comment: comment || undefined, hashes };
}
