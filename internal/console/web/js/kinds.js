// What kind of file an object is, for its icon and its preview; mirrors
// the server's choice of what it will serve inline.

const EXT = {
  image: ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'bmp', 'svg', 'ico'],
  video: ['mp4', 'webm', 'ogv', 'mov', 'm4v'],
  audio: ['mp3', 'wav', 'ogg', 'oga', 'flac', 'm4a', 'aac', 'opus'],
  pdf: ['pdf'],
  text: ['txt', 'md', 'log', 'csv', 'tsv', 'json', 'ndjson', 'yaml', 'yml', 'toml', 'ini', 'conf', 'cfg', 'env',
    'xml', 'html', 'htm', 'css', 'js', 'mjs', 'ts', 'go', 'py', 'rb', 'rs', 'java', 'c', 'h', 'cpp', 'sh', 'bash',
    'sql', 'tex', 'rst', 'diff', 'patch'],
};

const TEXT_TYPES = ['application/json', 'application/xml', 'application/javascript', 'application/x-yaml', 'application/yaml'];

// extKind classifies a key by its extension.
export function extKind(key) {
  const m = /\.([A-Za-z0-9]+)$/.exec(key);
  if (!m) return '';
  const ext = m[1].toLowerCase();
  for (const [kind, list] of Object.entries(EXT)) if (list.includes(ext)) return kind;
  return '';
}

// kindOf classifies an object by its stored content type, falling back to
// its name: image, video, audio, pdf, text or '' (download only).
export function kindOf(contentType, key) {
  const t = (contentType || '').split(';')[0].trim().toLowerCase();
  if (!t || t === 'application/octet-stream' || t === 'binary/octet-stream') return extKind(key);
  if (t.startsWith('image/')) return 'image';
  if (t.startsWith('video/')) return 'video';
  if (t.startsWith('audio/')) return 'audio';
  if (t === 'application/pdf') return 'pdf';
  if (t.startsWith('text/') || TEXT_TYPES.includes(t) || t.endsWith('+json') || t.endsWith('+xml')) return 'text';
  return extKind(key) === 'text' ? 'text' : '';
}

// iconFor names the icon of a key.
export function iconFor(key) {
  return extKind(key) || 'file';
}
