// Helpers shared by the identity pages: the once-only secret dialog, a
// form dialog, and the checkbox list used to pick users and policies.

import { h, button, modal, toast } from './ui.js';

// secretDialog shows new credentials once, with copy buttons; the secret
// is not kept anywhere and cannot be shown again.
export function secretDialog({ title, accessKey, secretKey, note = '' }) {
  const row = (label, id, value) => {
    const input = h('input', { id, value, readOnly: true, spellcheck: 'false', class: 'mono' });
    const copy = button(`Copy ${label.toLowerCase()}`, {
      iconName: 'copy', iconOnly: true, onclick: async () => {
        try {
          await navigator.clipboard.writeText(value);
          toast(`${label} copied.`);
        } catch {
          input.select();
        }
      },
    });
    return h('div', { class: 'field' }, h('label', { for: id }, label), h('div', { class: 'input-with-button' }, input, copy));
  };
  const done = button('I have saved the secret', { cls: 'btn btn-primary', onclick: () => dlg.close(), attrs: { id: 'secret-done' } });
  const dlg = modal({
    title,
    body: h('div', { class: 'stack', id: 'secret-shown' },
      h('p', { class: 'callout callout-warn' }, 'Copy the secret key now. It is shown only this once: the server keeps it encrypted and will not show it again.'),
      row('Access key', 'shown-access-key', accessKey),
      row('Secret key', 'shown-secret-key', secretKey),
      note ? h('p', { class: 'muted small' }, note) : null),
    actions: [done],
  });
  done.focus();
  return dlg;
}

// formDialog opens a dialog around form fields with a submit button; submit
// gets {close, fail(message)} and may be async.
export function formDialog({ title, id, fields, submitLabel, onsubmit, wide = false, danger = false }) {
  const err = h('p', { class: 'form-error', id: `${id}-error`, role: 'alert' });
  const submit = h('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn btn-primary', form: id, id: `${id}-submit` }, submitLabel);
  const form = h('form', { id, class: 'stack', novalidate: true }, fields, err);
  const cancel = button('Cancel', { onclick: () => dlg.close() });
  const dlg = modal({ title, body: form, actions: [cancel, submit], cls: wide ? 'modal-wide' : '' });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    submit.disabled = true;
    try {
      await onsubmit({ close: () => dlg.close(), fail: (m) => { err.textContent = m; } });
    } catch (ex) {
      err.textContent = ex.message;
    } finally {
      submit.disabled = false;
    }
  });
  const first = form.querySelector('input:not([type=checkbox]), select, textarea');
  if (first) first.focus();
  return dlg;
}

// checkList is a fieldset of checkboxes: items [{value, label}], checked a
// Set of values; its chosen() returns the ticked values.
export function checkList({ legend, name, items, checked = new Set(), empty = 'None yet.' }) {
  const boxes = items.map((it, i) => {
    const id = `${name}-${i}`;
    const box = h('input', { type: 'checkbox', id, value: it.value, checked: checked.has(it.value), dataset: { value: it.value } });
    return h('div', { class: 'check' }, box, h('label', { for: id }, it.label || it.value));
  });
  const el = h('fieldset', { class: 'check-list', id: `${name}-list` }, h('legend', {}, legend), boxes.length ? boxes : h('p', { class: 'muted small' }, empty));
  return {
    el,
    chosen: () => [...el.querySelectorAll('input[type=checkbox]')].filter((b) => b.checked).map((b) => b.value),
  };
}

// newSecret returns a random 40-character secret key.
export function newSecret() {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  const buf = new Uint8Array(64);
  while (out.length < 40) {
    crypto.getRandomValues(buf);
    // 248 = 4 * 62: bytes past it are dropped so every character is as likely.
    for (const b of buf) if (b < 248 && out.length < 40) out += chars[b % 62];
  }
  return out;
}

// statusBadge shows "enabled" or "disabled".
export function statusBadge(status) {
  return h('span', { class: `badge status-${status === 'enabled' ? 'enabled' : 'disabled'}` }, status);
}

// chips lists names, or a dash.
export function chips(names) {
  return names && names.length ? names.join(', ') : '—';
}
