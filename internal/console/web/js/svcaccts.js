// Service accounts: keys derived from a user, with at most its rights,
// optionally narrowed by their own policy and ending at an expiry. List
// them for yourself or (with admin:ListUsers) for a user, create one (its
// secret shown once), enable/disable, delete. With selfOnly it is the
// "Access keys" page of a user without admin rights: its own accounts.

import { call, adminPath, qs } from './api.js';
import { h, icon, replace, button, date, dateTitle, toast, confirmDialog } from './ui.js';
import { secretDialog, formDialog, statusBadge } from './iamkit.js';
import { docEditor } from './editor.js';

const acctPath = (key) => adminPath(`iam/svcaccts/${encodeURIComponent(key)}`);

export async function show(root, { session, perms = {}, selfOnly = false }) {
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading service accounts…');
  const tbody = h('tbody');
  const owner = h('select', { id: 'svcacct-user', onchange: () => load() }, h('option', { value: '' }, `Yourself (${session.accessKey})`));
  if (perms['admin:ListUsers'] && !selfOnly) {
    try {
      for (const u of await call('GET', adminPath('iam/users'))) owner.append(h('option', { value: u.accessKey }, u.accessKey));
    } catch {
      // only your own accounts then
    }
  }
  const create = button('Create service account', { iconName: 'plus', cls: 'btn btn-primary', onclick: () => createDialog(), attrs: { id: 'create-svcacct' } });
  if (selfOnly) document.title = 'Access keys · Hoard';
  replace(root,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, selfOnly ? 'Your access keys' : 'Service accounts'), status),
      h('div', { class: 'actions' }, button('Refresh', { iconName: 'refresh', iconOnly: true, onclick: () => load() }), create)),
    selfOnly ? h('p', { class: 'muted' }, 'Keys for your applications (service accounts): each can do at most what you may, and less if you give it its own policy or an expiry.')
      : h('div', { class: 'toolbar' }, h('div', { class: 'field field-inline' }, h('label', { for: 'svcacct-user' }, 'Accounts of'), owner)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'svcaccts' },
      h('caption', { class: 'sr-only' }, 'Service accounts'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Access key'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Expires'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Own policy'),
        h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions')))),
      tbody)),
    h('p', { class: 'muted small hint' }, 'A service account can never do more than its user, whatever its own policy says.'));

  async function load() {
    try {
      const list = await call('GET', `${adminPath('iam/svcaccts')}${qs({ user: owner.value })}`);
      status.textContent = list.length === 1 ? '1 service account' : `${list.length} service accounts`;
      replace(tbody, list.length ? list.map(row)
        : h('tr', {}, h('td', { colspan: 6, class: 'empty-cell' }, icon('key', 'empty-icon'), h('p', {}, 'No service accounts yet.'))));
    } catch (e) {
      status.textContent = '';
      replace(tbody, h('tr', {}, h('td', { colspan: 6, class: 'error-cell' }, icon('warn'), e.message)));
    }
  }

  function row(a) {
    const enabled = a.status === 'enabled';
    return h('tr', { dataset: { key: a.accessKey } },
      h('th', { scope: 'row' }, h('span', { class: 'mono' }, a.accessKey)),
      h('td', {}, a.name || '—'),
      h('td', {}, statusBadge(a.status)),
      h('td', {}, a.expiry ? h('time', { datetime: dateTitle(a.expiry), title: dateTitle(a.expiry) }, date(a.expiry)) : 'Never'),
      h('td', { class: 'hide-narrow' }, a.policy ? 'Yes' : 'No (as its user)'),
      h('td', { class: 'actions-col' }, h('div', { class: 'row-actions' },
        button(enabled ? 'Disable' : 'Enable', { cls: 'btn btn-small', onclick: () => setStatus(a.accessKey, !enabled), attrs: { 'aria-label': `${enabled ? 'Disable' : 'Enable'} service account ${a.accessKey}` } }),
        button(`Delete service account ${a.accessKey}`, { iconName: 'trash', iconOnly: true, cls: 'btn btn-ghost btn-danger-ghost', onclick: () => remove(a.accessKey), attrs: { dataset: { act: 'delete' } } }))));
  }

  function createDialog() {
    const name = h('input', { id: 'svcacct-name', autocomplete: 'off', maxlength: '32' });
    const desc = h('input', { id: 'svcacct-desc', autocomplete: 'off', maxlength: '256' });
    const expiry = h('input', { id: 'svcacct-expiry', type: 'date', min: new Date(Date.now() + 86400000).toISOString().slice(0, 10) });
    const editor = docEditor({ id: 'svcacct-policy', label: 'Own policy (optional JSON; empty: the user\'s rights)', rows: 8,
      hint: 'It can only narrow the user\'s rights. The server checks it with its policy parser.' });
    const parent = owner.value;
    formDialog({
      title: `New service account for ${parent || session.accessKey}`, id: 'svcacct-form', submitLabel: 'Create', wide: true,
      fields: [
        h('div', { class: 'field' }, h('label', { for: 'svcacct-name' }, 'Name (optional)'), name),
        h('div', { class: 'field' }, h('label', { for: 'svcacct-desc' }, 'Description (optional)'), desc),
        h('div', { class: 'field' }, h('label', { for: 'svcacct-expiry' }, 'Expires on (optional, end of that day UTC)'), expiry),
        editor.el,
      ],
      async onsubmit({ close }) {
        const body = { name: name.value.trim() || undefined, description: desc.value.trim() || undefined };
        if (parent) body.parent = parent;
        if (expiry.value) body.expiry = `${expiry.value}T23:59:59Z`;
        if (editor.value().trim()) body.policy = editor.value();
        let res;
        try {
          res = await call('POST', adminPath('iam/svcaccts'), body);
        } catch (e) {
          if (e.status === 400 && (e.body.line || e.code === 'MalformedPolicy')) {
            editor.showError(e);
            return;
          }
          throw e;
        }
        close();
        secretDialog({ title: 'Service account created', accessKey: res.accessKey, secretKey: res.secretKey,
          note: res.expiry ? `It stops working on ${date(res.expiry)}.` : '' });
        load();
      },
    });
  }

  async function setStatus(key, enable) {
    try {
      await call('POST', acctPath(key), { status: enable ? 'enabled' : 'disabled' });
      toast(`Service account ${key} ${enable ? 'enabled' : 'disabled'}.`);
    } catch (e) {
      toast(e.message, 'error');
    }
    load();
  }

  async function remove(key) {
    const ok = await confirmDialog({ title: 'Delete service account', message: `Delete ${key}? Applications using it lose access at once.`, confirmLabel: 'Delete', danger: true });
    if (!ok) return;
    try {
      await call('DELETE', acctPath(key));
      toast(`Service account ${key} deleted.`);
    } catch (e) {
      toast(e.message, 'error');
    }
    load();
  }

  await load();
  return null;
}
