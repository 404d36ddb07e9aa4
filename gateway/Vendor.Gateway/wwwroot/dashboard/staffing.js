import { api, chart, el, formatTime, frame, mapLimit, showError, t, today } from './app.js';

// Staffing: coverage heat map (rows stores, columns the 48 half-hours, colour = available − required), the day's absences,
// and the emergency plans of the day to review and approve.
const dateInput = document.getElementById('date');
const intervals = Array.from({ length: 48 }, (_, i) => `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`);

async function coverage(date) {
  const holder = document.getElementById('heatmap');
  let stores;
  try {
    stores = await api('/api/staffing/stores');
  } catch (error) {
    showError(holder, error);
    return;
  }
  const days = await mapLimit(stores, 6, s => api(`/api/staffing/stores/${encodeURIComponent(s.storeId)}/coverage?date=${date}`).catch(() => null));
  const names = stores.map(s => s.name ?? s.storeId);
  const data = [];
  const gaps = [];
  days.forEach((day, row) => {
    if (!day) return;
    let total = 0, worst = null;
    day.intervals.forEach((interval, col) => {
      if (!interval.open) return;
      const surplus = interval.availableAgents - interval.requiredAgents;
      data.push([col, row, surplus, interval.requiredAgents, interval.availableAgents]);
      if (surplus < 0) total += -surplus;
      if (worst === null || surplus < worst.surplus) worst = { surplus, at: intervals[col] };
    });
    gaps.push({ store: names[row], storeId: stores[row].storeId, total, worst });
  });
  const extent = Math.max(3, ...data.map(d => Math.abs(d[2])));
  chart(holder, {
    tooltip: {
      position: 'top',
      // A string formatter becomes HTML: the store's name is data, so it is escaped.
      formatter: p => `${echarts.format.encodeHTML(names[p.value[1]])} ${intervals[p.value[0]]}<br>${t('common.status')}: ${p.value[2] > 0 ? '+' : ''}${p.value[2]}` +
        ` (${p.value[4]} / ${p.value[3]})`,
    },
    grid: { left: 160, right: 30, top: 10, bottom: 100 },
    xAxis: { type: 'category', data: intervals, splitArea: { show: true }, axisLabel: { interval: 3 } },
    yAxis: { type: 'category', data: names, splitArea: { show: true } },
    visualMap: { min: -extent, max: extent, calculable: true, orient: 'horizontal', left: 'center', bottom: 0,
      inRange: { color: ['#b3261e', '#f4b4ad', '#f7f7f7', '#a8d5b1', '#1e7b34'] } },
    series: [{ type: 'heatmap', data, label: { show: true, fontSize: 10, formatter: p => String(p.value[2]) } }],
  });
  document.getElementById('gaps').replaceChildren(el('table', { id: 'coverage-gaps' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('common.store') }), el('th', { scope: 'col', class: 'num', text: t('staffing.totalGap') }),
      el('th', { scope: 'col', text: t('staffing.worst') }))),
    el('tbody', {}, ...gaps.map(g => el('tr', { dataset: { storeId: g.storeId } }, el('th', { scope: 'row', text: g.store }),
      el('td', { class: `num ${g.total > 0 ? 'cell-red' : 'cell-green'}`, text: String(g.total) }),
      el('td', { text: g.worst ? `${g.worst.at} (${g.worst.surplus})` : '—' }))))));
}

async function absences(date) {
  const holder = document.getElementById('absences');
  const from = new Date(`${date}T00:00:00`);
  const to = new Date(from.getTime() + 24 * 3600 * 1000);
  let list;
  try {
    list = await api(`/api/staffing/absences?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`);
  } catch (error) {
    showError(holder, error);
    return;
  }
  if (list.length === 0) {
    holder.replaceChildren(el('p', { class: 'muted', text: t('staffing.noAbsences') }));
    return;
  }
  holder.replaceChildren(el('table', { id: 'absence-list' },
    el('thead', {}, el('tr', {}, ...['common.agent', 'common.team', 'staffing.kind', 'staffing.from', 'staffing.to', 'staffing.note']
      .map(k => el('th', { scope: 'col', text: t(k) })))),
    el('tbody', {}, ...list.map(a => el('tr', {}, el('td', { text: a.agentId }), el('td', { text: a.team }),
      el('td', { text: t(`absence.${a.kind}`) }), el('td', { text: formatTime(a.from) }), el('td', { text: formatTime(a.to) }),
      el('td', { text: a.note ?? '' }))))));
}

