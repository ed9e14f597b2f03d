// The capacity and cost dashboard: nodes and drives with their state, raw
// and usable capacity, usage per bucket, and a cost estimate from prices
// the operator enters (remembered in this browser).

import { call } from './api.js';
import { h, icon, replace, button, bytes, count, date } from './ui.js';
import { browseHash } from './routes.js';

const GB = 1e9;
const COST_KEY = 'hoard.cost';

// estimate computes the monthly cost figures from the capacity and prices.
export function estimate(d, p) {
  const rawGB = d.rawBytes / GB;
  const usableGB = d.usableBytes / GB;
  const storedGB = d.usedBytes / GB;
  const overhead = d.dataShards > 0 ? (d.dataShards + d.parityShards) / d.dataShards : 1;
  const storage = rawGB * p.storagePrice;
  const servers = p.servers * p.serverPrice;
  const monthly = storage + servers;
  return {
    overhead,
    monthly,
    storage,
    servers,
    perUsableGB: usableGB > 0 ? monthly / usableGB : 0,
    perStoredGB: storedGB > 0 ? monthly / storedGB : 0,
    storedShare: usableGB > 0 ? (storedGB / usableGB) * monthly : 0,
    storedGB,
  };
}

function loadPrices(d) {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(COST_KEY) || '{}');
  } catch {
    saved = {};
  }
  return {
    currency: typeof saved.currency === 'string' ? saved.currency : '$',
    storagePrice: Number.isFinite(saved.storagePrice) ? saved.storagePrice : 0.08,
    serverPrice: Number.isFinite(saved.serverPrice) ? saved.serverPrice : 0,
    servers: Number.isFinite(saved.servers) ? saved.servers : Math.max(1, d.nodes.length),
  };
}

