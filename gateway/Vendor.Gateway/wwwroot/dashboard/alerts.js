import { api, el, formatTime, frame, onAlert, rememberAlerts, showError, t } from './app.js';

// Alerts, live: the list loads once, then every `alert` event from /alerts/stream inserts or updates its row without a reload.
const statusSelect = document.getElementById('status');
const alerts = new Map();
// Alerts acknowledged here stay in view (now marked acknowledged) until the filter changes.
const pinned = new Set();

function visible(alert) {
  return statusSelect.value === 'all' || alert.status === statusSelect.value || pinned.has(alert.alertId);
}

async function acknowledge(alert, button) {
  button.disabled = true;
  try {
    pinned.add(alert.alertId);
    const updated = await api(`/api/dashboard/alerts/${encodeURIComponent(alert.alertId)}/ack`, { method: 'POST' });
    upsert(updated && updated.alertId ? updated : { ...alert, status: 'acknowledged', acknowledgedAt: new Date().toISOString() }, false);
  } catch (error) {
    button.disabled = false;
    button.after(el('span', { class: 'error', role: 'alert', text: ` ${error.message}` }));
  }
}

function row(alert) {
  return el('tr', { dataset: { alertId: alert.alertId, status: alert.status, source: alert.source, storeId: alert.storeId ?? '' } },
    el('td', { class: `sev-${alert.severity}`, text: t(`alerts.${alert.severity}`) }),
    el('td', { text: t(`source.${alert.source}`) }),
    el('td', { text: alert.storeId ?? '—' }),
    el('td', {}, el('strong', { text: alert.title }), el('div', { class: 'muted', text: alert.detail ?? '' })),
    el('td', { text: formatTime(alert.raisedAt) }),
    el('td', { class: 'alert-status', text: t(`alerts.${alert.status}`) }),
    el('td', { text: alert.acknowledgedBy ? `${alert.acknowledgedBy} ${formatTime(alert.acknowledgedAt)}` : '—' }),
    el('td', {}, alert.status === 'open'
      ? el('button', { type: 'button', class: 'action ack', text: t('alerts.ack'), onclick: event => acknowledge(alert, event.currentTarget) })
      : null));
}

function table() {
  const list = [...alerts.values()].filter(visible).sort((a, b) => (b.updatedAt ?? b.raisedAt).localeCompare(a.updatedAt ?? a.raisedAt));
  const holder = document.getElementById('alerts');
  if (list.length === 0) {
    holder.replaceChildren(el('p', { class: 'muted', id: 'no-alerts', text: t('alerts.none') }));
    return;
  }
  holder.replaceChildren(el('table', { id: 'alert-list' },
    el('thead', {}, el('tr', {}, ...['alerts.severity', 'alerts.source', 'common.store', 'common.details', 'alerts.raisedAt', 'common.status',
      'alerts.by', 'common.actions'].map(k => el('th', { scope: 'col', text: t(k) })))),
    el('tbody', {}, ...list.map(row))));
}

function upsert(alert, flash = true) {
  alerts.set(alert.alertId, alert);
  rememberAlerts([alert]);
  table();
  if (flash) document.querySelector(`tr[data-alert-id="${CSS.escape(alert.alertId)}"]`)?.classList.add('flash');
}

async function load() {
  try {
    const list = await api(`/api/dashboard/alerts?status=${statusSelect.value}`);
    // A live change that arrived while the list was loading is newer than the list's copy: keep it.
    for (const a of Array.isArray(list) ? list : list?.items ?? []) {
      const live = alerts.get(a.alertId);
      if (!live || live.updatedAt <= a.updatedAt) alerts.set(a.alertId, a);
    }
    table();
  } catch (error) {
    showError(document.getElementById('alerts'), error);
  }
}

await frame('alerts');
statusSelect.value = new URLSearchParams(location.search).get('status') ?? 'open';
statusSelect.addEventListener('change', () => { alerts.clear(); pinned.clear(); load(); });
onAlert(alert => upsert(alert));
await load();
