/**
 * The drafting desk's editor, in the browser: ProseMirror over the clause's editable format
 * (server/text/editable-text.ts). Bundled by server/web/desk/desk-bundle.ts with esbuild and served from
 * /assets/desk.js, so the strict Content-Security-Policy stays as it is: no inline code, nothing from
 * elsewhere. The schema mirrors the format exactly: paragraphs, bulleted and numbered lists, and fields,
 * which are atoms (one node, never half-edited) that show their value in the column's language. The
 * server checks every text it receives all the same.
 *
 * Each column (a clause in a language) has a form; on submit, the editor's document is written into its
 * hidden `text` field in the editable format. Without JavaScript the desk shows the text as printed, and
 * every other form (confirm, accept, reject, withdraw, comments) works as before.
 */
import { josa } from 'es-hangul';
import { baseKeymap, chainCommands, setBlockType } from 'prosemirror-commands';
import { history, redo, undo } from 'prosemirror-history';
import { keymap } from 'prosemirror-keymap';
import { type Node as PmNode, Schema } from 'prosemirror-model';
import { liftListItem, splitListItem, wrapInList } from 'prosemirror-schema-list';
import { type Command, EditorState, NodeSelection, Plugin, PluginKey, TextSelection } from 'prosemirror-state';
import { Decoration, DecorationSet, EditorView } from 'prosemirror-view';

const fieldAttrs = {
  ref: { default: null },
  capitalize: { default: false },
  josa: { default: null },
  expr: { default: null },
  /** What the field shows (its value in this column's language); not part of the stored text. */
  value: { default: '' },
  label: { default: '' },
};

function schemaFor(inline: boolean): Schema {
  return new Schema({
    nodes: {
      doc: { content: inline ? 'paragraph' : 'block+' },
      paragraph: { group: 'block', content: 'inline*', toDOM: () => ['p', 0], parseDOM: [{ tag: 'p' }] },
      bullet_list: { group: 'block', content: '(list_item | list_field)+', toDOM: () => ['ul', 0], parseDOM: [{ tag: 'ul' }] },
      ordered_list: { group: 'block', content: '(list_item | list_field)+', toDOM: () => ['ol', 0], parseDOM: [{ tag: 'ol' }] },
      list_item: { content: 'paragraph', defining: true, toDOM: () => ['li', 0], parseDOM: [{ tag: 'li' }] },
      list_field: {
        atom: true,
        selectable: true,
        attrs: { ref: { default: '' }, sep: { default: '' }, end: { default: '' }, values: { default: [] }, label: { default: '' } },
        // One item per entry, in the column's language; the field is one atom all the same.
        toDOM: (node) => {
          const values = node.attrs.values as string[];
          const items = values.length > 0 ? values : [`[${node.attrs.label || node.attrs.ref}]`];
          return [
            'li',
            { class: 'field--list', contenteditable: 'false', 'data-ref': node.attrs.ref, title: node.attrs.label },
            ...items.map((value, index) => [
              'span',
              { class: 'field field__item' },
              `${value}${values.length === 0 ? '' : index + 1 < items.length ? node.attrs.sep : node.attrs.end}`,
            ]),
          ];
        },
      },
      text: { group: 'inline' },
      field: {
        inline: true,
        group: 'inline',
        atom: true,
        selectable: true,
        attrs: fieldAttrs,
        toDOM: (node) => [
          'span',
          { class: 'field', contenteditable: 'false', 'data-ref': node.attrs.ref ?? '', title: node.attrs.label || node.attrs.ref || '' },
          node.attrs.value || node.attrs.ref || '',
        ],
      },
    },
  });
}

