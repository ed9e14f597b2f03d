// Fragment routes: #/buckets, #/b/BUCKET/PREFIX (prefix URI-encoded as one
// component), #/dashboard.

// parseRoute turns the fragment into a view and its parameters.
export function parseRoute(hash) {
  const path = hash.replace(/^#\/?/, '');
  if (path === 'dashboard') return { view: 'dashboard' };
  if (path.startsWith('b/')) {
    const rest = path.slice(2);
    const slash = rest.indexOf('/');
    try {
      const bucket = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
      const prefix = slash < 0 ? '' : decodeURIComponent(rest.slice(slash + 1));
      if (bucket) return { view: 'browser', bucket, prefix };
    } catch {
      // a malformed fragment falls through to the bucket list
    }
  }
  return { view: 'buckets' };
}

// browseHash is the fragment of a folder in a bucket.
export function browseHash(bucket, prefix = '') {
  return `#/b/${encodeURIComponent(bucket)}${prefix ? `/${encodeURIComponent(prefix)}` : ''}`;
}
