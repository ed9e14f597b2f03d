// The console's JSON API. The session cookie is HttpOnly; the CSRF token
// lives only in this module's memory and goes in a header on every call
// that changes something.

let csrfToken = '';
let onSignedOut = () => {};

// ApiError is a failed API call: status, code and a message for people.
export class ApiError extends Error {
  constructor(status, code, message, body = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export function setSession(session) {
  csrfToken = session ? session.csrfToken : '';
}

// whenSignedOut registers what to do when the server says the session ended.
export function whenSignedOut(f) {
  onSignedOut = f;
}

function headers(method, extra = {}) {
  const hdr = { Accept: 'application/json', ...extra };
  if (method !== 'GET' && method !== 'HEAD') hdr['X-Hoard-CSRF'] = csrfToken;
  return hdr;
}

async function failure(res) {
  let body = {};
  try {
    body = await res.json();
  } catch {
    body = {};
  }
  const err = new ApiError(res.status, body.code || `HTTP${res.status}`, body.message || `The server answered ${res.status} ${res.statusText}.`, body);
  if (res.status === 401 && body.code === 'NoSession') onSignedOut(err);
  return err;
}

// call sends a JSON API request and returns the decoded answer. With raw,
// body is a string sent as it is (a policy document as typed).
export async function call(method, path, body, { signal, raw = false } = {}) {
  const init = { method, headers: headers(method), credentials: 'same-origin', signal };
  if (body !== undefined) {
    init.body = raw ? body : JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NetworkError', 'The console server cannot be reached. Check your connection.');
  }
  if (!res.ok) throw await failure(res);
  return res.json();
}

// qs builds a query string from an object, skipping empty values.
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const bucketPath = (bucket) => `/api/buckets/${encodeURIComponent(bucket)}`;

// adminPath is the console's route to an admin API endpoint (iam/..., sts/...,
// access); the admin API authorizes every call for the signed-in user.
export const adminPath = (path) => `/api/admin/${path}`;

// can asks the server which of checks ({action, bucket?, key?}) the
// signed-in user may take, as its policies decide; it resolves to a list of
// booleans, or null when the server cannot say (the page then shows the
// control, and the server still refuses what is not allowed).
export async function can(checks) {
  try {
    const res = await call('POST', adminPath('access'), { checks });
    return res.results.map((r) => r.allowed);
  } catch {
    return null;
  }
}

// contentURL is where an object's bytes are served, inline or as a download.
export function contentURL(bucket, key, inline) {
  return `${bucketPath(bucket)}/content${qs({ key, disposition: inline ? 'inline' : 'attachment' })}`;
}

// fetchText reads up to limit bytes of an object as text.
export async function fetchText(bucket, key, limit, signal) {
  const res = await fetch(contentURL(bucket, key, true), {
    headers: { Range: `bytes=0-${limit - 1}` },
    credentials: 'same-origin',
    signal,
  });
  if (!res.ok) throw await failure(res);
  return res.text();
}

// send uploads body with XMLHttpRequest, which reports upload progress.
// It returns {promise, abort}.
export function send(method, path, body, { contentType, onprogress } = {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open(method, path);
    xhr.setRequestHeader('X-Hoard-CSRF', csrfToken);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', contentType || 'application/octet-stream');
    xhr.responseType = 'json';
    if (onprogress) xhr.upload.addEventListener('progress', (e) => onprogress(e.loaded));
    xhr.addEventListener('load', () => {
      const b = xhr.response || {};
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(b);
        return;
      }
      if (xhr.status === 401 && b.code === 'NoSession') onSignedOut();
      reject(new ApiError(xhr.status, b.code || `HTTP${xhr.status}`, b.message || `The server answered ${xhr.status}.`, b));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'NetworkError', 'The connection to the server broke.')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'Aborted', 'Cancelled.')));
    xhr.send(body);
  });
  return { promise, abort: () => xhr.abort() };
}