// The editable format, written from the document.
const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (text: string) => escapeText(text).replace(/"/g, '&quot;');

function inlineText(node: PmNode): string {
  let out = '';
  node.forEach((child) => {
    if (child.isText) out += escapeText(child.text ?? '');
    else if (child.type.name === 'field') {
      const { ref, capitalize, josa: particle, expr } = child.attrs;
      const attributes = [
        ref && `ref="${escapeAttribute(ref)}"`,
        capitalize && 'capitalize',
        particle && `josa="${escapeAttribute(particle)}"`,
        expr && `expr="${escapeAttribute(expr)}"`,
      ].filter(Boolean);
      out += `<field ${attributes.join(' ')}/>`;
    }
  });
  return out;
}

export function toEditableText(doc: PmNode, inline: boolean): string {
  if (inline) return inlineText(doc.firstChild!);
  const blocks: string[] = [];
  doc.forEach((block) => {
    if (block.type.name === 'paragraph') {
      blocks.push(`<p>${inlineText(block)}</p>`);
      return;
    }
    const tag = block.type.name === 'ordered_list' ? 'ol' : 'ul';
    const entries: string[] = [];
    block.forEach((entry) => {
      if (entry.type.name === 'list_item') entries.push(`<li>${inlineText(entry.firstChild!)}</li>`);
      else {
        const { ref, sep, end } = entry.attrs;
        entries.push(`<field ref="${escapeAttribute(ref)}" list${sep ? ` sep="${sep}"` : ''}${end ? ` end="${end}"` : ''}/>`);
      }
    });
    blocks.push(`<${tag}>\n${entries.join('\n')}\n</${tag}>`);
  });
  return blocks.join('\n');
}

/** The value a field shows, from the menu's value: with its particle (after the last syllable) or capital. */
function shownValue(value: string, particle: string | null, capitalize: boolean): string {
  if (particle) return josa(value, particle as Parameters<typeof josa>[1]);
  return capitalize ? value.charAt(0).toLocaleUpperCase() + value.slice(1) : value;
}

// ---------------------------------------------------------------------------------------------------
// Inline marks: the changes since my last approval and each open suggestion, placed in the text.

/** A word diff from the server (desk-view.ts deskMarks): its unchanged and deleted runs are the current text. */
interface DiffRun {
  readonly value: string;
  readonly added: boolean;
  readonly removed: boolean;
}
interface Mark {
  readonly kind: 'since' | 'suggestion';
  readonly id?: number;
  readonly label: string;
  readonly runs: readonly DiffRun[];
}

/** A stretch of the text as a reader reads it, and where it sits in the document; a field is one atom. */
interface Segment {
  readonly start: number;
  readonly end: number;
  readonly from: number;
  readonly to: number;
  readonly atom: boolean;
}

/**
 * The document read as the server's word diffs read it (editable-text.ts plainText): each paragraph,
 * list item and list value on a line of its own, a field as the value it shows.
 */
export function readableMap(doc: PmNode): { text: string; segments: Segment[] } {
  let text = '';
  const segments: Segment[] = [];
  let lines = 0;
  const newline = () => {
    if (lines++ > 0) text += '\n';
  };
  const push = (value: string, from: number, to: number, atom: boolean) => {
    segments.push({ start: text.length, end: text.length + value.length, from, to, atom });
    text += value;
  };
  const line = (block: PmNode, contentStart: number) => {
    newline();
    block.forEach((child, offset) => {
      const at = contentStart + offset;
      if (child.isText) push(child.text ?? '', at, at + child.nodeSize, false);
      else if (child.type.name === 'field') push(String(child.attrs.value || child.attrs.ref || ''), at, at + 1, true);
    });
  };
  doc.forEach((block, offset) => {
    if (block.type.name === 'paragraph') {
      line(block, offset + 1);
      return;
    }
    block.forEach((entry, entryOffset) => {
      const at = offset + 1 + entryOffset;
      if (entry.type.name === 'list_item') line(entry.firstChild!, at + 2);
      else {
        newline();
        push((entry.attrs.values as string[]).join('\n'), at, at + entry.nodeSize, true);
      }
    });
  });
  return { text, segments };
}

/** The document position of a place in the readable text; `end` tells which side of an atom. */
function positionAt(segments: readonly Segment[], offset: number, end: boolean): number {
  let found: Segment | undefined;
  for (const segment of segments) {
    if (segment.start > offset || (end && segment.start === offset && segment.end > offset && found)) break;
    found = segment;
  }
  if (!found) return 1;
  if (found.atom) return offset <= found.start && !end ? found.from : found.to;
  return found.from + Math.min(offset - found.start, found.end - found.start);
}

function element(tag: string, attributes: Record<string, string>, text: string): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.textContent = text;
  return node;
}

