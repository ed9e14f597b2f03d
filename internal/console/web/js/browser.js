// The object browser: folders and breadcrumbs, paging, prefix search,
// sorting, multi-select delete, uploads by picker or drag-and-drop.

import { call, can, bucketPath, contentURL, qs } from './api.js';
import { h, icon, replace, button, bytes, count, date, shortDate, dateTitle, modal, toast, debounce, confirmDialog, announce } from './ui.js';
import { browseHash, settingsHash } from './routes.js';
import { iconFor } from './kinds.js';
import { uploads } from './uploads.js';
import { openObject, shareDialog } from './preview.js';
import { collectDropped } from './drop.js';

const PAGE_SIZES = [50, 100, 200, 500, 1000];

// baseName is the last path segment of a key or folder prefix.
export function baseName(p) {
  const trimmed = p.endsWith('/') ? p.slice(0, -1) : p;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || p;
}

// WRITES are the actions behind the view's buttons; the server says which
// the user may take in this folder, and the others are not shown.
const WRITES = ['s3:PutObject', 's3:DeleteObject', 's3:GetBucketPolicy', 's3:GetBucketCORS'];

export async function show(root, route) {
  const res = await can(WRITES.map((action) => ({ action, bucket: route.bucket, key: route.prefix })));
  const may = Object.fromEntries(WRITES.map((a, i) => [a, res ? res[i] : true]));
  const v = new BrowserView(root, route.bucket, route.prefix, may);
  await v.load();
  return v;
}

class BrowserView {
  constructor(root, bucket, prefix, may) {
    this.may = may;
    this.root = root;
    this.bucket = bucket;
    this.prefix = prefix;
    this.search = '';
    this.pageSize = Number(localStorage.getItem('hoard.pageSize')) || 200;
    this.tokens = [''];
    this.page = 0;
    this.page_ = { folders: [], objects: [], truncated: false };
    this.sort = { col: 'name', dir: 1 };
    this.selected = new Set();
    this.controller = new AbortController();
    this.build();
    this.stopListening = uploads.onFinished((u) => {
      if (u.bucket === this.bucket && u.key.startsWith(this.prefix)) this.reloadSoon();
    });
    this.reloadSoon = debounce(() => this.load(), 400);
    this.onKey = (e) => {
      if (e.key === '/' && !e.target.closest('input, textarea, select, dialog')) {
        e.preventDefault();
        this.searchInput.focus();
      }
    };
    document.addEventListener('keydown', this.onKey);
  }

  dispose() {
    this.controller.abort();
    this.stopListening();
    document.removeEventListener('keydown', this.onKey);
  }

