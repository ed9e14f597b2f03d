// A text editor for policy (JSON) and CORS (XML) documents. It does not
// judge the document itself: the server parses it with its own parser, and
// when it refuses one, the editor shows the server's message and, for a
// syntax error, the line and column, with the caret placed there.

import { h } from './ui.js';

// offsetOf returns the index in text of a 1-based line and column (the
// server counts columns in bytes; documents are ASCII in practice).
export function offsetOf(text, line, column) {
  const lines = text.split('\n');
  let at = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) at += lines[i].length + 1;
  return Math.min(at + Math.max(column - 1, 0), text.length);
}

// docEditor returns {el, textarea, value(), set(text), showError(err),
// clearError()}; id names the textarea, label is its visible label.
export function docEditor({ id, label, value = '', hint = '', rows = 14, readOnly = false }) {
  const err = h('p', { class: 'form-error', id: `${id}-error`, role: 'alert' });
  const pos = h('span', { class: 'muted small editor-pos', id: `${id}-pos`, 'aria-live': 'off' });
  const textarea = h('textarea', {
    id, class: 'code-editor', rows: String(rows), spellcheck: 'false', autocapitalize: 'none', autocomplete: 'off',
    'aria-describedby': `${id}-hint ${id}-error`, 'aria-invalid': 'false', readOnly,
  });
  textarea.value = value;
  const where = () => {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const line = before.split('\n').length;
    pos.textContent = `Line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
  };
  textarea.addEventListener('keyup', where);
  textarea.addEventListener('click', where);
  textarea.addEventListener('input', () => {
    textarea.setAttribute('aria-invalid', 'false');
    err.textContent = '';
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey && !readOnly && !e.ctrlKey && !e.altKey && !e.metaKey && textarea.dataset.tabs === 'on') {
      e.preventDefault();
      textarea.setRangeText('  ', textarea.selectionStart, textarea.selectionEnd, 'end');
    }
  });
  const el = h('div', { class: 'field editor' },
    h('div', { class: 'editor-head' }, h('label', { for: id }, label), pos),
    textarea,
    h('p', { class: 'muted small', id: `${id}-hint` }, hint),
    err);
  return {
    el,
    textarea,
    value: () => textarea.value,
    set(text) {
      textarea.value = text;
      this.clearError();
    },
    // showError shows a refusal; err.body.line/column place the caret.
    showError(e) {
      const b = (e && e.body) || {};
      textarea.setAttribute('aria-invalid', 'true');
      if (b.line) {
        // The server's message names the position too; it is said once, first.
        err.textContent = `Line ${b.line}, column ${b.column}: ${e.message.replace(/line \d+, column \d+: /, '')}`;
        const at = offsetOf(textarea.value, b.line, b.column);
        textarea.focus();
        textarea.setSelectionRange(at, Math.min(at + 1, textarea.value.length));
        where();
      } else {
        err.textContent = e.message;
      }
      err.dataset.line = b.line ? String(b.line) : '';
      err.dataset.column = b.column ? String(b.column) : '';
    },
    clearError() {
      textarea.setAttribute('aria-invalid', 'false');
      err.textContent = '';
    },
  };
}

// pretty re-indents a JSON document for reading; text that does not parse
// is returned unchanged.
export function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