export async function show(root) {
  document.title = 'Capacity & cost · Hoard';
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const body = h('div', { class: 'dash' });
  const refresh = button('Refresh', { iconName: 'refresh', iconOnly: true, onclick: () => load() });
  replace(root, h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Capacity & cost'), status), h('div', { class: 'actions' }, refresh)), body);
  const controller = new AbortController();
  async function load() {
    status.textContent = 'Loading…';
    try {
      const d = await call('GET', '/api/dashboard', undefined, { signal: controller.signal });
      const mode = d.mode === 'single-drive' ? 'Single drive' : `Erasure coded, ${d.dataShards} data + ${d.parityShards} parity`;
      status.textContent = `${mode} · updated ${date(d.collected)}`;
      replace(body, summary(d), nodes(d), bucketUsage(d), lifecycle(d), costs(d));
    } catch (e) {
      if (e.name === 'AbortError') return;
      status.textContent = '';
      replace(body, h('p', { class: 'form-error', role: 'alert' }, icon('warn'), e.message));
    }
  }
  await load();
  return { dispose: () => controller.abort() };
}

function bar(part, whole, label) {
  const pct = whole > 0 ? Math.min(100, (part / whole) * 100) : 0;
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${pct.toFixed(1)}%`;
  return h('span', { class: 'bar', role: 'img', 'aria-label': `${label}: ${pct.toFixed(0)}%` }, fill);
}

function card(title, value, sub, extra) {
  return h('section', { class: 'card' }, h('h2', { class: 'card-title' }, title), h('p', { class: 'card-value' }, value), sub ? h('p', { class: 'muted small' }, sub) : null, extra);
}

function summary(d) {
  const tolerate = d.parityShards;
  const overhead = d.dataShards > 0 ? (d.dataShards + d.parityShards) / d.dataShards : 1;
  const none = d.mode === 'single-drive' || d.parityShards === 0;
  const protection = none
    ? 'Losing the drive loses the data: keep backups.'
    : `Survives ${tolerate} failed drive${tolerate === 1 ? '' : 's'} per erasure set; each byte takes ${overhead.toFixed(2)} bytes of raw disk.`;
  const storedOfUsable = d.usableBytes > 0 ? d.usedBytes : 0;
  return h('div', { class: 'cards' },
    card('Usable capacity', bytes(d.usableBytes), `${bytes(d.usableFree)} free after parity`, bar(d.usableBytes - d.usableFree, d.usableBytes, 'Usable capacity used')),
    card('Raw capacity', bytes(d.rawBytes), `${bytes(d.rawFree)} free on ${count(d.nodes.reduce((n, x) => n + x.drives.length, 0))} drive(s)`, bar(d.rawBytes - d.rawFree, d.rawBytes, 'Raw capacity used')),
    card('Stored', bytes(storedOfUsable), `${count(d.objects)} object${d.objects === 1 ? '' : 's'} in ${count(d.buckets.length)} bucket${d.buckets.length === 1 ? '' : 's'}`),
    card('Protection', none ? 'None' : `${d.dataShards} + ${d.parityShards} parity`, protection));
}

const STATES = {
  online: { icon: 'check', text: 'Online' },
  offline: { icon: 'x', text: 'Offline' },
  healing: { icon: 'refresh', text: 'Healing' },
  corrupt: { icon: 'warn', text: 'Corrupt' },
};

function nodes(d) {
  return h('section', { class: 'panel', 'aria-labelledby': 'nodes-title' },
    h('h2', { id: 'nodes-title' }, 'Nodes and drives'),
    d.nodes.map((n, i) => {
      const online = n.drives.filter((x) => x.state === 'online').length;
      return h('div', { class: 'node' },
        h('h3', { id: `node-${i}` }, icon('server'), h('span', {}, n.name), h('span', { class: 'muted small' }, ` · ${online} of ${n.drives.length} drives online`)),
        h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'aria-labelledby': `node-${i}` },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Drive'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col', class: 'num' }, 'Used'), h('th', { scope: 'col', class: 'num hide-narrow' }, 'Size'), h('th', { scope: 'col', class: 'hide-narrow' }, h('span', { class: 'sr-only' }, 'Fill')))),
          h('tbody', {}, n.drives.map((x) => {
            const s = STATES[x.state] || { icon: 'info', text: x.state };
            return h('tr', {},
              h('th', { scope: 'row' }, icon('drive'), h('code', { class: 'break' }, x.path || x.endpoint)),
              h('td', {}, h('span', { class: `badge badge-${x.state}` }, icon(s.icon), s.text),
                x.reason ? h('div', { class: 'muted small break' }, x.since ? `${x.reason} (since ${new Date(x.since).toLocaleString()})` : x.reason) : null),
              h('td', { class: 'num' }, bytes(x.totalBytes - x.freeBytes)),
              h('td', { class: 'num hide-narrow' }, bytes(x.totalBytes)),
              h('td', { class: 'hide-narrow bar-cell' }, bar(x.totalBytes - x.freeBytes, x.totalBytes, `${x.path || x.endpoint} used`)));
          })))));
    }));
}

function bucketUsage(d) {
  const total = d.buckets.reduce((n, b) => n + b.bytes, 0);
  return h('section', { class: 'panel', 'aria-labelledby': 'usage-title' },
    h('h2', { id: 'usage-title' }, 'Usage by bucket'),
    d.buckets.length === 0 ? h('p', { class: 'muted' }, 'No buckets yet.') : h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Bucket'), h('th', { scope: 'col', class: 'num' }, 'Objects'), h('th', { scope: 'col', class: 'num' }, 'Size'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Share of stored data'))),
      h('tbody', {}, d.buckets.map((b) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: browseHash(b.name), class: 'name-link' }, icon('bucket'), h('span', {}, b.name))),
        h('td', { class: 'num' }, count(b.objects)),
        h('td', { class: 'num' }, bytes(b.bytes)),
        h('td', { class: 'hide-narrow bar-cell' }, bar(b.bytes, total, `${b.name} share of stored data`))))))));
}

// lifecycle shows what the lifecycle worker of the answering node did: its
// passes and, per kind of action, the counts of the last pass and since start.
function lifecycle(d) {
  const l = d.lifecycle;
  const head = h('h2', { id: 'ilm-title' }, 'Lifecycle');
  if (!l) {
    return h('section', { class: 'panel', 'aria-labelledby': 'ilm-title' }, head, h('p', { class: 'muted' }, 'The lifecycle worker is not running on this node.'));
  }
  const state = l.running ? 'Running a pass' : 'Idle';
  const sets = l.sets && l.sets.length ? `erasure sets ${l.sets.join(', ')}` : 'no erasure set (another node works on them)';
  const rows = [
    ['Versions scanned', 'scanned'], ['Current versions expired', 'expired'], ['Noncurrent versions deleted', 'noncurrent'],
    ['Delete markers removed', 'deleteMarkers'], ['Uploads aborted', 'aborted'], ['Held by object lock', 'held'], ['Errors', 'errors'],
  ];
  return h('section', { class: 'panel', 'aria-labelledby': 'ilm-title' }, head,
    h('p', { class: 'muted', id: 'ilm-state' }, `${state} · ${count(l.passes)} passes (one every ${l.interval}) · this node handles ${sets}` +
      (l.passStarted ? ` · last pass ${date(l.passStarted)}${l.passFinished ? ' to ' + date(l.passFinished) : ''}` : '')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Action'), h('th', { scope: 'col', class: 'num' }, 'This pass'), h('th', { scope: 'col', class: 'num' }, 'Since start'))),
      h('tbody', {}, rows.map(([label, key]) => h('tr', {}, h('th', { scope: 'row' }, label),
        h('td', { class: 'num' }, count(l.current[key])), h('td', { class: 'num' }, count(l.total[key]))))))),
    l.lastError ? h('p', { class: 'form-error', role: 'alert' }, icon('warn'), `Last error: ${l.lastError}`) : null);
}

function numberField(id, label, value, { step = 'any', min = '0', help } = {}) {
  const input = h('input', { id, type: 'number', inputmode: 'decimal', step, min, value: String(value), 'aria-describedby': help ? `${id}-help` : null });
  return { input, el: h('div', { class: 'field' }, h('label', { for: id }, label), input, help ? h('p', { class: 'muted small', id: `${id}-help` }, help) : null) };
}

function costs(d) {
  const p = loadPrices(d);
  const currency = h('input', { id: 'cost-currency', value: p.currency, maxlength: '4', size: '4', autocomplete: 'off' });
  const storage = numberField('cost-storage', 'Block storage, price per GB-month', p.storagePrice, { help: 'What one GB of disk costs you a month (1 GB = 10⁹ bytes).' });
  const server = numberField('cost-server', 'Server, price per month', p.serverPrice, { help: 'Compute per machine, without its disks.' });
  const servers = numberField('cost-servers', 'Servers', p.servers, { step: '1', min: '1' });
  const out = h('div', { class: 'cost-out', 'aria-live': 'polite', id: 'cost-results' });
  const fmt = (v) => {
    const digits = v !== 0 && Math.abs(v) < 1 ? 4 : 2;
    return `${currency.value}${v.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
  };
  const update = () => {
    const prices = {
      currency: currency.value,
      storagePrice: Math.max(0, Number(storage.input.value) || 0),
      serverPrice: Math.max(0, Number(server.input.value) || 0),
      servers: Math.max(0, Math.round(Number(servers.input.value) || 0)),
    };
    localStorage.setItem(COST_KEY, JSON.stringify(prices));
    const e = estimate(d, prices);
    replace(out,
      h('div', { class: 'cost-figure' }, h('span', { class: 'muted small' }, 'Monthly cost'), h('strong', { id: 'cost-monthly' }, fmt(e.monthly)),
        h('span', { class: 'muted small' }, `${fmt(e.storage)} for ${bytes(d.rawBytes)} of raw disk + ${fmt(e.servers)} for ${prices.servers} server${prices.servers === 1 ? '' : 's'}`)),
      h('div', { class: 'cost-figure' }, h('span', { class: 'muted small' }, 'Per usable GB-month, after erasure overhead'), h('strong', { id: 'cost-per-gb' }, fmt(e.perUsableGB)),
        h('span', { class: 'muted small' }, `Each stored GB takes ${e.overhead.toFixed(2)} GB of raw disk.`)),
      h('div', { class: 'cost-figure' }, h('span', { class: 'muted small' }, 'What you store today'), h('strong', { id: 'cost-today' }, fmt(e.storedShare)),
        h('span', { class: 'muted small' }, e.storedGB > 0
          ? `per month for ${bytes(d.usedBytes)} at the per-GB rate; with what you pay now, each stored GB costs ${fmt(e.perStoredGB)} a month.`
          : 'Nothing is stored yet.')));
  };
  for (const el of [currency, storage.input, server.input, servers.input]) el.addEventListener('input', update);
  update();
  return h('section', { class: 'panel', 'aria-labelledby': 'cost-title' },
    h('h2', { id: 'cost-title' }, 'Cost estimate'),
    h('p', { class: 'muted small' }, 'Enter your prices; the console remembers them in this browser only.'),
    h('div', { class: 'cost-grid' },
      h('form', { class: 'cost-form', onsubmit: (e) => e.preventDefault() },
        h('fieldset', {}, h('legend', {}, 'Your prices'),
          h('div', { class: 'field' }, h('label', { for: 'cost-currency' }, 'Currency symbol'), currency),
          storage.el, server.el, servers.el)),
      out));
}