  build() {
    document.title = `${this.prefix ? baseName(this.prefix) : this.bucket} · Hoard`;
    this.fileInput = h('input', { type: 'file', multiple: true, id: 'file-input', class: 'sr-only', tabindex: '-1', 'aria-hidden': 'true', onchange: (e) => this.picked(e.target) });
    this.dirInput = h('input', { type: 'file', multiple: true, webkitdirectory: true, id: 'folder-input', class: 'sr-only', tabindex: '-1', 'aria-hidden': 'true', onchange: (e) => this.picked(e.target) });
    this.status = h('p', { class: 'muted', role: 'status', id: 'list-status' });
    this.searchInput = h('input', { type: 'search', id: 'prefix-search', placeholder: 'Name starts with…', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'search-hint' });
    this.searchInput.addEventListener('input', debounce(() => { this.search = this.searchInput.value; this.resetPaging(); this.load(); }, 300));
    this.deleteBtn = button('Delete selected', { iconName: 'trash', cls: 'btn btn-danger-ghost', onclick: () => this.deleteSelected(), attrs: { disabled: true, id: 'delete-selected' } });
    const writable = this.may['s3:PutObject'];
    const sizeSelect = h('select', { id: 'page-size', onchange: (e) => { this.pageSize = Number(e.target.value); localStorage.setItem('hoard.pageSize', String(this.pageSize)); this.resetPaging(); this.load(); } },
      PAGE_SIZES.map((n) => h('option', { value: String(n), selected: n === this.pageSize }, String(n))));
    this.tbody = h('tbody');
    this.thead = h('thead');
    this.pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
    this.dropzone = h('div', { class: 'dropzone', id: 'dropzone' },
      h('div', { class: 'table-wrap' }, h('table', { class: 'table objects-table', id: 'objects' },
        h('caption', { class: 'sr-only' }, `Contents of ${this.bucket}/${this.prefix}`), this.thead, this.tbody)),
      h('div', { class: 'drop-overlay', 'aria-hidden': 'true' }, icon('upload', 'drop-icon'), h('p', {}, `Drop to upload into ${this.bucket}/${this.prefix}`)));
    this.wireDrop();
    replace(this.root,
      this.breadcrumbs(),
      h('div', { class: 'page-head' },
        h('div', { class: 'min0' }, h('h1', { class: 'truncate' }, this.prefix ? baseName(this.prefix) : this.bucket), this.status),
        h('div', { class: 'actions' },
          button('Refresh', { iconName: 'refresh', iconOnly: true, onclick: () => this.load() }),
          this.may['s3:GetBucketPolicy'] || this.may['s3:GetBucketCORS']
            ? h('a', { class: 'btn', href: settingsHash(this.bucket), id: 'bucket-settings' }, icon('settings'), h('span', {}, 'Settings')) : null,
          writable ? button('New folder', { iconName: 'folder', onclick: () => this.newFolder(), attrs: { title: 'New folder' } }) : null,
          writable ? button('Upload folder', { iconName: 'upload', onclick: () => this.dirInput.click(), attrs: { id: 'upload-folder', title: 'Upload a folder' } }) : null,
          writable ? button('Upload files', { iconName: 'upload', cls: 'btn btn-primary', onclick: () => this.fileInput.click(), attrs: { id: 'upload-files', title: 'Upload files' } }) : null,
          writable ? this.fileInput : null, writable ? this.dirInput : null)),
      h('div', { class: 'toolbar' },
        h('div', { class: 'field field-inline grow' },
          h('label', { for: 'prefix-search' }, icon('search'), h('span', { class: 'sr-only' }, 'Filter by name prefix')), this.searchInput,
          h('span', { id: 'search-hint', class: 'sr-only' }, 'Shows the names in this folder that start with what you type. Case-sensitive. Press slash to come here.')),
        h('div', { class: 'field field-inline' }, h('label', { for: 'page-size' }, 'Per page'), sizeSelect),
        this.may['s3:DeleteObject'] ? this.deleteBtn : null),
      this.dropzone,
      this.pager,
      writable ? h('p', { class: 'muted small hint' }, 'Tip: drop files or folders anywhere on the list to upload them here.')
        : h('p', { class: 'muted small hint', id: 'read-only-note' }, 'You may read this folder but not upload into it.'));
  }