/**
 * The decorations of every mark that fits the document. A suggestion deletes ranges of the current
 * text (struck through) and inserts text at places (shown as inserted, not part of the document); the
 * changes since my approval are the other way round: what is new is in the text (marked), what was
 * there is shown struck through. Each suggestion has a badge at its first change that leads to its
 * actions beside the text.
 */
function markDecorations(doc: PmNode, marks: readonly Mark[], onBadge: (id: number) => void): { set: DecorationSet; placed: Set<number> } {
  const { text, segments } = readableMap(doc);
  const decorations: Decoration[] = [];
  const placed = new Set<number>();
  for (const mark of marks) {
    const suggestion = mark.kind === 'suggestion';
    const inText = (run: DiffRun) => (suggestion ? !run.added : !run.removed);
    if (
      mark.runs
        .filter(inText)
        .map((run) => run.value)
        .join('') !== text
    )
      continue;
    const tone = suggestion ? 'desk-mark--suggestion' : 'desk-mark--since';
    const spec = { mark: mark.id ?? 0, label: mark.label };
    const data = { title: mark.label, ...(mark.id !== undefined && { 'data-suggestion': String(mark.id) }) };
    let offset = 0;
    let badged = false;
    const badge = (at: number) => {
      if (badged || mark.id === undefined) return;
      badged = true;
      const id = mark.id;
      decorations.push(
        Decoration.widget(
          at,
          () => {
            const button = element(
              'button',
              { type: 'button', class: 'desk-mark__badge', tabindex: '-1', title: mark.label, 'aria-label': mark.label },
              `✎${id}`,
            );
            button.addEventListener('click', (event) => {
              event.preventDefault();
              onBadge(id);
            });
            return button;
          },
          { side: -1, stopEvent: () => true, ignoreSelection: true, key: `badge-${id}`, ...spec },
        ),
      );
    };
    for (const run of mark.runs) {
      const changed = run.added || run.removed;
      const visible = run.value.trim() !== '';
      if (changed && inText(run)) {
        // Part of the current text: deleted by the suggestion, or new since my approval.
        const from = positionAt(segments, offset, false);
        const to = positionAt(segments, offset + run.value.length, true);
        if (visible && to > from) {
          badge(from);
          decorations.push(
            Decoration.inline(from, to, { nodeName: suggestion ? 'del' : 'ins', class: `desk-mark ${tone}`, ...data }, spec),
          );
        }
      } else if (changed && visible) {
        // Not in the current text: inserted by the suggestion, or gone since my approval.
        const at = positionAt(segments, offset, true);
        badge(at);
        const shown = element(suggestion ? 'ins' : 'del', { class: `desk-mark desk-mark--widget ${tone}`, ...data }, run.value);
        decorations.push(
          Decoration.widget(at, shown, { side: 1, marks: [], key: `${mark.kind}-${mark.id ?? 0}-${offset}-${run.value}`, ...spec }),
        );
      }
      if (inText(run)) offset += run.value.length;
    }
    if (mark.id !== undefined) placed.add(mark.id);
  }
  return { set: DecorationSet.create(doc, decorations), placed };
}

const marksKey = new PluginKey<DecorationSet>('desk-marks');

/**
 * The marks, kept in place as the text is edited. Where the cursor enters a marked change, a polite
 * live region says whose change it is and when (and, for a suggestion, that Alt+Enter leads to its
 * actions), and the suggestion beside the text is highlighted.
 */
function marksPlugin(decorations: DecorationSet, live: HTMLElement, hint: string): Plugin<DecorationSet> {
  return new Plugin<DecorationSet>({
    key: marksKey,
    state: {
      init: () => decorations,
      apply: (tr, set) => set.map(tr.mapping, tr.doc),
    },
    props: { decorations: (state) => marksKey.getState(state) },
    view: () => {
      let said = '';
      let highlighted: HTMLElement | null = null;
      return {
        update: (view) => {
          const found = view.hasFocus() ? markAt(view.state) : undefined;
          const saying = found ? (found.mark ? `${found.label}. ${hint}` : found.label) : '';
          if (saying !== said) live.textContent = said = saying;
          const card = found?.mark ? document.getElementById(`suggestion-${found.mark}`) : null;
          if (card !== highlighted) {
            highlighted?.classList.remove('suggestion--current');
            card?.classList.add('suggestion--current');
            highlighted = card;
          }
        },
      };
    },
  });
}

