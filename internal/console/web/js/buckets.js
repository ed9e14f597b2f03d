// The bucket list: names, object counts and sizes, create and delete.

import { call, can, ApiError } from './api.js';
import { h, icon, replace, button, bytes, count, date, dateTitle, modal, toast, announce } from './ui.js';
import { browseHash } from './routes.js';

// bucketRules mirrors the server's rules for new bucket names; each rule
// says in words what to do.
export const bucketRules = [
  { text: '3 to 63 characters', test: (n) => n.length >= 3 && n.length <= 63 },
  { text: 'Only lower-case letters, digits, dots (.) and hyphens (-)', test: (n) => n.length > 0 && /^[a-z0-9.-]+$/.test(n) },
  { text: 'Starts and ends with a letter or a digit', test: (n) => /^[a-z0-9]/.test(n) && /[a-z0-9]$/.test(n) },
  { text: 'No two dots, or a dot and a hyphen, side by side', test: (n) => n.length > 0 && !/\.\.|\.-|-\./.test(n) },
  { text: 'Not shaped like an IP address (192.168.5.4)', test: (n) => n.length > 0 && !/^\d+\.\d+\.\d+\.\d+$/.test(n) },
  {
    text: 'Not a reserved name ("hoard", "xn--…", "sthree-…", "…-s3alias")',
    test: (n) => n.length > 0 && n !== 'hoard' && !/^(xn--|sthree-|amzn-s3-demo-)/.test(n) && !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(n),
  },
];

