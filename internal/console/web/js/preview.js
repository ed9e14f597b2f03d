// An object's details (preview, metadata, checksums, tags) and the share
// dialog that makes presigned download links.

import { call, can, bucketPath, contentURL, fetchText, qs } from './api.js';
import { h, icon, replace, button, bytes, count, date, dateTitle, modal, toast, confirmDialog } from './ui.js';
import { kindOf } from './kinds.js';

const TEXT_PREVIEW_BYTES = 256 * 1024;

function baseName(key) {
  return key.slice(key.lastIndexOf('/') + 1) || key;
}

// openObject shows one object in a dialog.
export async function openObject(bucket, key, { onDeleted } = {}) {
  const name = baseName(key);
  // The server says which changes this user may make to the object; the
  // others are not offered.
  const writes = ['s3:DeleteObject', 's3:PutObjectTagging', 's3:PutObject'];
  const res = await can(writes.map((action) => ({ action, bucket, key })));
  const may = Object.fromEntries(writes.map((a, i) => [a, res ? res[i] : true]));
  const stage = h('div', { class: 'preview', id: 'preview' }, h('p', { class: 'muted' }, 'Loading…'));
  const info = h('div', { class: 'details' });
  const controller = new AbortController();
  const download = h('a', { class: 'btn', href: contentURL(bucket, key, false), download: name, id: 'download-object' }, icon('download'), h('span', {}, 'Download'));
  const share = button('Share', { iconName: 'share', onclick: () => shareDialog(bucket, key), attrs: { id: 'share-object' } });
  const del = button('Delete', {
    iconName: 'trash', cls: 'btn btn-danger-ghost', attrs: { id: 'delete-object' },
    onclick: async () => {
      const ok = await confirmDialog({ title: 'Delete object', message: `Delete ${key}? This cannot be undone.`, confirmLabel: 'Delete', danger: true });
      if (!ok) return;
      try {
        const res = await call('POST', `${bucketPath(bucket)}/delete`, { keys: [key] });
        if (res.errors.length) throw new Error(res.errors[0].message);
        dlg.close();
        toast(`Deleted ${name}.`);
        if (onDeleted) onDeleted();
      } catch (e) {
        toast(e.message, 'error');
      }
    },
  });
  const dlg = modal({
    title: name, cls: 'modal-wide', body: [stage, info], actions: [may['s3:DeleteObject'] ? del : null, share, download].filter(Boolean),
    onclose: () => controller.abort(),
  });
  dlg.querySelector('.modal-head h2').classList.add('truncate');
  try {
    const d = await call('GET', `${bucketPath(bucket)}/object${qs({ key })}`, undefined, { signal: controller.signal });
    renderPreview(stage, bucket, d, controller.signal);
    renderDetails(info, bucket, d, may);
  } catch (e) {
    if (e.name === 'AbortError') return;
    replace(stage, h('p', { class: 'form-error', role: 'alert' }, e.message));
  }
}

function renderPreview(stage, bucket, d, signal) {
  const kind = kindOf(d.contentType, d.key);
  const src = contentURL(bucket, d.key, true);
  const name = baseName(d.key);
  switch (kind) {
    case 'image':
      replace(stage, h('img', { src, alt: `Preview of ${name}`, id: 'preview-image', decoding: 'async' }));
      return;
    case 'video':
      replace(stage, h('video', { src, controls: true, preload: 'metadata', 'aria-label': `Video ${name}` }));
      return;
    case 'audio':
      replace(stage, h('audio', { src, controls: true, preload: 'metadata', 'aria-label': `Audio ${name}` }));
      return;
    case 'pdf':
      replace(stage, h('iframe', { src, title: `PDF preview of ${name}`, class: 'pdf-frame' }));
      return;
    case 'text': {
      const pre = h('pre', { class: 'text-preview', tabindex: '0', 'aria-label': `Text of ${name}` }, 'Loading…');
      replace(stage, pre);
      fetchText(bucket, d.key, TEXT_PREVIEW_BYTES, signal).then((t) => {
        pre.textContent = t;
        if (d.size > TEXT_PREVIEW_BYTES) stage.append(h('p', { class: 'muted small' }, `Showing the first ${bytes(TEXT_PREVIEW_BYTES)} of ${bytes(d.size)}.`));
      }).catch((e) => {
        if (e.name !== 'AbortError') pre.textContent = e.message;
      });
      return;
    }
    default:
      replace(stage, h('div', { class: 'no-preview' }, icon('file', 'empty-icon'),
        h('p', {}, `There is no preview for ${d.contentType || 'this type of file'}.`), h('p', { class: 'muted' }, 'Download it to open it.')));
  }
}