  breadcrumbs() {
    const parts = this.prefix.split('/').filter(Boolean);
    const items = [h('li', {}, h('a', { href: '#/buckets' }, 'Buckets'))];
    items.push(h('li', {}, parts.length ? h('a', { href: browseHash(this.bucket) }, this.bucket) : h('span', { 'aria-current': 'page' }, this.bucket)));
    let acc = '';
    parts.forEach((p, i) => {
      acc += `${p}/`;
      items.push(h('li', {}, i === parts.length - 1 ? h('span', { 'aria-current': 'page' }, p) : h('a', { href: browseHash(this.bucket, acc) }, p)));
    });
    return h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, h('ol', {}, items));
  }

  resetPaging() {
    this.tokens = [''];
    this.page = 0;
  }

  async load() {
    this.controller.abort();
    this.controller = new AbortController();
    const signal = this.controller.signal;
    this.status.textContent = 'Loading…';
    this.root.setAttribute('aria-busy', 'true');
    try {
      const res = await call('GET', `${bucketPath(this.bucket)}/objects${qs({ prefix: this.prefix + this.search, token: this.tokens[this.page], max: this.pageSize })}`, undefined, { signal });
      this.page_ = res;
      if (res.truncated) this.tokens[this.page + 1] = res.nextToken;
      this.selected.clear();
      this.render();
    } catch (e) {
      if (e.name === 'AbortError') return;
      this.status.textContent = '';
      replace(this.tbody, h('tr', {}, h('td', { colspan: 5, class: 'error-cell' }, icon('warn'), e.message,
        e.code === 'NoSuchBucket' ? h('a', { href: '#/buckets' }, ' Back to buckets') : null)));
    } finally {
      this.root.removeAttribute('aria-busy');
    }
  }

  sorted() {
    const { col, dir } = this.sort;
    const by = {
      name: (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
      size: (a, b) => a.size - b.size,
      modified: (a, b) => new Date(a.modified) - new Date(b.modified),
    }[col];
    const folders = [...this.page_.folders];
    if (col === 'name' && dir < 0) folders.reverse();
    const objects = [...this.page_.objects].sort((a, b) => dir * by(a, b));
    return { folders, objects };
  }

  header() {
    const all = h('input', { type: 'checkbox', id: 'select-all', 'aria-label': 'Select everything on this page', onchange: (e) => this.selectAll(e.target.checked) });
    const sortTh = (col, label, cls = '') => {
      const active = this.sort.col === col;
      const th = h('th', { scope: 'col', class: cls, 'aria-sort': active ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
        h('button', { type: 'button', class: 'sort', onclick: () => { this.sort = { col, dir: active ? -this.sort.dir : 1 }; this.render(); } },
          label, active ? icon(this.sort.dir > 0 ? 'up' : 'down', 'icon sort-icon') : null));
      return th;
    };
    replace(this.thead, h('tr', {},
      h('th', { scope: 'col', class: 'check-col' }, all),
      sortTh('name', 'Name'), sortTh('size', 'Size', 'num'), sortTh('modified', 'Last modified', 'hide-narrow'),
      h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions'))));
    this.selectAllBox = all;
  }

  render() {
    this.header();
    const { folders, objects } = this.sorted();
    const n = folders.length + objects.length;
    const searching = this.search ? ` starting with “${this.search}”` : '';
    this.status.textContent = n === 0 ? '' : `${count(n)} item${n === 1 ? '' : 's'}${searching}${this.page_.truncated || this.page > 0 ? ` · page ${this.page + 1}` : ''}`;
    if (n === 0) {
      replace(this.tbody, h('tr', {}, h('td', { colspan: 5, class: 'empty-cell' },
        icon(this.search ? 'search' : 'folder', 'empty-icon'),
        h('p', {}, this.search ? `Nothing here starts with “${this.search}”.` : 'This folder is empty.'),
        this.search || !this.may['s3:PutObject'] ? null : h('p', { class: 'muted' }, 'Drop files here, or use “Upload files”.'))));
    } else {
      replace(this.tbody, folders.map((f) => this.folderRow(f)), objects.map((o) => this.objectRow(o)));
    }
    this.renderPager();
    this.updateSelection();
  }

  checkbox(id, label) {
    return h('input', { type: 'checkbox', 'aria-label': `Select ${label}`, checked: this.selected.has(id), onchange: (e) => {
      if (e.target.checked) this.selected.add(id);
      else this.selected.delete(id);
      this.updateSelection();
    } });
  }

  folderRow(prefix) {
    const name = baseName(prefix);
    return h('tr', { class: 'folder-row', dataset: { prefix } },
      h('td', { class: 'check-col' }, this.checkbox(`f:${prefix}`, `folder ${name}`)),
      h('th', { scope: 'row' }, h('a', { href: browseHash(this.bucket, prefix), class: 'name-link' }, icon('folder'), h('span', { class: 'truncate' }, `${name}/`))),
      h('td', { class: 'num muted' }, '—'),
      h('td', { class: 'hide-narrow muted' }, 'Folder'),
      h('td', { class: 'actions-col' }));
  }

  objectRow(o) {
    const name = baseName(o.key) || o.key;
    return h('tr', { dataset: { key: o.key } },
      h('td', { class: 'check-col' }, this.checkbox(`o:${o.key}`, name)),
      h('th', { scope: 'row' }, h('button', { type: 'button', class: 'name-link linklike', onclick: () => this.open(o.key), title: o.key },
        icon(iconFor(o.key)), h('span', { class: 'truncate' }, name))),
      h('td', { class: 'num' }, bytes(o.size), h('span', { class: 'narrow-only muted small' }, shortDate(o.modified))),
      h('td', { class: 'hide-narrow' }, h('time', { datetime: dateTitle(o.modified), title: dateTitle(o.modified) }, date(o.modified))),
      h('td', { class: 'actions-col' }, h('div', { class: 'row-actions' },
        h('a', { class: 'btn btn-ghost icon-only', href: contentURL(this.bucket, o.key, false), download: name, 'aria-label': `Download ${name}`, title: 'Download' }, icon('download')),
        button(`Share ${name}`, { iconName: 'share', iconOnly: true, cls: 'btn btn-ghost hide-narrow', onclick: () => shareDialog(this.bucket, o.key) }))));
  }

  open(key) {
    openObject(this.bucket, key, { onDeleted: () => this.load(), onChanged: () => {} });
  }

  renderPager() {
    const prev = button('Previous page', { iconName: 'chevron', cls: 'btn flip-icon', attrs: { disabled: this.page === 0 }, onclick: () => { this.page--; this.load(); } });
    const next = button('Next page', { iconName: 'chevron', cls: 'btn', attrs: { disabled: !this.page_.truncated }, onclick: () => { this.page++; this.load(); } });
    const sortedNote = (this.page_.truncated || this.page > 0) && !(this.sort.col === 'name' && this.sort.dir > 0)
      ? h('span', { class: 'muted small' }, 'Sorting applies to this page.') : null;
    replace(this.pager, prev, h('span', { class: 'pager-label' }, `Page ${this.page + 1}`), next, sortedNote);
    this.pager.hidden = this.page === 0 && !this.page_.truncated;
  }

  selectAll(on) {
    for (const f of this.page_.folders) on ? this.selected.add(`f:${f}`) : this.selected.delete(`f:${f}`);
    for (const o of this.page_.objects) on ? this.selected.add(`o:${o.key}`) : this.selected.delete(`o:${o.key}`);
    for (const box of this.tbody.querySelectorAll('input[type=checkbox]')) box.checked = on;
    this.updateSelection();
  }

  updateSelection() {
    const n = this.selected.size;
    const total = this.page_.folders.length + this.page_.objects.length;
    this.deleteBtn.disabled = n === 0;
    this.deleteBtn.querySelector('span:not(.icon)').textContent = n ? `Delete ${count(n)} selected` : 'Delete selected';
    if (this.selectAllBox) {
      this.selectAllBox.checked = n > 0 && n === total;
      this.selectAllBox.indeterminate = n > 0 && n < total;
    }
  }

  async deleteSelected() {
    const keys = [...this.selected].filter((s) => s.startsWith('o:')).map((s) => s.slice(2));
    const prefixes = [...this.selected].filter((s) => s.startsWith('f:')).map((s) => s.slice(2));
    const parts = [];
    if (keys.length) parts.push(`${count(keys.length)} object${keys.length === 1 ? '' : 's'}`);
    if (prefixes.length) parts.push(`${count(prefixes.length)} folder${prefixes.length === 1 ? '' : 's'} with everything in ${prefixes.length === 1 ? 'it' : 'them'}`);
    const ok = await confirmDialog({ title: 'Delete', message: `Delete ${parts.join(' and ')}? This cannot be undone.`, confirmLabel: 'Delete', danger: true });
    if (!ok) return;
    this.deleteBtn.disabled = true;
    try {
      const res = await call('POST', `${bucketPath(this.bucket)}/delete`, { keys, prefixes });
      if (res.errors.length) toast(`${res.errors.length} could not be deleted: ${res.errors[0].key}: ${res.errors[0].message}`, 'error');
      else toast(`Deleted ${count(res.deleted)} object${res.deleted === 1 ? '' : 's'}.`);
      announce(`Deleted ${res.deleted} objects.`);
    } catch (e) {
      toast(e.message, 'error');
    }
    this.load();
  }

  picked(input) {
    const files = [...input.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
    input.value = '';
    if (files.length) uploads.add(this.bucket, this.prefix, files);
  }

  wireDrop() {
    let depth = 0;
    const zone = this.root;
    const on = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    this.root.ondragenter = (e) => { if (on(e)) { depth++; this.dropzone.classList.add('dragging'); } };
    this.root.ondragleave = () => { if (--depth <= 0) { depth = 0; this.dropzone.classList.remove('dragging'); } };
    this.root.ondragover = (e) => { if (on(e)) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; } };
    zone.ondrop = async (e) => {
      if (!on(e)) return;
      if (!this.may['s3:PutObject']) {
        e.preventDefault();
        this.dropzone.classList.remove('dragging');
        toast('You may not upload into this folder.', 'error');
        return;
      }
      e.preventDefault();
      depth = 0;
      this.dropzone.classList.remove('dragging');
      const files = await collectDropped(e.dataTransfer);
      if (files.length) uploads.add(this.bucket, this.prefix, files);
    };
  }

  newFolder() {
    const input = h('input', { id: 'folder-name', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'folder-help folder-error' });
    const err = h('p', { class: 'form-error', id: 'folder-error', role: 'alert' });
    const create = h('button', { type: 'submit', class: 'btn btn-primary', form: 'new-folder-form' }, 'Create and open');
    const form = h('form', { id: 'new-folder-form', class: 'stack' },
      h('div', { class: 'field' }, h('label', { for: 'folder-name' }, 'Folder name'), input),
      h('p', { class: 'muted small', id: 'folder-help' }, 'Folders are name prefixes: the folder shows up once a file is uploaded into it.'), err);
    const dlg = modal({ title: 'New folder', body: form, actions: [button('Cancel', { onclick: () => dlg.close() }), create] });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const name = input.value.trim().replace(/^\/+|\/+$/g, '');
      if (!name) {
        err.textContent = 'Enter a name.';
        return;
      }
      dlg.close();
      location.hash = browseHash(this.bucket, `${this.prefix}${name}/`);
    });
    input.focus();
  }
}
