// The upload manager: a queue of files, each sent in one request or, when
// large, as a multipart upload in parts (several in flight, each retried),
// with a progress bar and a cancel button per file.

import { send, call, bucketPath, qs, ApiError } from './api.js';
import { h, icon, replace, button, bytes, announce } from './ui.js';

const MiB = 1024 * 1024;

// tuning can be adjusted at run time (window.hoardConsole.uploads.tuning).
const tuning = {
  // Files larger than this go in parts.
  multipartThreshold: 64 * MiB,
  // The smallest part; larger files get larger parts so they fit in 10,000.
  partSize: 16 * MiB,
  // Parts of one file in flight at once, and files uploading at once.
  partConcurrency: 3,
  fileConcurrency: 3,
  // Attempts per part before the file fails.
  partAttempts: 3,
};

let nextId = 1;

class Upload {
  constructor(bucket, key, file) {
    this.id = nextId++;
    this.bucket = bucket;
    this.key = key;
    this.file = file;
    this.size = file.size;
    this.loaded = 0;
    this.state = 'queued';
    this.error = '';
    this.aborts = new Set();
    this.uploadId = '';
    this.started = 0;
  }

  get finished() {
    return this.state === 'done' || this.state === 'failed' || this.state === 'cancelled';
  }
}

class UploadManager {
  constructor() {
    this.tuning = tuning;
    this.items = [];
    this.listeners = new Set();
    this.root = null;
    this.list = null;
    this.summary = null;
    this.collapsed = false;
    this.frame = 0;
  }

  // add queues files ([{file, path}]) for upload under bucket/prefix.
  add(bucket, prefix, files) {
    for (const { file, path } of files) this.items.push(new Upload(bucket, prefix + (path || file.name), file));
    this.collapsed = false;
    this.pump();
    this.render();
    announce(`${files.length} file${files.length === 1 ? '' : 's'} queued for upload.`);
  }

