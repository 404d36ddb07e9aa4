import { api, el, formatMetric, frame, mapLimit, METRICS, onAlert, overallColour, colourOf, showError, statusBadge, t, today } from './app.js';

// The SLA board: every store with its metrics' month-to-date status; a store's row is refreshed live when an SLA alert names it.
const rows = new Map();
let stores = [];
let shownMetrics = [];

function monthStart(day) {
  return `${day.slice(0, 7)}-01`;
}

async function figures(store) {
  const to = today(store.timeZone);
  try {
    return await api(`/api/sla/stores/${encodeURIComponent(store.storeId)}/sla?from=${monthStart(to)}&to=${to}`);
  } catch (error) {
    return { error };
  }
}

function row(store, sla) {
  const metrics = sla.metrics ?? [];
  const colour = sla.error ? 'grey' : overallColour(metrics);
  const byName = new Map(metrics.map(m => [m.metric, m]));
  return el('tr', { dataset: { storeId: store.storeId, status: colour } },
    el('th', { scope: 'row' }, el('a', { href: `/dashboard/store?storeId=${encodeURIComponent(store.storeId)}`, text: store.name }),
      el('div', { class: 'muted', text: store.storeId })),
    el('td', { text: store.platform }),
    el('td', { class: 'num', text: sla.conversations ?? '—' }),
    el('td', { class: 'overall' }, statusBadge(colour)),
    ...shownMetrics.map(name => {
      const m = byName.get(name);
      const c = m?.status ? colourOf(m.status) : 'grey';
      const title = m?.target != null ? `${t('store.target')} ${formatMetric(name, m.target)}` : null;
      return el('td', { class: `num cell-${c}`, title, dataset: { metric: name, status: m?.status ?? '' }, text: formatMetric(name, m?.actual) });
    }));
}

function summary() {
  const counts = { green: 0, amber: 0, red: 0, grey: 0 };
  for (const tr of rows.values()) counts[tr.dataset.status]++;
  document.getElementById('summary').replaceChildren(...Object.entries(counts).map(([colour, n]) =>
    el('div', { class: 'tile', dataset: { colour } }, el('strong', { text: String(n) }), statusBadge(colour))));
  document.getElementById('updated').textContent = new Date().toLocaleTimeString();
}

async function load() {
  const board = document.getElementById('board');
  try {
    stores = await api('/api/sla/stores');
  } catch (error) {
    showError(board, error);
    return;
  }
  if (stores.length === 0) {
    board.replaceChildren(el('p', { class: 'muted', text: t('board.noStores') }));
    return;
  }
  const all = await mapLimit(stores, 6, figures);
  // Columns: the metrics any store has a target for (all of them when none has).
  const targeted = new Set(all.flatMap(s => (s.metrics ?? []).filter(m => m.target != null).map(m => m.metric)));
  shownMetrics = METRICS.filter(m => targeted.size === 0 || targeted.has(m));
  const body = el('tbody');
  rows.clear();
  stores.forEach((store, i) => {
    const tr = row(store, all[i]);
    rows.set(store.storeId, tr);
    body.append(tr);
  });
  board.replaceChildren(el('table', { id: 'sla-board' },
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: t('common.store') }), el('th', { scope: 'col', text: t('board.platform') }),
      el('th', { scope: 'col', class: 'num', text: t('board.conversations') }), el('th', { scope: 'col', text: t('board.overall') }),
      ...shownMetrics.map(m => el('th', { scope: 'col', class: 'num', text: t(`metric.${m}`) })))),
    body));
  summary();
}

async function refresh(storeId) {
  const store = stores.find(s => s.storeId === storeId);
  if (!store) return load(); // a store onboarded after the page loaded
  const tr = row(store, await figures(store));
  rows.get(storeId)?.replaceWith(tr);
  tr.classList.add('flash');
  rows.set(storeId, tr);
  summary();
}

await frame('board');
await load();
onAlert(alert => { if (alert.source === 'sla' && alert.storeId) refresh(alert.storeId); });
setInterval(load, 60_000);
