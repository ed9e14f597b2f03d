// Users: list, create, enable/disable, reset the secret (shown once),
// attach/detach policies, delete.

import { call, adminPath } from './api.js';
import { h, icon, replace, button, date, dateTitle, toast, confirmDialog, announce } from './ui.js';
import { secretDialog, formDialog, checkList, newSecret, statusBadge, chips } from './iamkit.js';

const userPath = (name) => adminPath(`iam/users/${encodeURIComponent(name)}`);

export async function show(root, { perms }) {
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading users…');
  const tbody = h('tbody');
  const create = perms['admin:CreateUser']
    ? button('Create user', { iconName: 'plus', cls: 'btn btn-primary', onclick: () => createDialog(), attrs: { id: 'create-user' } }) : null;
  replace(root,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Users'), status),
      h('div', { class: 'actions' }, button('Refresh', { iconName: 'refresh', iconOnly: true, onclick: () => load() }), create)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'users' },
      h('caption', { class: 'sr-only' }, 'Users'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Access key'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Policies'),
        h('th', { scope: 'col', class: 'hide-narrow' }, 'Groups'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Created'),
        h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions')))),
      tbody)),
    h('p', { class: 'muted small hint' }, 'A user signs in and signs S3 requests with its access key and secret key; its policies, and those of its groups, say what it may do.'));

  async function load() {
    try {
      const list = await call('GET', adminPath('iam/users'));
      status.textContent = list.length === 1 ? '1 user' : `${list.length} users`;
      replace(tbody, list.length ? list.map(row)
        : h('tr', {}, h('td', { colspan: 6, class: 'empty-cell' }, icon('users', 'empty-icon'), h('p', {}, 'No users yet.'))));
    } catch (e) {
      status.textContent = '';
      replace(tbody, h('tr', {}, h('td', { colspan: 6, class: 'error-cell' }, icon('warn'), e.message)));
    }
  }

  function row(u) {
    const enabled = u.status === 'enabled';
    const name = u.accessKey;
    const acts = [];
    if (perms[enabled ? 'admin:DisableUser' : 'admin:EnableUser']) {
      acts.push(button(enabled ? 'Disable' : 'Enable', { cls: 'btn btn-small', onclick: () => setStatus(name, !enabled), attrs: { 'aria-label': `${enabled ? 'Disable' : 'Enable'} user ${name}`, dataset: { act: 'status' } } }));
    }
    if (perms['admin:AttachUserOrGroupPolicy']) {
      acts.push(button(`Policies of ${name}`, { iconName: 'lock', iconOnly: true, cls: 'btn btn-ghost', onclick: () => policiesDialog(u), attrs: { dataset: { act: 'policies' } } }));
    }
    if (perms['admin:ResetUserSecret']) {
      acts.push(button(`Reset the secret key of ${name}`, { iconName: 'key', iconOnly: true, cls: 'btn btn-ghost', onclick: () => resetSecret(name), attrs: { dataset: { act: 'secret' } } }));
    }
    if (perms['admin:DeleteUser']) {
      acts.push(button(`Delete user ${name}`, { iconName: 'trash', iconOnly: true, cls: 'btn btn-ghost btn-danger-ghost', onclick: () => remove(name), attrs: { dataset: { act: 'delete' } } }));
    }
    return h('tr', { dataset: { user: name } },
      h('th', { scope: 'row' }, h('span', { class: 'mono' }, name)),
      h('td', {}, statusBadge(u.status)),
      h('td', { class: 'policies' }, chips(u.policies)),
      h('td', { class: 'hide-narrow' }, chips(u.groups)),
      h('td', { class: 'hide-narrow' }, h('time', { datetime: dateTitle(u.created), title: dateTitle(u.created) }, date(u.created))),
      h('td', { class: 'actions-col' }, h('div', { class: 'row-actions' }, acts)));
  }

  function createDialog() {
    const key = h('input', { id: 'new-user-key', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', required: true, maxlength: '128' });
    const secret = h('input', { id: 'new-user-secret', autocomplete: 'off', spellcheck: 'false', value: newSecret(), required: true, class: 'mono' });
    formDialog({
      title: 'Create a user', id: 'create-user-form', submitLabel: 'Create user',
      fields: [
        h('div', { class: 'field' }, h('label', { for: 'new-user-key' }, 'Access key (the user name)'), key),
        h('div', { class: 'field' }, h('label', { for: 'new-user-secret' }, 'Secret key (8 to 40 characters; a random one is filled in)'), secret),
        h('p', { class: 'muted small' }, 'The new user has no policy, so it may do nothing until you attach one.'),
      ],
      async onsubmit({ close, fail }) {
        if (!key.value.trim() || !secret.value) {
          fail('Enter an access key and a secret key.');
          return;
        }
        await call('POST', adminPath('iam/users'), { accessKey: key.value.trim(), secretKey: secret.value });
        close();
        secretDialog({ title: `User ${key.value.trim()} created`, accessKey: key.value.trim(), secretKey: secret.value });
        announce(`User ${key.value.trim()} created.`);
        load();
      },
    });
  }

  async function setStatus(name, enable) {
    try {
      await call('POST', `${userPath(name)}/${enable ? 'enable' : 'disable'}`, {});
      toast(`User ${name} ${enable ? 'enabled' : 'disabled'}.`);
    } catch (e) {
      toast(e.message, 'error');
    }
    load();
  }

  async function resetSecret(name) {
    const ok = await confirmDialog({ title: 'Reset secret key', message: `Give ${name} a new secret key? The old one, and every session made with it, stops working at once.`, confirmLabel: 'Reset secret key', danger: true });
    if (!ok) return;
    try {
      const res = await call('POST', `${userPath(name)}/secret`, {});
      secretDialog({ title: `New secret key of ${name}`, accessKey: name, secretKey: res.secretKey });
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  async function remove(name) {
    const ok = await confirmDialog({ title: 'Delete user', message: `Delete ${name}, its group memberships and its service accounts? Its keys stop working at once.`, confirmLabel: 'Delete user', danger: true });
    if (!ok) return;
    try {
      await call('DELETE', userPath(name));
      toast(`User ${name} deleted.`);
    } catch (e) {
      toast(e.message, 'error');
    }
    load();
  }

  async function policiesDialog(u) {
    let all;
    try {
      all = await call('GET', adminPath('iam/policies'));
    } catch (e) {
      toast(e.message, 'error');
      return;
    }
    const list = checkList({ legend: `Policies attached to ${u.accessKey}`, name: 'user-policy', items: all.map((p) => ({ value: p.name, label: p.builtin ? `${p.name} (built-in)` : p.name })), checked: new Set(u.policies) });
    formDialog({
      title: `Policies of ${u.accessKey}`, id: 'user-policies-form', submitLabel: 'Save',
      fields: [list.el, h('p', { class: 'muted small' }, 'Policies of the user\'s groups apply too. Changes apply on every server within a second.')],
      async onsubmit({ close }) {
        await savePolicies({ user: u.accessKey }, u.policies, list.chosen());
        close();
        toast(`Policies of ${u.accessKey} saved.`);
        load();
      },
    });
  }

  await load();
  return null;
}

// savePolicies attaches the newly chosen policies and detaches the ones no
// longer chosen, for target {user} or {group}.
export async function savePolicies(target, before, after) {
  const added = after.filter((p) => !before.includes(p));
  const removed = before.filter((p) => !after.includes(p));
  if (added.length) await call('POST', adminPath('iam/attach'), { policies: added, ...target });
  if (removed.length) await call('POST', adminPath('iam/detach'), { policies: removed, ...target });
}
