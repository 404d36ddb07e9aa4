import { api, chart, el, formatMetric, frame, isRate, money, onAlert, param, showError, statusBadge, colourOf, t, today } from './app.js';

// A store's drill-down: daily trend charts (GET .../sla/daily) and its monthly report with service credits.
const storeId = param('storeId') ?? '';
const base = `/api/sla/stores/${encodeURIComponent(storeId)}`;
let store = null;

function lastDay(month) {
  const [y, m] = month.split('-').map(Number);
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

function series(days, metric, scale = 1) {
  return days.map(d => {
    const m = d.metrics.find(x => x.metric === metric);
    return m?.actual == null ? null : +(m.actual * scale).toFixed(2);
  });
}

function target(days, metric) {
  for (let i = days.length - 1; i >= 0; i--) {
    const m = days[i].metrics.find(x => x.metric === metric);
    if (m?.target != null) return m.target;
  }
  return null;
}

function line(days, metric, scale, yAxisIndex = 0) {
  const goal = target(days, metric);
  return {
    name: t(`metric.${metric}`), type: 'line', connectNulls: false, yAxisIndex, data: series(days, metric, scale), symbolSize: 5,
    markLine: goal == null ? undefined : { symbol: 'none', silent: true, lineStyle: { type: 'dashed' }, label: { formatter: `${t('store.target')} ${formatMetric(metric, goal)}` },
      data: [{ yAxis: +(goal * scale).toFixed(2) }] },
  };
}

async function trend(month) {
  const end = lastDay(month);
  const now = today(store?.timeZone);
  const to = end < now ? end : now;
  const from = `${month}-01`;
  const holders = ['chart-rates', 'chart-seconds', 'chart-volume'].map(id => document.getElementById(id));
  if (from > to) {
    for (const h of holders) h.replaceChildren(el('p', { class: 'muted', text: t('common.none') }));
    return;
  }
  let daily;
  try {
    daily = await api(`${base}/sla/daily?from=${from}&to=${to}`);
  } catch (error) {
    showError(holders[0], error);
    return;
  }
  const days = daily.days;
  const x = days.map(d => d.date.slice(5));
  const grid = { left: 50, right: 20, top: 40, bottom: 30 };
  const legend = { top: 0, type: 'scroll' };
  chart(holders[0], {
    tooltip: { trigger: 'axis', valueFormatter: v => (v == null ? '—' : `${v}%`) }, legend, grid,
    xAxis: { type: 'category', data: x }, yAxis: { type: 'value', axisLabel: { formatter: '{value}%' }, max: 100 },
    series: ['threeMinuteResponseRate', 'missedRate', 'resolutionRate', 'satisfactionRate', 'inquiryConversionRate'].filter(isRate).map(m => line(days, m, 100)),
  });
  chart(holders[1], {
    tooltip: { trigger: 'axis' }, legend, grid, xAxis: { type: 'category', data: x }, yAxis: { type: 'value' },
    series: ['firstResponseSeconds', 'responseSeconds'].map(m => line(days, m, 1)),
  });
  chart(holders[2], {
    tooltip: { trigger: 'axis' }, legend, grid: { ...grid, right: 50 }, xAxis: { type: 'category', data: x },
    yAxis: [{ type: 'value' }, { type: 'value', min: 0, max: 100 }],
    series: [{ name: t('store.conversations'), type: 'bar', data: days.map(d => d.conversations) }, line(days, 'qcScore', 1, 1)],
  });
}

async function report(month) {
  const holder = document.getElementById('report');
  let r;
  try {
    r = await api(`${base}/reports/${month}`);
  } catch (error) {
    if (error.status === 404) holder.replaceChildren(el('p', { class: 'muted', text: t('store.noReport') }));
    else showError(holder, error);
    return;
  }
  holder.replaceChildren(
    el('div', { class: 'summary' },
      el('div', { class: 'tile' }, el('span', { class: 'muted', text: t('store.fee') }), el('strong', { text: money(r.monthlyFee, r.currency) })),
      el('div', { class: 'tile' }, el('span', { class: 'muted', text: `${t('store.pool')} (${r.atRiskPercent}%)` }), el('strong', { text: money(r.atRiskPool, r.currency) })),
      el('div', { class: 'tile' }, el('span', { class: 'muted', text: t('store.total') }), el('strong', { id: 'total-credit', text: money(r.totalCredit, r.currency) })),
      el('div', { class: 'tile' }, el('span', { class: 'muted', text: t('store.conversations') }), el('strong', { text: String(r.conversations) }))),
    el('table', { id: 'report-lines' },
      el('thead', {}, el('tr', {}, ...[['store.metric', ''], ['store.target', 'num'], ['store.actual', 'num'], ['common.status', ''],
        ['store.allocation', 'num'], ['store.credit', 'num']].map(([k, c]) => el('th', { scope: 'col', class: c || null, text: t(k) })))),
      el('tbody', {}, ...r.lines.map(line => el('tr', { dataset: { metric: line.metric, status: line.status } },
        el('th', { scope: 'row', text: t(`metric.${line.metric}`) }),
        el('td', { class: 'num', text: formatMetric(line.metric, line.target) }),
        el('td', { class: 'num', text: formatMetric(line.metric, line.actual) }),
        el('td', {}, statusBadge(colourOf(line.status))),
        el('td', { class: 'num', text: `${line.allocationPercent}%` }),
        el('td', { class: 'num', text: money(line.credit, r.currency) }))))));
}

async function show() {
  const month = document.getElementById('month').value;
  await Promise.all([trend(month), report(month)]);
}

await frame('board');
try {
  store = await api(base);
  document.getElementById('store-name').textContent = `${store.name} (${store.storeId})`;
  document.title = `${store.name} · ${t('app.name')}`;
} catch (error) {
  showError(document.getElementById('report'), error);
}
const monthInput = document.getElementById('month');
monthInput.value = param('month') ?? today(store?.timeZone).slice(0, 7);
monthInput.addEventListener('change', show);
await show();
onAlert(alert => { if (alert.source === 'sla' && alert.storeId === storeId) show(); });
