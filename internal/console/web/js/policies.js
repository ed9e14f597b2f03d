// Policies: list with what each is attached to, view, create and edit in
// a JSON editor (the server parses the document with the same parser that
// evaluates it, on "Check" without saving or on saving, and a refusal
// shows its line and column), attach to a
// user or group, delete (refused by the server while attached).

import { call, adminPath } from './api.js';
import { h, icon, replace, button, toast, confirmDialog, modal } from './ui.js';
import { formDialog, chips } from './iamkit.js';
import { docEditor, pretty } from './editor.js';

const policyPath = (name) => adminPath(`iam/policies/${encodeURIComponent(name)}`);

// TEMPLATE is the starting point of a new policy: read-only access to one
// bucket.
const TEMPLATE = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
      "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"]
    }
  ]
}`;

export async function show(root, { perms }) {
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading policies…');
  const tbody = h('tbody');
  const create = perms['admin:CreatePolicy']
    ? button('Create policy', { iconName: 'plus', cls: 'btn btn-primary', onclick: () => editDialog(null), attrs: { id: 'create-policy' } }) : null;
  replace(root,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Policies'), status),
      h('div', { class: 'actions' }, button('Refresh', { iconName: 'refresh', iconOnly: true, onclick: () => load() }), create)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'policies' },
      h('caption', { class: 'sr-only' }, 'Policies'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Users'),
        h('th', { scope: 'col' }, 'Groups'), h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions')))),
      tbody)),
    h('p', { class: 'muted small hint' }, 'Policies are AWS IAM JSON documents. Built-in ones cannot be changed.'));

  async function load() {
    try {
      const list = await call('GET', adminPath('iam/policies'));
      const ents = perms['admin:GetPolicy'] ? (await call('GET', adminPath('iam/entities'))).policies : [];
      const by = new Map(ents.map((e) => [e.policy, e]));
      status.textContent = `${list.length} policies`;
      replace(tbody, list.map((p) => row(p, by.get(p.name) || { users: [], groups: [] })));
    } catch (e) {
      status.textContent = '';
      replace(tbody, h('tr', {}, h('td', { colspan: 5, class: 'error-cell' }, icon('warn'), e.message)));
    }
  }

  function row(p, ent) {
    const acts = [];
    if (perms['admin:GetPolicy']) {
      const edit = !p.builtin && perms['admin:CreatePolicy'];
      acts.push(button(`${edit ? 'Edit' : 'View'} policy ${p.name}`, { iconName: edit ? 'text' : 'eye', iconOnly: true, cls: 'btn btn-ghost', onclick: () => editDialog(p.name, !edit), attrs: { dataset: { act: edit ? 'edit' : 'view' } } }));
    }
    if (perms['admin:AttachUserOrGroupPolicy']) {
      acts.push(button(`Attach policy ${p.name}`, { iconName: 'users', iconOnly: true, cls: 'btn btn-ghost', onclick: () => attachDialog(p.name), attrs: { dataset: { act: 'attach' } } }));
    }
    if (!p.builtin && perms['admin:DeletePolicy']) {
      acts.push(button(`Delete policy ${p.name}`, { iconName: 'trash', iconOnly: true, cls: 'btn btn-ghost btn-danger-ghost', onclick: () => remove(p.name), attrs: { dataset: { act: 'delete' } } }));
    }
    return h('tr', { dataset: { policy: p.name } },
      h('th', { scope: 'row' }, p.name),
      h('td', {}, p.builtin ? 'Built-in' : 'Custom'),
      h('td', { class: 'users' }, chips(ent.users)),
      h('td', { class: 'groups' }, chips(ent.groups)),
      h('td', { class: 'actions-col' }, h('div', { class: 'row-actions' }, acts)));
  }

  // editDialog creates (name null) or edits a policy; readOnly only shows it.
  async function editDialog(name, readOnly = false) {
    let doc = TEMPLATE;
    if (name) {
      try {
        doc = JSON.stringify((await call('GET', policyPath(name))).policy, null, 2);
      } catch (e) {
        toast(e.message, 'error');
        return;
      }
    }
    const nameInput = h('input', { id: 'policy-name', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', required: true, maxlength: '128' });
    const editor = docEditor({ id: 'policy-doc', label: 'Policy document (JSON)', value: pretty(doc), rows: 16, readOnly,
      hint: readOnly ? 'Built-in policies cannot be changed; create your own from a copy.' : 'Saving checks the document with the server\'s policy parser; nothing changes if it is refused.' });
    editor.textarea.dataset.tabs = 'on';
    const checked = h('p', { class: 'form-ok small', id: 'policy-check-result', role: 'status' });
    const check = button('Check with the server', {
      iconName: 'check', attrs: { id: 'policy-check' }, onclick: async () => {
        checked.textContent = '';
        try {
          const res = await call('POST', adminPath('iam/policy-check'), editor.value(), { raw: true });
          editor.clearError();
          checked.textContent = `The server accepts this policy (${res.statements} statement${res.statements === 1 ? '' : 's'}). It is not saved yet.`;
        } catch (e) {
          if (e.status === 400) editor.showError(e);
          else toast(e.message, 'error');
        }
      },
    });
    editor.textarea.addEventListener('input', () => { checked.textContent = ''; });
    const fields = [name ? null : h('div', { class: 'field' }, h('label', { for: 'policy-name' }, 'Policy name'), nameInput), editor.el,
      readOnly ? null : h('div', { class: 'actions' }, check, checked)];
    if (readOnly) {
      modal({ title: `Policy ${name}`, body: h('div', { class: 'stack' }, fields), cls: 'modal-wide' });
      return;
    }
    formDialog({
      title: name ? `Edit policy ${name}` : 'Create a policy', id: 'policy-form', submitLabel: 'Save policy', wide: true, fields,
      async onsubmit({ close, fail }) {
        const target = name || nameInput.value.trim();
        if (!target) {
          fail('Enter a policy name.');
          nameInput.focus();
          return;
        }
        try {
          await call('PUT', policyPath(target), editor.value(), { raw: true });
        } catch (e) {
          if (e.status !== 400 && e.status !== 413) throw e;
          editor.showError(e); // the server's words, at the line and column it names
          return;
        }
        close();
        toast(`Policy ${target} saved.`);
        load();
      },
    });
  }

  async function attachDialog(name) {
    let users = [];
    let groups = [];
    try {
      [users, groups] = await Promise.all([call('GET', adminPath('iam/users')), call('GET', adminPath('iam/groups'))]);
    } catch (e) {
      toast(e.message, 'error');
      return;
    }
    const options = [
      ...users.map((u) => h('option', { value: `user:${u.accessKey}` }, `User ${u.accessKey}`)),
      ...groups.map((g) => h('option', { value: `group:${g}` }, `Group ${g}`)),
    ];
    const select = h('select', { id: 'attach-target', required: true }, options);
    formDialog({
      title: `Attach policy ${name}`, id: 'attach-form', submitLabel: 'Attach',
      fields: [h('div', { class: 'field' }, h('label', { for: 'attach-target' }, 'Attach to'), options.length ? select : h('p', { class: 'muted' }, 'There are no users or groups yet.'))],
      async onsubmit({ close, fail }) {
        if (!select.value) {
          fail('Choose a user or a group.');
          return;
        }
        const [kind, who] = [select.value.slice(0, select.value.indexOf(':')), select.value.slice(select.value.indexOf(':') + 1)];
        await call('POST', adminPath('iam/attach'), { policies: [name], [kind]: who });
        close();
        toast(`Policy ${name} attached to ${kind} ${who}.`);
        load();
      },
    });
  }

  async function remove(name) {
    const ok = await confirmDialog({ title: 'Delete policy', message: `Delete policy ${name}? The server refuses while it is attached to a user or a group.`, confirmLabel: 'Delete policy', danger: true });
    if (!ok) return;
    try {
      await call('DELETE', policyPath(name));
      toast(`Policy ${name} deleted.`);
    } catch (e) {
      toast(e.message, 'error');
    }
    load();
  }

  await load();
  return null;
}