function planDetail(plan) {
  const items = [
    ...plan.moves.map(m => `${t('staffing.moves')}: ${m.agentId} ${m.fromStoreId} → ${m.toStoreId} ${m.shift.start}–${m.shift.end}`),
    ...plan.callIns.map(c => `${t('staffing.callIns')}: ${c.agentId} → ${c.storeId} ${c.shift.start}–${c.shift.end}`),
    ...plan.overtime.map(o => `${t('staffing.overtime')}: ${o.agentId} @ ${o.storeId} → ${o.newEnd} (+${o.extensionMinutes} min)`),
  ];
  return el('ul', {}, ...(items.length ? items : [t('common.none')]).map(text => el('li', { text })));
}

async function approve(planId, button) {
  button.disabled = true;
  try {
    await api(`/api/staffing/emergency-plans/${encodeURIComponent(planId)}/approve`, { method: 'POST' });
  } catch (error) {
    button.disabled = false;
    button.after(el('span', { class: 'error', role: 'alert', text: ` ${error.message}` }));
    return;
  }
  await plans(dateInput.value);
}

function planRow(plan) {
  const approved = plan.status === 'approved';
  return el('tr', { dataset: { planId: plan.planId, status: plan.status } },
    el('td', {}, el('details', {}, el('summary', { text: plan.planId }), planDetail(plan))),
    el('td', { text: t(approved ? 'staffing.approved' : 'staffing.proposed') }),
    el('td', { class: 'num', text: `${plan.moves.length} / ${plan.callIns.length} / ${plan.overtime.length}` }),
    el('td', { class: 'num', text: `${plan.shortfallBefore} → ${plan.shortfallAfter}` }),
    el('td', { class: 'num', text: `${(plan.gapPercent ?? 0).toFixed(1)}%` }),
    el('td', {}, approved ? (plan.approvedBy ?? '') : el('button', { type: 'button', class: 'action', text: t('staffing.approve'),
      onclick: event => approve(plan.planId, event.currentTarget) })));
}

async function plans(date) {
  const holder = document.getElementById('plans');
  let list;
  try {
    list = await api(`/api/staffing/emergency-plans?date=${date}`);
  } catch (error) {
    showError(holder, error);
    return;
  }
  list = Array.isArray(list) ? list : list?.items ?? [];
  // The list may be summaries: load each plan's detail for its moves.
  const full = await mapLimit(list, 4, p => (Array.isArray(p.moves) ? p : api(`/api/staffing/emergency-plans/${encodeURIComponent(p.planId)}`)));
  if (full.length === 0) {
    holder.replaceChildren(el('p', { class: 'muted', text: t('staffing.noPlans') }));
    return;
  }
  holder.replaceChildren(el('table', { id: 'plan-list' },
    el('thead', {}, el('tr', {}, ...['common.details', 'common.status', 'staffing.moves', 'staffing.shortfall', 'staffing.gap', 'common.actions']
      .map((k, i) => el('th', { scope: 'col', class: [2, 3, 4].includes(i) ? 'num' : null,
        text: i === 2 ? `${t('staffing.moves')} / ${t('staffing.callIns')} / ${t('staffing.overtime')}` : t(k) })))),
    el('tbody', {}, ...full.map(planRow))));
}

async function propose(button) {
  button.disabled = true;
  try {
    await api('/api/staffing/emergency-plans', { method: 'POST', body: { date: dateInput.value } });
    await plans(dateInput.value);
  } catch (error) {
    showError(document.getElementById('plans'), error);
  } finally {
    button.disabled = false;
  }
}

async function show() {
  const date = dateInput.value;
  await Promise.all([coverage(date), absences(date), plans(date)]);
}

await frame('staffing');
dateInput.value = today('Asia/Shanghai');
dateInput.addEventListener('change', show);
document.getElementById('propose').addEventListener('click', event => propose(event.currentTarget));
await show();