function dl(rows) {
  return h('dl', { class: 'kv' }, rows.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// lockSection shows a version's object lock state: its retention (mode
// and date) and its legal hold.
function lockSection(l) {
  const until = l.retainUntil ? h('time', { datetime: l.retainUntil }, date(l.retainUntil)) : null;
  const active = l.retainUntil && new Date(l.retainUntil) > new Date();
  return h('section', { 'aria-labelledby': 'sec-lock' }, h('h3', { id: 'sec-lock' }, 'Object lock'), dl([
    ['Retention', l.mode ? h('span', {}, `${l.mode} until `, until, active ? '' : ' (ended)') : 'none'],
    ['Legal hold', l.legalHold || 'never set'],
  ]), h('p', { class: 'muted small' }, l.mode === 'COMPLIANCE' && active
    ? 'This version cannot be deleted by anyone, nor its retention shortened, until the date has passed.'
    : 'A version under retention or legal hold cannot be deleted; deleting the key adds a delete marker.'));
}

function renderDetails(info, bucket, d, may) {
  const sections = [
    h('section', { 'aria-labelledby': 'sec-overview' }, h('h3', { id: 'sec-overview' }, 'Overview'), dl([
      ['Bucket', bucket],
      ['Key', h('code', { class: 'break' }, d.key)],
      ['Size', `${bytes(d.size)} (${count(d.size)} bytes)`],
      ['Last modified', h('time', { datetime: dateTitle(d.modified) }, date(d.modified))],
      ['Content type', d.contentType || '—'],
      ['ETag', h('code', { class: 'break' }, d.etag)],
      ['Storage class', d.storageClass],
      d.parts ? ['Parts', count(d.parts)] : null,
      d.versionId ? ['Version', h('code', {}, d.versionId)] : null,
    ])),
    h('section', { 'aria-labelledby': 'sec-checksums' }, h('h3', { id: 'sec-checksums' }, 'Checksums'),
      d.checksums.length
        ? dl(d.checksums.map((c) => [`${c.algorithm}${c.type ? ` (${c.type.toLowerCase().replace('_', ' ')})` : ''}`, h('code', { class: 'break' }, c.value)]))
        : h('p', { class: 'muted small' }, d.parts
          ? 'No additional checksum was stored with this object. Its ETag is the MD5 of its parts\' MD5s, followed by the part count.'
          : 'No additional checksum was stored with this object. Its ETag is the MD5 of its content.')),
    h('section', { 'aria-labelledby': 'sec-meta' }, h('h3', { id: 'sec-meta' }, 'Metadata'),
      Object.keys(d.headers).length + Object.keys(d.metadata).length
        ? dl([...Object.entries(d.headers), ...Object.entries(d.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])])
        : h('p', { class: 'muted small' }, 'No user metadata.')),
    tagsSection(bucket, d, may['s3:PutObjectTagging']),
    versionsSection(bucket, d, may['s3:PutObject']),
  ];
  if (d.lock) sections.splice(1, 0, lockSection(d.lock));
  replace(info, sections);
}

// versionsSection lists the key's versions and delete markers, newest
// first; each version's lock state shows on demand, and an older version
// can be restored (copied over the key as its newest version).
function versionsSection(bucket, d, mayRestore) {
  const sec = h('section', { 'aria-labelledby': 'sec-versions' }, h('h3', { id: 'sec-versions' }, 'Versions'),
    h('p', { class: 'muted small' }, 'Loading…'));
  const load = async () => {
    let res;
    try {
      res = await call('GET', `${bucketPath(bucket)}/versions${qs({ key: d.key })}`);
    } catch (e) {
      replace(sec, h('h3', { id: 'sec-versions' }, 'Versions'), h('p', { class: 'form-error' }, e.message));
      return;
    }
    if (res.versions.length <= 1) {
      replace(sec, h('h3', { id: 'sec-versions' }, 'Versions'), h('p', { class: 'muted small' },
        'Only this version. Enable versioning on the bucket to keep every version of its objects.'));
      return;
    }
    const rows = res.versions.map((v) => versionRow(bucket, d.key, v, load, mayRestore));
    replace(sec, h('h3', { id: 'sec-versions' }, 'Versions'), h('ul', { class: 'versions', id: 'versions' }, rows),
      res.truncated ? h('p', { class: 'muted small' }, 'Showing the newest 1,000 versions.') : null);
  };
  load();
  return sec;
}

function versionRow(bucket, key, v, reload, mayRestore) {
  const id = v.versionId === 'null' ? 'null' : `…${v.versionId.slice(-8)}`;
  const detail = h('div', { class: 'version-lock small muted' });
  const what = v.deleteMarker ? 'Delete marker' : bytes(v.size);
  const show = button('Lock state', {
    cls: 'btn btn-ghost btn-small', onclick: async () => {
      try {
        const vd = await call('GET', `${bucketPath(bucket)}/object${qs({ key, versionId: v.versionId })}`);
        const l = vd.lock || {};
        replace(detail, l.mode ? `Retention: ${l.mode} until ${date(l.retainUntil)}. ` : 'No retention. ',
          `Legal hold: ${l.legalHold || 'never set'}.`);
      } catch (e) {
        replace(detail, e.message);
      }
    },
  });
  const restore = button('Restore', {
    cls: 'btn btn-small', onclick: async () => {
      const ok = await confirmDialog({ title: 'Restore version', message: `Make this version of ${key} the newest again? Every other version is kept.`, confirmLabel: 'Restore' });
      if (!ok) return;
      try {
        await call('POST', `${bucketPath(bucket)}/restore`, { key, versionId: v.versionId });
        toast('Version restored.');
        reload();
      } catch (e) {
        toast(e.message, 'error');
      }
    },
  });
  return h('li', { class: 'version-row', dataset: { versionId: v.versionId } },
    h('div', { class: 'version-head' },
      h('code', { title: v.versionId }, id), ' ',
      h('time', { datetime: dateTitle(v.modified) }, date(v.modified)), ' · ', what,
      v.latest ? h('span', { class: 'badge' }, 'latest') : null),
    v.deleteMarker ? null : h('div', { class: 'actions' }, show, v.latest || !mayRestore ? null : restore),
    detail);
}

function tagsSection(bucket, d, mayEdit) {
  const sec = h('section', { 'aria-labelledby': 'sec-tags' });
  let tags = Object.entries(d.tags);
  const draw = (editing) => {
    const head = h('div', { class: 'section-head' }, h('h3', { id: 'sec-tags' }, 'Tags'),
      editing || !mayEdit ? null : button('Edit tags', { cls: 'btn btn-ghost btn-small', onclick: () => draw(true) }));
    if (!editing) {
      replace(sec, head, tags.length ? h('ul', { class: 'tags' }, tags.map(([k, v]) => h('li', { class: 'tag' }, h('span', { class: 'tag-k' }, k), h('span', { class: 'tag-v' }, v))))
        : h('p', { class: 'muted small' }, 'No tags.'));
      return;
    }
    const rows = h('div', { class: 'tag-rows' });
    const addRow = (k = '', v = '') => {
      const i = rows.children.length;
      const row = h('div', { class: 'tag-row' },
        h('input', { value: k, 'aria-label': `Tag ${i + 1} key`, maxlength: '128', class: 'tag-key' }),
        h('input', { value: v, 'aria-label': `Tag ${i + 1} value`, maxlength: '256', class: 'tag-value' }),
        button(`Remove tag ${i + 1}`, { iconName: 'close', iconOnly: true, cls: 'btn btn-ghost btn-small', onclick: () => row.remove() }));
      rows.append(row);
      return row;
    };
    tags.forEach(([k, v]) => addRow(k, v));
    const err = h('p', { class: 'form-error', role: 'alert' });
    const save = async () => {
      const next = {};
      for (const row of rows.children) {
        const k = row.querySelector('.tag-key').value.trim();
        if (k) next[k] = row.querySelector('.tag-value').value;
      }
      if (Object.keys(next).length > 10) {
        err.textContent = 'An object can have at most 10 tags.';
        return;
      }
      try {
        await call('PUT', `${bucketPath(bucket)}/tags${qs({ key: d.key })}`, { tags: next });
        tags = Object.entries(next);
        toast('Tags saved.');
        draw(false);
      } catch (e) {
        err.textContent = e.message;
      }
    };
    replace(sec, head, rows, err, h('div', { class: 'actions' },
      button('Add tag', { iconName: 'plus', cls: 'btn btn-ghost btn-small', onclick: () => addRow().querySelector('input').focus() }),
      button('Cancel', { cls: 'btn btn-small', onclick: () => draw(false) }),
      button('Save tags', { cls: 'btn btn-primary btn-small', onclick: save })));
    (rows.querySelector('input') || sec.querySelector('.actions button')).focus();
  };
  draw(false);
  return sec;
}

const EXPIRIES = [
  ['15 minutes', 900], ['1 hour', 3600], ['6 hours', 6 * 3600], ['1 day', 86400], ['3 days', 3 * 86400], ['7 days (the longest)', 7 * 86400],
];
const MAX_EXPIRY = 7 * 86400;

// localInput formats a Date for a datetime-local input.
function localInput(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// shareDialog creates a presigned download link with a chosen expiry.
export function shareDialog(bucket, key) {
  const select = h('select', { id: 'share-expiry' },
    EXPIRIES.map(([label, secs]) => h('option', { value: String(secs), selected: secs === 86400 }, label)),
    h('option', { value: 'custom' }, 'Until a date and time…'));
  const now = new Date();
  const until = h('input', { type: 'datetime-local', id: 'share-until', min: localInput(new Date(now.getTime() + 60000)), max: localInput(new Date(now.getTime() + MAX_EXPIRY * 1000 - 60000)), value: localInput(new Date(now.getTime() + 86400000)) });
  const untilField = h('div', { class: 'field', hidden: true }, h('label', { for: 'share-until' }, 'Link works until'), until);
  select.addEventListener('change', () => { untilField.hidden = select.value !== 'custom'; });
  const err = h('p', { class: 'form-error', role: 'alert' });
  const result = h('div', { class: 'share-result', 'aria-live': 'polite' });
  const create = h('button', { type: 'submit', class: 'btn btn-primary', form: 'share-form', id: 'create-link' }, 'Create link');
  const form = h('form', { id: 'share-form', class: 'stack' },
    h('p', {}, 'Anyone with the link can download ', h('strong', { class: 'break' }, baseName(key)), ' until it expires, without signing in.'),
    h('div', { class: 'field' }, h('label', { for: 'share-expiry' }, 'Link expires after'), select), untilField, err, result);
  const dlg = modal({ title: 'Share a download link', body: form, actions: [button('Done', { onclick: () => dlg.close() }), create] });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    let secs = Number(select.value);
    if (select.value === 'custom') {
      secs = Math.round((new Date(until.value).getTime() - Date.now()) / 1000);
      if (!(secs >= 60 && secs <= MAX_EXPIRY)) {
        err.textContent = 'Pick a time between one minute and seven days from now.';
        until.focus();
        return;
      }
    }
    create.disabled = true;
    try {
      const res = await call('POST', `${bucketPath(bucket)}/share`, { key, expiresSeconds: secs });
      showLink(result, res);
      create.textContent = 'Create another link';
    } catch (ex) {
      err.textContent = ex.message;
    } finally {
      create.disabled = false;
    }
  });
  select.focus();
}

function showLink(result, res) {
  const input = h('input', { id: 'share-url', readonly: true, value: res.url, 'aria-label': 'Share link', spellcheck: 'false' });
  const copy = button('Copy link', { iconName: 'copy', cls: 'btn btn-primary', attrs: { id: 'copy-link' } });
  copy.addEventListener('click', async () => {
    let ok = false;
    try {
      await navigator.clipboard.writeText(res.url);
      ok = true;
    } catch {
      input.select();
      ok = document.execCommand && document.execCommand('copy');
    }
    replace(copy, icon(ok ? 'check' : 'copy'), h('span', {}, ok ? 'Copied' : 'Press Ctrl+C to copy'));
    if (ok) toast('Link copied to the clipboard.');
    input.select();
  });
  replace(result,
    h('div', { class: 'input-with-button' }, input, copy),
    h('p', { class: 'muted small' }, 'Expires ', h('time', { datetime: res.expires }, date(res.expires)), '.'));
  input.focus();
  input.select();
}