  // onFinished calls f(upload) whenever an upload succeeds; it returns a
  // function that removes the listener.
  onFinished(f) {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  active() {
    return this.items.filter((u) => !u.finished).length;
  }

  pump() {
    const running = this.items.filter((u) => u.state === 'uploading').length;
    const queued = this.items.filter((u) => u.state === 'queued');
    for (const u of queued.slice(0, Math.max(0, tuning.fileConcurrency - running))) this.run(u);
  }

  async run(u) {
    u.state = 'uploading';
    u.started = performance.now();
    this.render();
    try {
      if (u.size > tuning.multipartThreshold) await this.multipart(u);
      else await this.single(u);
      u.state = 'done';
      u.loaded = u.size;
      announce(`Uploaded ${u.key}.`);
      for (const f of this.listeners) f(u);
    } catch (e) {
      if (u.state !== 'cancelled') {
        u.state = 'failed';
        u.error = e.message;
        announce(`Upload of ${u.key} failed: ${e.message}`);
      }
      if (u.uploadId) this.abortRemote(u);
    }
    this.render();
    this.pump();
    if (this.active() === 0) {
      // Everything finished: fold the list away after a moment, keeping the summary.
      clearTimeout(this.foldTimer);
      this.foldTimer = setTimeout(() => {
        if (this.active() === 0 && !this.items.some((x) => x.state === 'failed')) {
          this.collapsed = true;
          this.render();
        }
      }, 4000);
    }
  }

  async single(u) {
    const req = send('PUT', `${bucketPath(u.bucket)}/object${qs({ key: u.key })}`, u.file, {
      contentType: u.file.type || 'application/octet-stream',
      onprogress: (n) => { u.loaded = n; this.render(); },
    });
    u.aborts.add(req.abort);
    try {
      await req.promise;
    } finally {
      u.aborts.delete(req.abort);
    }
  }

  async multipart(u) {
    const partSize = Math.max(tuning.partSize, Math.ceil(u.size / 10000 / MiB) * MiB);
    const parts = Math.ceil(u.size / partSize);
    const base = `${bucketPath(u.bucket)}/uploads`;
    const { uploadId } = await call('POST', base, { key: u.key, contentType: u.file.type || 'application/octet-stream' });
    u.uploadId = uploadId;
    if (u.state === 'cancelled') throw new ApiError(0, 'Aborted', 'Cancelled.');
    const loaded = new Array(parts).fill(0);
    const etags = new Array(parts);
    let next = 0;
    const worker = async () => {
      while (next < parts && u.state === 'uploading') {
        const i = next++;
        const blob = u.file.slice(i * partSize, Math.min(u.size, (i + 1) * partSize));
        etags[i] = await this.part(u, `${base}/part${qs({ key: u.key, uploadId, partNumber: i + 1 })}`, blob, (n) => {
          loaded[i] = n;
          u.loaded = loaded.reduce((a, b) => a + b, 0);
          this.render();
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(tuning.partConcurrency, parts) }, worker));
    if (u.state !== 'uploading') throw new ApiError(0, 'Aborted', 'Cancelled.');
    await call('POST', `${base}/complete${qs({ key: u.key, uploadId })}`, {
      parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })),
    });
    u.uploadId = '';
  }

  // part sends one part, retrying network and server errors with backoff.
  async part(u, url, blob, onprogress) {
    for (let attempt = 1; ; attempt++) {
      const req = send('PUT', url, blob, { onprogress });
      u.aborts.add(req.abort);
      try {
        const res = await req.promise;
        return res.etag;
      } catch (e) {
        onprogress(0);
        const retry = u.state === 'uploading' && attempt < tuning.partAttempts && (e.status === 0 || e.status >= 500) && e.code !== 'Aborted';
        if (!retry) throw e;
        await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
      } finally {
        u.aborts.delete(req.abort);
      }
    }
  }

  abortRemote(u) {
    const uploadId = u.uploadId;
    u.uploadId = '';
    call('DELETE', `${bucketPath(u.bucket)}/uploads${qs({ key: u.key, uploadId })}`).catch(() => {});
  }

  cancel(u) {
    if (u.finished) return;
    u.state = 'cancelled';
    for (const abort of u.aborts) abort();
    if (u.uploadId) this.abortRemote(u);
    announce(`Upload of ${u.key} cancelled.`);
    this.render();
    this.pump();
  }

  cancelAll() {
    for (const u of this.items) this.cancel(u);
  }

  clearFinished() {
    this.items = this.items.filter((u) => !u.finished);
    this.render();
  }

  // panel returns the upload panel element (re-created with each shell).
  panel() {
    this.summary = h('h2', { id: 'uploads-title' }, 'Uploads');
    const toggle = button('Hide uploads', {
      iconName: 'down', iconOnly: true, cls: 'btn btn-ghost btn-small',
      attrs: { 'aria-expanded': 'true', 'aria-controls': 'upload-list' },
      onclick: () => { this.collapsed = !this.collapsed; this.render(); },
    });
    this.toggle = toggle;
    const clear = button('Clear', { cls: 'btn btn-ghost btn-small', onclick: () => this.clearFinished(), attrs: { 'aria-label': 'Clear finished uploads', title: 'Clear finished uploads' } });
    this.list = h('ul', { class: 'upload-list', id: 'upload-list' });
    this.root = h('section', { class: 'uploads', 'aria-labelledby': 'uploads-title', hidden: true },
      h('header', {}, this.summary, h('div', { class: 'actions' }, clear, toggle)), this.list);
    this.rows = new Map();
    this.render();
    return this.root;
  }

  render() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw() {
    if (!this.root) return;
    this.root.hidden = this.items.length === 0;
    const done = this.items.filter((u) => u.state === 'done').length;
    this.summary.textContent = `${done} of ${this.items.length} uploaded`;
    this.list.hidden = this.collapsed;
    this.toggle.setAttribute('aria-expanded', String(!this.collapsed));
    this.toggle.setAttribute('aria-label', this.collapsed ? 'Show uploads' : 'Hide uploads');
    this.toggle.title = this.toggle.getAttribute('aria-label');
    replace(this.toggle, icon(this.collapsed ? 'up' : 'down'));
    const keep = new Set(this.items.map((u) => u.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.el.remove();
        this.rows.delete(id);
      }
    }
    for (const u of this.items) {
      let row = this.rows.get(u.id);
      if (!row) {
        row = this.row(u);
        this.rows.set(u.id, row);
        this.list.append(row.el);
      }
      this.update(u, row);
    }
  }

  row(u) {
    const name = u.key.split('/').pop() || u.key;
    const progress = h('progress', { max: String(Math.max(u.size, 1)), value: '0', 'aria-label': `Upload progress of ${name}` });
    const detail = h('span', { class: 'upload-detail' });
    const cancel = button(`Cancel upload of ${name}`, { iconName: 'close', iconOnly: true, cls: 'btn btn-ghost btn-small', onclick: () => this.cancel(u) });
    const state = h('span', { class: 'upload-state' });
    const el = h('li', { class: 'upload', dataset: { key: u.key } },
      h('div', { class: 'upload-head' }, state, h('span', { class: 'upload-name truncate', title: `${u.bucket}/${u.key}` }, name), cancel),
      progress, detail);
    return { el, progress, detail, cancel, state };
  }

  update(u, row) {
    row.el.dataset.state = u.state;
    row.progress.value = u.state === 'done' ? Math.max(u.size, 1) : u.loaded;
    row.cancel.hidden = u.finished;
    replace(row.state, icon({ done: 'check', failed: 'warn', cancelled: 'x' }[u.state] || 'upload'));
    const secs = (performance.now() - u.started) / 1000;
    const speed = u.state === 'uploading' && secs > 0.5 ? ` · ${bytes(u.loaded / secs)}/s` : '';
    const text = {
      queued: `Waiting · ${bytes(u.size)}`,
      uploading: `${bytes(u.loaded)} of ${bytes(u.size)}${speed}`,
      done: `Done · ${bytes(u.size)}`,
      failed: `Failed: ${u.error}`,
      cancelled: 'Cancelled',
    }[u.state];
    row.detail.textContent = text;
  }
}

// uploads is the console's single upload manager.
export const uploads = new UploadManager();