/** The mark (a suggestion's, or the changes since my approval) where the cursor is. */
function markAt(state: EditorState): { mark: number; label: string } | undefined {
  const { from, to } = state.selection;
  const [found] = marksKey.getState(state)?.find(Math.max(0, from - 1), to + 1, (spec) => typeof spec.label === 'string') ?? [];
  return found && { mark: found.spec.mark as number, label: found.spec.label as string };
}

/** The suggestion marked where the cursor is, if any. */
function markedAt(state: EditorState): number | undefined {
  return markAt(state)?.mark || undefined;
}

/** The suggestion's actions beside the text: its first button, or the suggestion itself. */
function focusSuggestion(id: number): void {
  const card = document.getElementById(`suggestion-${id}`);
  if (!card) return;
  card.scrollIntoView({ block: 'nearest' });
  const target = card.querySelector<HTMLElement>('.suggestion__actions form button') ?? card;
  target.focus();
}

/**
 * A list field (one item per entry of a list in the agreement's data) stands in a list: after the list
 * item the cursor is in (replacing it when empty), or as a new bulleted list after the current
 * paragraph (replacing it when empty). Items end with ";" and the last with ".", as the library writes them.
 */
function insertListField(view: EditorView, schema: Schema, option: HTMLOptionElement): void {
  const field = schema.nodes.list_field!.create({
    ref: option.value,
    sep: ';',
    end: '.',
    values: JSON.parse(option.dataset.values ?? '[]') as string[],
    label: option.dataset.label ?? option.value,
  });
  const { state } = view;
  const { $from } = state.selection;
  let tr = state.tr;
  let listDepth = -1;
  for (let depth = $from.depth; depth > 0; depth--) {
    const name = $from.node(depth).type.name;
    if (name === 'bullet_list' || name === 'ordered_list') {
      listDepth = depth;
      break;
    }
  }
  let at: number;
  if (listDepth > 0 && $from.depth > listDepth) {
    const item = $from.node(listDepth + 1);
    const from = $from.before(listDepth + 1);
    if (item.textContent === '' && item.childCount === 1 && item.firstChild!.childCount === 0) {
      tr = tr.replaceWith(from, from + item.nodeSize, field);
    } else tr = tr.insert($from.after(listDepth + 1), field);
    at = tr.mapping.map(from, item.textContent === '' ? -1 : 1);
  } else {
    const block = $from.node(1);
    const from = $from.before(1);
    const list = schema.nodes.bullet_list!.create(null, field);
    if (block.type.name === 'paragraph' && block.childCount === 0) tr = tr.replaceWith(from, from + block.nodeSize, list);
    else tr = tr.insert($from.after(1), list);
    at = tr.mapping.map(from, -1);
  }
  // Select the inserted field, so that it is seen and can be removed at once.
  let fieldPos = -1;
  tr.doc.nodesBetween(Math.max(0, at - 1), tr.doc.content.size, (node, pos) => {
    if (fieldPos >= 0) return false;
    if (node === field || (node.type.name === 'list_field' && node.attrs.ref === option.value && pos >= at - 1)) fieldPos = pos;
    return fieldPos < 0;
  });
  if (fieldPos >= 0) tr = tr.setSelection(NodeSelection.create(tr.doc, fieldPos));
  view.dispatch(tr.scrollIntoView());
}