export async function show(root, _route) {
  // The server says whether this user may create buckets; delete buttons
  // are asked for per bucket once the list is in.
  const mayCreate = ((await can([{ action: 's3:CreateBucket' }])) || [true])[0];
  const tbody = h('tbody');
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading buckets…');
  const table = h('table', { class: 'table buckets-table' },
    h('caption', { class: 'sr-only' }, 'Your buckets'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Name'),
      h('th', { scope: 'col', class: 'num' }, 'Objects'),
      h('th', { scope: 'col', class: 'num' }, 'Size'),
      h('th', { scope: 'col', class: 'hide-narrow' }, 'Created'),
      h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    tbody);
  const create = mayCreate ? button('Create bucket', { iconName: 'plus', cls: 'btn btn-primary', onclick: () => createDialog(), attrs: { id: 'create-bucket' } }) : null;
  const refresh = button('Refresh', { iconName: 'refresh', iconOnly: true, onclick: () => load() });
  const wrap = h('div', { class: 'table-wrap' }, table);
  const body = h('div', {}, wrap);
  replace(root,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Buckets'), status), h('div', { class: 'actions' }, refresh, create)),
    body);
  document.title = 'Buckets · Hoard';
  let usage = new Map();
  let mayDelete = new Map();
  let controller = new AbortController();

  async function load() {
    controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    try {
      const { buckets } = await call('GET', '/api/buckets', undefined, { signal });
      const dels = buckets.length && buckets.length <= 200 ? await can(buckets.map((b) => ({ action: 's3:DeleteBucket', bucket: b.name }))) : null;
      mayDelete = new Map(buckets.map((b, i) => [b.name, dels ? dels[i] : true]));
      render(buckets);
      status.textContent = buckets.length === 1 ? '1 bucket' : `${count(buckets.length)} buckets`;
      if (buckets.length > 0) loadUsage(signal);
    } catch (e) {
      if (e.name === 'AbortError') return;
      status.textContent = '';
      replace(tbody, h('tr', {}, h('td', { colspan: 5, class: 'error-cell' }, icon('warn'), e.message)));
    }
  }

  async function loadUsage(signal) {
    try {
      const res = await call('GET', '/api/usage', undefined, { signal });
      usage = new Map(res.buckets.map((b) => [b.name, b]));
    } catch (e) {
      if (e.name === 'AbortError') return;
      usage = new Map();
    }
    for (const row of tbody.querySelectorAll('tr[data-bucket]')) {
      const u = usage.get(row.dataset.bucket);
      row.querySelector('.objects').textContent = u ? count(u.objects) : '—';
      row.querySelector('.size').textContent = u ? bytes(u.bytes) : '—';
    }
  }

  function render(buckets) {
    if (buckets.length === 0) {
      replace(body, h('div', { class: 'empty' },
        icon('bucket', 'empty-icon'),
        h('h2', {}, 'No buckets yet'),
        h('p', {}, mayCreate ? 'A bucket holds your files. Create one, then drop files into it.' : 'Your access key may not see any bucket yet.'),
        mayCreate ? button('Create your first bucket', { iconName: 'plus', cls: 'btn btn-primary', onclick: () => createDialog() }) : null));
      return;
    }
    if (!wrap.isConnected) replace(body, wrap);
    replace(tbody, buckets.map((b) => h('tr', { dataset: { bucket: b.name } },
      h('th', { scope: 'row' }, h('a', { href: browseHash(b.name), class: 'name-link' }, icon('bucket'), h('span', {}, b.name))),
      h('td', { class: 'num objects' }, '…'),
      h('td', { class: 'num size' }, '…'),
      h('td', { class: 'hide-narrow' }, h('time', { datetime: dateTitle(b.created), title: dateTitle(b.created) }, date(b.created))),
      h('td', { class: 'actions-col' }, mayDelete.get(b.name) === false ? null : button(`Delete bucket ${b.name}`, {
        iconName: 'trash', iconOnly: true, cls: 'btn btn-ghost btn-danger-ghost', onclick: () => deleteDialog(b.name, usage.get(b.name)),
      })))));
  }

  await load();
  return { dispose: () => controller.abort() };

  function deleteDialog(name, u) {
    const objects = u ? u.objects : null;
    const err = h('p', { class: 'form-error', role: 'alert' });
    const force = h('input', { type: 'checkbox', id: 'force-delete' });
    const typed = h('input', { id: 'confirm-name', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none' });
    const del = h('button', { type: 'submit', class: 'btn btn-danger' }, 'Delete bucket');
    const nonEmpty = objects === null || objects > 0;
    const what = objects === null ? 'It may still hold objects.' : objects > 0 ? `It holds ${count(objects)} object${objects === 1 ? '' : 's'} (${bytes(u.bytes)}).` : 'It is empty.';
    const body = h('form', { class: 'stack', id: 'delete-bucket-form' },
      h('p', {}, 'Delete the bucket ', h('strong', {}, name), '? ', what),
      nonEmpty ? h('div', { class: 'check' }, force, h('label', { for: 'force-delete' }, 'Also delete every object in it, and cancel unfinished uploads. This cannot be undone.')) : null,
      nonEmpty ? h('div', { class: 'field' }, h('label', { for: 'confirm-name' }, 'Type the bucket name to confirm'), typed) : null,
      err);
    const cancel = button('Cancel', { onclick: () => dlg.close() });
    del.setAttribute('form', 'delete-bucket-form');
    const dlg = modal({ title: 'Delete bucket', body, actions: [cancel, del] });
    body.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (nonEmpty && typed.value !== name) {
        err.textContent = 'The name you typed does not match the bucket name.';
        typed.focus();
        return;
      }
      del.disabled = true;
      del.textContent = force.checked ? 'Deleting everything…' : 'Deleting…';
      try {
        await call('DELETE', `/api/buckets/${encodeURIComponent(name)}${force.checked ? '?force=true' : ''}`);
        dlg.close();
        toast(`Bucket ${name} deleted.`);
        announce(`Bucket ${name} deleted.`);
        load();
      } catch (ex) {
        err.textContent = ex.code === 'BucketNotEmpty' && !force.checked
          ? 'The bucket is not empty. Tick "Also delete every object in it" to delete it with everything inside.'
          : ex.message;
        del.disabled = false;
        del.textContent = 'Delete bucket';
      }
    });
    (nonEmpty ? typed : cancel).focus();
  }
}

// createDialog asks for a bucket name, explaining the rules as one types,
// creates the bucket and opens it.
export function createDialog() {
  const input = h('input', {
    id: 'bucket-name', name: 'name', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none',
    maxlength: '63', required: true, 'aria-describedby': 'bucket-rules bucket-error', 'aria-invalid': 'false',
  });
  const rules = h('ul', { class: 'rules', id: 'bucket-rules', 'aria-label': 'Bucket name rules' },
    bucketRules.map((r) => h('li', {}, icon('info'), h('span', {}, r.text), h('span', { class: 'sr-only' }))));
  const err = h('p', { class: 'form-error', id: 'bucket-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', form: 'create-bucket-form', id: 'create-bucket-submit' }, 'Create bucket');
  const form = h('form', { class: 'stack', id: 'create-bucket-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'bucket-name' }, 'Bucket name'), input),
    h('p', { class: 'muted small' }, 'Bucket names are part of every S3 URL and cannot be changed later. They must follow these rules:'),
    rules, err);
  const check = () => {
    const n = input.value;
    let ok = true;
    rules.querySelectorAll('li').forEach((li, i) => {
      const pass = bucketRules[i].test(n);
      ok = ok && pass;
      li.className = n === '' ? '' : pass ? 'ok' : 'bad';
      li.replaceChild(icon(n === '' ? 'info' : pass ? 'check' : 'x'), li.firstChild);
      li.lastChild.textContent = n === '' ? '' : pass ? ' (met)' : ' (not met)';
    });
    input.setAttribute('aria-invalid', String(n !== '' && !ok));
    return ok;
  };
  input.addEventListener('input', () => {
    input.value = input.value.toLowerCase();
    err.textContent = '';
    check();
  });
  const cancel = button('Cancel', { onclick: () => dlg.close() });
  const dlg = modal({ title: 'Create a bucket', body: form, actions: [cancel, submit] });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = input.value;
    if (!check()) {
      err.textContent = 'This name breaks a rule marked above.';
      input.focus();
      return;
    }
    submit.disabled = true;
    try {
      await call('POST', '/api/buckets', { name });
      dlg.close();
      toast(`Bucket ${name} created. Drop files here to upload them.`);
      location.hash = browseHash(name);
    } catch (ex) {
      err.textContent = ex instanceof ApiError ? ex.message : 'The bucket could not be created.';
      input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  input.focus();
}
