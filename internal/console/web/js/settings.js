// Bucket settings (#/s/BUCKET): the bucket policy and CORS editors, and
// "make public" (anyone may download the objects) behind a clear warning.
// The documents are read and written with the S3 calls, so S3 validates
// them with the server's parsers and refuses what the user may not do;
// the sections show only what the server says the user may do.

import { call, can, bucketPath } from './api.js';
import { h, icon, replace, button, toast, modal } from './ui.js';
import { browseHash } from './routes.js';
import { docEditor, pretty } from './editor.js';

const CORS_EXAMPLE = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>https://app.example.com</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export async function show(root, route) {
  const { bucket } = route;
  document.title = `Settings of ${bucket} · Hoard`;
  const checks = ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketCORS', 's3:PutBucketCORS'];
  const res = (await can(checks.map((action) => ({ action, bucket })))) || checks.map(() => true);
  const may = Object.fromEntries(checks.map((a, i) => [a, res[i]]));
  const sections = [];
  if (may['s3:GetBucketPolicy'] || may['s3:PutBucketPolicy']) sections.push(await policySection(bucket, may));
  if (may['s3:GetBucketCORS'] || may['s3:PutBucketCORS']) sections.push(await corsSection(bucket, may));
  replace(root,
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, h('ol', {},
      h('li', {}, h('a', { href: '#/buckets' }, 'Buckets')),
      h('li', {}, h('a', { href: browseHash(bucket) }, bucket)),
      h('li', {}, h('span', { 'aria-current': 'page' }, 'Settings')))),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, `Settings of ${bucket}`))),
    sections.length ? sections : h('p', { class: 'muted' }, 'Your access key may not read or change this bucket\'s settings.'));
  return null;
}

// load reads the bucket's policy or CORS document ("" for none).
async function load(bucket, doc) {
  return (await call('GET', `${bucketPath(bucket)}/config/${doc}`)).document;
}

// save stores the document ("" removes it) and shows S3's refusal in the
// editor, at its line and column for a JSON syntax error.
async function save(bucket, doc, editor, text, what) {
  try {
    await call('PUT', `${bucketPath(bucket)}/config/${doc}`, { document: text });
  } catch (e) {
    if (e.status === 400) editor.showError(e);
    else toast(e.message, 'error');
    return false;
  }
  editor.set(doc === 'policy' ? pretty(text) : text);
  toast(text ? `${what} saved.` : `${what} removed.`);
  return true;
}

async function policySection(bucket, may) {
  let text = '';
  let problem = '';
  try {
    text = may['s3:GetBucketPolicy'] ? pretty(await load(bucket, 'policy')) : '';
  } catch (e) {
    problem = e.message;
  }
  const editor = docEditor({ id: 'bucket-policy', label: 'Bucket policy (JSON)', value: text, rows: 14, readOnly: !may['s3:PutBucketPolicy'],
    hint: 'Empty: no bucket policy. Saving checks the document with the server\'s policy parser.' });
  editor.textarea.dataset.tabs = 'on';
  const acts = [];
  if (may['s3:PutBucketPolicy']) {
    acts.push(button('Save policy', { cls: 'btn btn-primary', attrs: { id: 'save-policy' }, onclick: () => save(bucket, 'policy', editor, editor.value().trim(), 'Bucket policy') }));
    acts.push(button('Make public…', { iconName: 'warn', cls: 'btn btn-danger-ghost', attrs: { id: 'make-public' }, onclick: () => makePublic(bucket, editor) }));
  }
  if (may['s3:DeleteBucketPolicy']) {
    acts.push(button('Remove policy', { iconName: 'trash', cls: 'btn btn-danger-ghost', attrs: { id: 'remove-policy' }, onclick: () => save(bucket, 'policy', editor, '', 'Bucket policy') }));
  }
  return h('section', { class: 'panel stack', 'aria-labelledby': 'sec-policy' },
    h('h2', { id: 'sec-policy' }, icon('lock'), ' Access policy'),
    h('p', { class: 'muted small' }, 'A bucket policy grants (or denies) access to this bucket to other users, or to anyone.'),
    problem ? h('p', { class: 'form-error' }, problem) : null,
    editor.el, h('div', { class: 'actions' }, acts));
}

// makePublic explains what it does and applies it only once confirmed.
function makePublic(bucket, editor) {
  const understood = h('input', { type: 'checkbox', id: 'public-understood' });
  const err = h('p', { class: 'form-error', role: 'alert' });
  const go = button('Make public', { cls: 'btn btn-danger', attrs: { id: 'public-confirm' } });
  const dlg = modal({
    title: `Make ${bucket} public?`,
    body: h('div', { class: 'stack' },
      h('p', { class: 'callout callout-warn', id: 'public-warning' }, icon('warn'),
        h('span', {}, `Anyone who can reach this server will be able to download every object in ${bucket}, without signing in, by its name. They cannot list the bucket, upload or delete.`)),
      h('p', {}, 'This adds one statement (s3:GetObject for everyone) to the bucket policy and keeps the others. Remove it from the policy to make the bucket private again.'),
      h('div', { class: 'check' }, understood, h('label', { for: 'public-understood' }, 'I understand that the objects become readable by anyone.')),
      err),
    actions: [button('Cancel', { onclick: () => dlg.close() }), go],
  });
  go.addEventListener('click', async () => {
    if (!understood.checked) {
      err.textContent = 'Tick the box to confirm that the objects may become public.';
      understood.focus();
      return;
    }
    go.disabled = true;
    try {
      const res = await call('POST', `${bucketPath(bucket)}/public`, {});
      editor.set(pretty(res.document));
      dlg.close();
      toast(`${bucket} is now public: anyone can download its objects.`);
    } catch (e) {
      err.textContent = e.message;
      go.disabled = false;
    }
  });
  understood.focus();
}

async function corsSection(bucket, may) {
  let text = '';
  let problem = '';
  try {
    text = may['s3:GetBucketCORS'] ? await load(bucket, 'cors') : '';
  } catch (e) {
    problem = e.message;
  }
  const editor = docEditor({ id: 'bucket-cors', label: 'CORS configuration (S3 XML)', value: text, rows: 10, readOnly: !may['s3:PutBucketCORS'],
    hint: 'Which web sites may call this bucket from a browser. Empty: none.' });
  const acts = [];
  if (may['s3:PutBucketCORS']) {
    acts.push(button('Save CORS', { cls: 'btn btn-primary', attrs: { id: 'save-cors' }, onclick: () => save(bucket, 'cors', editor, editor.value().trim(), 'CORS configuration') }));
    acts.push(button('Insert an example', { attrs: { id: 'cors-example' }, onclick: () => editor.set(CORS_EXAMPLE) }));
    acts.push(button('Remove CORS', { iconName: 'trash', cls: 'btn btn-danger-ghost', attrs: { id: 'remove-cors' }, onclick: () => save(bucket, 'cors', editor, '', 'CORS configuration') }));
  }
  return h('section', { class: 'panel stack', 'aria-labelledby': 'sec-cors' },
    h('h2', { id: 'sec-cors' }, icon('share'), ' Cross-origin access (CORS)'),
    problem ? h('p', { class: 'form-error' }, problem) : null,
    editor.el, h('div', { class: 'actions' }, acts));
}