function mount(column: HTMLElement): void {
  const host = column.querySelector<HTMLElement>('.desk-editor');
  // Without a form the reader may not write: the editor shows the text and its marks, read only.
  const form = column.querySelector<HTMLFormElement>('form.desk-form');
  if (!host) return;
  const inline = host.dataset.inline === 'true';
  const schema = schemaFor(inline);
  const doc = schema.nodeFromJSON(JSON.parse(host.dataset.doc ?? '{}'));
  const listItem = schema.nodes.list_item!;
  const commands: Record<string, Command> = {
    paragraph: inline ? () => false : chainCommands(liftListItem(listItem), setBlockType(schema.nodes.paragraph!)),
    bullets: inline ? () => false : wrapInList(schema.nodes.bullet_list!),
    numbers: inline ? () => false : wrapInList(schema.nodes.ordered_list!),
    undo,
    redo,
  };
  const editable = form !== null;
  const marks = JSON.parse(host.dataset.marks ?? '[]') as Mark[];
  const { set, placed } = markDecorations(doc, marks, focusSuggestion);
  const live = document.createElement('p');
  live.className = 'visually-hidden desk-mark-status';
  live.setAttribute('aria-live', 'polite');
  host.after(live);
  const view = new EditorView(host, {
    editable: () => editable,
    state: EditorState.create({
      doc,
      plugins: [
        marksPlugin(set, live, host.dataset.markHint ?? ''),
        history(),
        keymap({
          // From a marked change to its actions beside the text (accept, reject, withdraw).
          'Alt-Enter': (state) => {
            const id = markedAt(state);
            if (id === undefined) return false;
            focusSuggestion(id);
            return true;
          },
          'Mod-z': undo,
          'Mod-y': redo,
          'Shift-Mod-z': redo,
          ...(inline ? { Enter: () => true } : { Enter: splitListItem(listItem) }),
        }),
        keymap(baseKeymap),
      ],
    }),
    attributes: {
      class: 'desk-editor__surface',
      lang: host.dataset.lang ?? '',
      role: 'textbox',
      'aria-multiline': String(!inline),
      'aria-readonly': String(!editable),
      'aria-label': host.dataset.label ?? '',
      spellcheck: 'true',
    },
  });
  // "live": the reader may write here; "mounted": the editor shows the text (and its marks) either way.
  host.classList.add('desk-editor--mounted');
  if (editable) host.classList.add('desk-editor--live');
  column.querySelector('.desk-readonly')?.remove();
  if (marks.length > 0) host.classList.add('desk-editor--marked');

  // Each suggestion marked in the text: "show in text" beside it puts the cursor on its first change.
  for (const id of placed) {
    const show = document.querySelector<HTMLButtonElement>(`#suggestion-${id} .suggestion__show`);
    if (!show) continue;
    show.hidden = false;
    show.addEventListener('click', (event) => {
      event.preventDefault();
      const first = marksKey
        .getState(view.state)
        ?.find(undefined, undefined, (spec) => spec.mark === id)
        .sort((a, b) => a.from - b.from)[0];
      if (!first) return;
      // Focus first, so that the change is announced where the cursor lands.
      view.focus();
      view.dispatch(view.state.tr.setSelection(TextSelection.near(view.state.doc.resolve(first.from))).scrollIntoView());
    });
  }

  for (const button of column.querySelectorAll<HTMLButtonElement>('.desk-tool[data-command]')) {
    button.hidden = false;
    button.addEventListener('click', (event) => {
      event.preventDefault();
      commands[button.dataset.command!]?.(view.state, view.dispatch, view);
      view.focus();
    });
  }

  const menu = column.querySelector<HTMLElement>('.desk-fields');
  if (menu) {
    menu.hidden = false;
    const select = menu.querySelector<HTMLSelectElement>('select.desk-field-select')!;
    const particle = menu.querySelector<HTMLSelectElement>('select.desk-josa');
    const capital = menu.querySelector<HTMLInputElement>('input.desk-capitalize');
    menu.querySelector('button.desk-insert-field')?.addEventListener('click', (event) => {
      event.preventDefault();
      const option = select.selectedOptions[0];
      if (!option?.value) return;
      if (option.dataset.kind === 'list') {
        insertListField(view, schema, option);
        view.focus();
        return;
      }
      const form = particle?.value || null;
      const capitalize = !form && Boolean(capital?.checked);
      const value = option.dataset.value ?? '';
      const field = schema.nodes.field!.create({
        ref: option.value,
        josa: form,
        capitalize,
        value: shownValue(value, form, capitalize),
        label: option.dataset.label ?? option.value,
      });
      view.dispatch(view.state.tr.replaceSelectionWith(field, false).scrollIntoView());
      view.focus();
    });
  }

  if (!form) return;
  form.addEventListener(
    'submit',
    () => {
      const text = form.querySelector<HTMLInputElement>('input[name="text"]');
      if (text) text.value = toEditableText(view.state.doc, inline);
    },
    { capture: true },
  );
  form.querySelector<HTMLElement>('.desk-save')?.removeAttribute('hidden');
}

for (const column of document.querySelectorAll<HTMLElement>('.desk-column')) mount(column);
