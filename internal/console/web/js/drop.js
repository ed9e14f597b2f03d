// Files dropped on the page, folders included (walked recursively with the
// File and Directory Entries API), with their paths relative to the drop.

// MAX_DROPPED bounds how many files one drop may queue.
const MAX_DROPPED = 20000;

function fileOf(entry) {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readBatch(reader) {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry, out) {
  if (out.length >= MAX_DROPPED) return;
  if (entry.isFile) {
    out.push({ file: await fileOf(entry), path: entry.fullPath.replace(/^\/+/, '') });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = entry.createReader();
  // readEntries returns at most about 100 entries a call; an empty batch ends it.
  for (let i = 0; i < MAX_DROPPED; i++) {
    const batch = await readBatch(reader);
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, out);
  }
}

// collectDropped returns [{file, path}] for a drop. It must be called from
// the drop event handler: the entries are taken before its first await.
export async function collectDropped(dt) {
  const items = [...(dt.items || [])].filter((i) => i.kind === 'file');
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  if (entries.length === 0 || entries.some((e) => !e)) {
    return [...dt.files].map((file) => ({ file, path: file.name }));
  }
  const out = [];
  for (const e of entries) await walk(e, out);
  return out;
}
