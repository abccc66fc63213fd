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
import { type Command, EditorState } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';

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
        toDOM: (node) => [
          'li',
          { class: 'field field--list', contenteditable: 'false', 'data-ref': node.attrs.ref, title: node.attrs.label },
          (node.attrs.values as string[])
            .map((value, index, all) => `${value}${index + 1 < all.length ? node.attrs.sep : node.attrs.end}`)
            .join(' · '),
        ],
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

function mount(column: HTMLElement): void {
  const host = column.querySelector<HTMLElement>('.desk-editor');
  const form = column.querySelector<HTMLFormElement>('form.desk-form');
  if (!host || !form) return;
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
  const view = new EditorView(host, {
    state: EditorState.create({
      doc,
      plugins: [
        history(),
        keymap({
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
      'aria-label': host.dataset.label ?? '',
      spellcheck: 'true',
    },
  });
  host.classList.add('desk-editor--live');
  column.querySelector('.desk-readonly')?.remove();

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
