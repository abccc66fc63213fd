import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REVOCATION_REASONS } from '../../db/repositories/revocations.repository.ts';
import { ERROR_TABLE } from '../../server/errors.ts';
import { PADES_LEVELS } from '../../server/signing/verify-pdf.ts';
import { CONSISTENCY_RULES } from '../../server/agreements/consistency-check.ts';
import { BINDING_DATE_KINDS } from '../../server/calendar/party-calendar.ts';
import { REGISTRATION_NEEDS } from '../../server/registration/registration-view.ts';
import { clauseLibrary } from '../../server/text/clause-library.ts';
import { LANGUAGES } from '../../server/text/languages.ts';
import { messageCatalogs } from '../../server/web/i18n.ts';
import { EVENT_TYPES, ROLES, STATES, SYSTEM_EVENT_TYPES } from '../../workflows/agreement/agreement.events.ts';

const TEMPLATES = path.resolve('templates', 'web');
const templateFiles = () =>
  [
    'layout.hbs',
    ...['partials', 'pages'].flatMap((folder) => readdirSync(path.join(TEMPLATES, folder)).map((file) => path.join(folder, file))),
  ].map((file) => ({
    file,
    source: readFileSync(path.join(TEMPLATES, file), 'utf8'),
  }));

/** The keys the pages build from data ({{t "state." state}}), for every value the data can have. */
const DATA_KEYS = [
  ...STATES.flatMap((state) => [`state.${state}`, `agreement.originalsNote.${state}`]),
  ...EVENT_TYPES.flatMap((type) => [`event.${type}`, `flash.event.${type}`]),
  ...[
    ...EVENT_TYPES,
    ...SYSTEM_EVENT_TYPES,
    'CREATE',
    'EDIT_TEXT',
    'MARK_INTENDED',
    'RECORD_REGISTRATION',
    'EXTEND_LONG_TERM_VALIDATION',
  ].map((type) => `auditEvent.${type}`),
  ...CONSISTENCY_RULES.map((rule) => `consistency.rule.${rule}`),
  ...BINDING_DATE_KINDS.map((kind) => `calendar.kind.${kind}`),
  ...REGISTRATION_NEEDS.map((need) => `registration.need.${need}`),
  ...['not-required', 'pending', 'submitted', 'registered'].map((state) => `registration.state.${state}`),
  ...['SUBMIT', 'APPROVE', 'SIGN', 'NOTIFY_COMPLETION'].map((type) => `waiting.${type}`),
  ...ROLES.map((role) => `role.${role}`),
  ...REVOCATION_REASONS.map((reason) => `users.certificate.reason.${reason}`),
  ...PADES_LEVELS.map((level) => `verify.levelMeaning.${level}`),
  ...LANGUAGES.flatMap((lang) => [`language.${lang}`, `languageInText.${lang}`]),
  ...['confirmed', 'translated', 'needs-review'].map((status) => `status.${status}`),
  ...['open', 'outdated', 'accepted', 'rejected', 'withdrawn'].map((state) => `desk.state.${state}`),
  ...['added', 'removed', 'changed'].map((change) => `compare.change.${change}`),
  ...[...clauseLibrary().kinds.keys()].map((kind) => `kind.${kind}`),
  ...[...clauseLibrary().clauses.keys()].map((clause) => `clause.${clause}`),
  ...Object.keys(ERROR_TABLE).map((code) => `error.${code}`),
  ...['event', 'text-edit', 'comment-write'].flatMap((group) => [`refusal.${group}.forbidden`, `refusal.${group}.not-now`]),
  'refusal.text-edit.counterparty',
  // The agreement's standing and the timeline's sentences (server/web/agreement-status.ts, timeline.ts).
  ...['review', 'approval', 'signing'].map((stage) => `standing.progress.${stage}`),
  ...['executed', 'in-force', 'expired', 'terminated'].map((stage) => `standing.completed.${stage}`),
  ...['signed', 'inForceSince', 'expiresOn', 'noticeDeadlineOn', 'terminatesOn'].map((date) => `standing.date.${date}`),
  ...['waitingFor', 'waitingForYou', 'waitingForYouOrOthers', 'waitingForOneOf', 'turn', 'dueOn', 'noticeBy'].map(
    (line) => `standing.${line}`,
  ),
  ...['create', 'edit', 'confirm', 'add-clause', 'remove-clause', 'reorder', 'variables', 'accepted'].map((op) => `timeline.change.${op}`),
  ...['reviewDueOn', 'approvalDueOn', 'signingDueOn'].map((deadline) => `timeline.deadline.${deadline}`),
  ...[
    'scheduler',
    'textFrozen',
    'approvedText',
    'approvalsCleared',
    'continues',
    'due',
    'longTermTimestamped',
    'longTermValidationData',
    'longTermAuthorityEnds',
    'deadlineSet',
    'deadlineCleared',
  ].map((fact) => `timeline.${fact}`),
];

describe('web: the interface in Russian, Korean and English', () => {
  it('when the three message files are compared, then they have the same keys and no empty message', () => {
    const [ru, ko, en] = LANGUAGES.map((lang) => messageCatalogs().get(lang)!);
    expect([...ru!.keys()].sort()).to.deep.equal([...en!.keys()].sort());
    expect([...ko!.keys()].sort()).to.deep.equal([...en!.keys()].sort());
    for (const catalog of [ru!, ko!, en!]) for (const [key, message] of catalog) expect(message.trim(), key).to.not.equal('');
  });

  it('when a template names a message, or the data can, then every language has it', () => {
    const named = templateFiles().flatMap(({ source }) => [...source.matchAll(/(?:\{\{|\()t "([^"]+)"/g)].map((match) => match[1]!));
    const keys = [...new Set([...named.filter((key) => !key.endsWith('.')), ...DATA_KEYS])];
    for (const lang of LANGUAGES) {
      const missing = keys.filter((key) => !messageCatalogs().get(lang)!.has(key));
      expect(missing, lang).to.deep.equal([]);
    }
  });

  it('when the templates are read, then no words are written in them: every label comes from the messages', () => {
    const allowed = new Set(['Bilateral', 'Русский', '한국어', 'English', 'PDF', 'SHA', '256', 'UTC']);
    for (const { file, source } of templateFiles()) {
      const text = source
        .replace(/\{\{!--[\s\S]*?--\}\}/g, '')
        .replace(/\{\{[\s\S]*?\}\}/g, ' ')
        .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
        .replace(/<[^>]*>/g, ' ');
      const words = (text.match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !allowed.has(word));
      expect(words, file).to.deep.equal([]);
    }
  });
});
