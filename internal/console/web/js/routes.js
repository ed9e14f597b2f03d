// Fragment routes: #/buckets, #/b/BUCKET/PREFIX (prefix URI-encoded as one
// component), #/s/BUCKET (bucket settings), #/dashboard, #/iam/TAB (users,
// groups, policies, svcaccts), #/keys (your own service accounts).

// IAM_TABS are the identity pages, in menu order.
export const IAM_TABS = ['users', 'groups', 'policies', 'svcaccts'];

// parseRoute turns the fragment into a view and its parameters.
export function parseRoute(hash) {
  const path = hash.replace(/^#\/?/, '');
  if (path === 'dashboard') return { view: 'dashboard' };
  if (path === 'keys') return { view: 'keys' };
  if (path.startsWith('iam/') && IAM_TABS.includes(path.slice(4))) return { view: 'iam', tab: path.slice(4) };
  if (path.startsWith('s/')) {
    try {
      const bucket = decodeURIComponent(path.slice(2));
      if (bucket) return { view: 'settings', bucket };
    } catch {
      // a malformed fragment falls through to the bucket list
    }
  }
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

// settingsHash is the fragment of a bucket's settings (policy, CORS).
export function settingsHash(bucket) {
  return `#/s/${encodeURIComponent(bucket)}`;
}
