// Groups: list, create with members, change members, attach/detach
// policies, enable/disable, delete.

import { call, adminPath } from './api.js';
import { h, icon, replace, button, toast, confirmDialog } from './ui.js';
import { formDialog, checkList, statusBadge, chips } from './iamkit.js';
import { savePolicies } from './users.js';

const groupPath = (name) => adminPath(`iam/groups/${encodeURIComponent(name)}`);

export async function show(root, { perms }) {
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading groups…');
  const tbody = h('tbody');
  const create = perms['admin:AddUserToGroup']
    ? button('Create group', { iconName: 'plus', cls: 'btn btn-primary', onclick: () => membersDialog(null), attrs: { id: 'create-group' } }) : null;
  replace(root,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Groups'), status),
      h('div', { class: 'actions' }, button('Refresh', { iconName: 'refresh', iconOnly: true, onclick: () => load() }), create)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'groups' },
      h('caption', { class: 'sr-only' }, 'Groups'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Members'),
        h('th', { scope: 'col' }, 'Policies'), h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions')))),
      tbody)),
    h('p', { class: 'muted small hint' }, 'Every member of a group gets the group\'s policies, while the group is enabled.'));

  async function load() {
    try {
      const names = await call('GET', adminPath('iam/groups'));
      const list = perms['admin:GetGroup'] ? await Promise.all(names.map((n) => call('GET', groupPath(n))))
        : names.map((name) => ({ name, members: [], policies: [], status: '' }));
      status.textContent = list.length === 1 ? '1 group' : `${list.length} groups`;
      replace(tbody, list.length ? list.map(row)
        : h('tr', {}, h('td', { colspan: 5, class: 'empty-cell' }, icon('users', 'empty-icon'), h('p', {}, 'No groups yet.'))));
    } catch (e) {
      status.textContent = '';
      replace(tbody, h('tr', {}, h('td', { colspan: 5, class: 'error-cell' }, icon('warn'), e.message)));
    }
  }

  function row(g) {
    const enabled = g.status === 'enabled';
    const acts = [];
    if (perms['admin:AddUserToGroup'] && perms['admin:RemoveUserFromGroup']) {
      acts.push(button(`Members of ${g.name}`, { iconName: 'users', iconOnly: true, cls: 'btn btn-ghost', onclick: () => membersDialog(g), attrs: { dataset: { act: 'members' } } }));
    }
    if (perms['admin:AttachUserOrGroupPolicy']) {
      acts.push(button(`Policies of ${g.name}`, { iconName: 'lock', iconOnly: true, cls: 'btn btn-ghost', onclick: () => policiesDialog(g), attrs: { dataset: { act: 'policies' } } }));
    }
    if (g.status && perms[enabled ? 'admin:DisableGroup' : 'admin:EnableGroup']) {
      acts.push(button(enabled ? 'Disable' : 'Enable', { cls: 'btn btn-small', onclick: () => setStatus(g.name, !enabled), attrs: { 'aria-label': `${enabled ? 'Disable' : 'Enable'} group ${g.name}` } }));
    }
    if (perms['admin:RemoveUserFromGroup']) {
      acts.push(button(`Delete group ${g.name}`, { iconName: 'trash', iconOnly: true, cls: 'btn btn-ghost btn-danger-ghost', onclick: () => remove(g), attrs: { dataset: { act: 'delete' } } }));
    }
    return h('tr', { dataset: { group: g.name } },
      h('th', { scope: 'row' }, g.name),
      h('td', {}, g.status ? statusBadge(g.status) : '—'),
      h('td', { class: 'members' }, chips(g.members)),
      h('td', { class: 'policies' }, chips(g.policies)),
      h('td', { class: 'actions-col' }, h('div', { class: 'row-actions' }, acts)));
  }

  // membersDialog creates a group (g null) or changes its members.
  async function membersDialog(g) {
    let users = [];
    try {
      users = (await call('GET', adminPath('iam/users'))).map((u) => u.accessKey);
    } catch (e) {
      toast(e.message, 'error');
      return;
    }
    const name = h('input', { id: 'group-name', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', required: true });
    const before = g ? g.members : [];
    const list = checkList({ legend: 'Members', name: 'group-member', items: users.map((u) => ({ value: u })), checked: new Set(before), empty: 'There are no users yet.' });
    formDialog({
      title: g ? `Members of ${g.name}` : 'Create a group', id: 'group-form', submitLabel: g ? 'Save' : 'Create group',
      fields: [g ? null : h('div', { class: 'field' }, h('label', { for: 'group-name' }, 'Group name'), name), list.el],
      async onsubmit({ close, fail }) {
        const group = g ? g.name : name.value.trim();
        if (!group) {
          fail('Enter a group name.');
          return;
        }
        const after = list.chosen();
        const added = after.filter((m) => !before.includes(m));
        const removed = before.filter((m) => !after.includes(m));
        if (added.length || !g) await call('POST', `${groupPath(group)}/members`, { members: added });
        if (removed.length) await call('POST', `${groupPath(group)}/remove`, { members: removed });
        close();
        toast(g ? `Members of ${group} saved.` : `Group ${group} created.`);
        load();
      },
    });
  }

  async function policiesDialog(g) {
    let all;
    try {
      all = await call('GET', adminPath('iam/policies'));
    } catch (e) {
      toast(e.message, 'error');
      return;
    }
    const list = checkList({ legend: `Policies attached to ${g.name}`, name: 'group-policy', items: all.map((p) => ({ value: p.name, label: p.builtin ? `${p.name} (built-in)` : p.name })), checked: new Set(g.policies) });
    formDialog({
      title: `Policies of ${g.name}`, id: 'group-policies-form', submitLabel: 'Save', fields: [list.el],
      async onsubmit({ close }) {
        await savePolicies({ group: g.name }, g.policies, list.chosen());
        close();
        toast(`Policies of ${g.name} saved.`);
        load();
      },
    });
  }

  async function setStatus(name, enable) {
    try {
      await call('POST', `${groupPath(name)}/${enable ? 'enable' : 'disable'}`, {});
      toast(`Group ${name} ${enable ? 'enabled' : 'disabled'}.`);
    } catch (e) {
      toast(e.message, 'error');
    }
    load();
  }

  async function remove(g) {
    const ok = await confirmDialog({ title: 'Delete group', message: `Delete ${g.name}? Its ${g.members.length} member(s) lose the group's policies; the users themselves stay.`, confirmLabel: 'Delete group', danger: true });
    if (!ok) return;
    try {
      if (g.members.length) await call('POST', `${groupPath(g.name)}/remove`, { members: g.members });
      await call('POST', `${groupPath(g.name)}/remove`, { members: [] });
      toast(`Group ${g.name} deleted.`);
    } catch (e) {
      toast(e.message, 'error');
    }
    load();
  }

  await load();
  return null;
}
