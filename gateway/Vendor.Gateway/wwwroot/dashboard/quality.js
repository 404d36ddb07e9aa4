import { api, chart, el, formatTime, frame, showError, t, today } from './app.js';

// Quality: review queue, team scorecards, tier distribution and training progress.
const TIERS = ['probation', 'iron', 'bronze', 'silver', 'gold'];
const TIER_COLOURS = { probation: '#9aa3b2', iron: '#5f6b7a', bronze: '#b06f2c', silver: '#8fa3b8', gold: '#d4a017' };

async function queue() {
  const holder = document.getElementById('queue');
  let items;
  try {
    items = await api('/api/quality/queue?limit=20');
  } catch (error) {
    showError(holder, error);
    return;
  }
  if (items.length === 0) {
    holder.replaceChildren(el('p', { class: 'muted', text: t('common.none') }));
    return;
  }
  holder.replaceChildren(el('table', { id: 'review-queue' },
    el('thead', {}, el('tr', {}, ...['common.store', 'common.details', 'common.agent', 'common.date', 'quality.reason', 'quality.risk', 'quality.inspector']
      .map(k => el('th', { scope: 'col', text: t(k) })))),
    el('tbody', {}, ...items.map(q => el('tr', { dataset: { conversationId: q.conversationId } },
      el('td', { text: q.storeId }),
      el('td', {}, q.conversationId, q.priority ? el('span', { class: 'status s-red', text: ` ${t('quality.priority')}` }) : null),
      el('td', { text: q.agentId }), el('td', { text: formatTime(q.startedAt) }),
      el('td', { text: [q.reason, ...(q.riskReasons ?? [])].join(' · ') }),
      el('td', { class: 'num', text: (q.riskScore ?? 0).toFixed(2) }),
      el('td', { text: q.inspectorId ?? '—' }))))));
}

async function tiers() {
  const holder = document.getElementById('tiers');
  let answer;
  try {
    answer = await api('/api/quality/tiers');
  } catch (error) {
    showError(holder, error);
    return;
  }
  const counts = new Map((answer.tiers ?? []).map(x => [x.tier, x.count]));
  chart(holder, {
    tooltip: { trigger: 'item' }, legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['40%', '70%'], label: { formatter: '{b}: {c}' },
      data: TIERS.filter(tier => counts.get(tier)).map(tier => ({ name: t(`tier.${tier}`), value: counts.get(tier), itemStyle: { color: TIER_COLOURS[tier] } })) }],
  });
}

async function training() {
  const holder = document.getElementById('training');
  let rows;
  try {
    rows = await api('/api/quality/training/progress');
  } catch (error) {
    showError(holder, error);
    return;
  }
  rows = Array.isArray(rows) ? rows : rows?.items ?? [];
  const kinds = [['assigned', '#9aa3b2'], ['inProgress', '#1456c2'], ['completed', '#1e7b34'], ['overdue', '#b3261e']];
  chart(holder, {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } }, legend: { top: 0 }, grid: { left: 110, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: rows.map(r => (r.name ? `${r.name} ${r.agentId}` : r.agentId)) },
    // Assigned, in progress and completed add up to the plan; overdue is a part of the first two, shown beside them.
    series: kinds.map(([kind, color]) => ({ name: t(`quality.${kind}`), type: 'bar', stack: kind === 'overdue' ? undefined : 'courses',
      itemStyle: { color }, data: rows.map(r => r[kind] ?? 0) })),
  });
}

async function teams() {
  const select = document.getElementById('team');
  try {
    const agents = await api('/api/staffing/agents');
    const names = [...new Set(agents.map(a => a.team).filter(Boolean))].sort();
    select.replaceChildren(...names.map(name => el('option', { value: name, text: name })));
  } catch (error) {
    showError(document.getElementById('scorecard'), error);
  }
}

async function scorecard() {
  const team = document.getElementById('team').value;
  const month = document.getElementById('month').value;
  const holder = document.getElementById('scorecard');
  if (!team) return;
  let card;
  try {
    card = await api(`/api/quality/teams/${encodeURIComponent(team)}/scorecard?month=${month}`);
  } catch (error) {
    showError(holder, error);
    return;
  }
  const groups = card.groups.map(g => g.group);
  holder.replaceChildren(
    el('div', { class: 'summary' },
      el('div', { class: 'tile' }, el('span', { class: 'muted', text: t('quality.average') }),
        el('strong', { text: card.averageTotal == null ? '—' : `${card.averageTotal.toFixed(1)} / ${card.max}` })),
      ...card.groups.map(g => el('div', { class: 'tile' }, el('span', { class: 'muted', text: t(`group.${g.group}`) }),
        el('strong', { text: g.points == null ? '—' : `${g.points.toFixed(1)} / ${g.max}` })))),
    el('table', { id: 'team-scorecard' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', class: 'num', text: t('quality.rank') }), el('th', { scope: 'col', text: t('common.agent') }),
        el('th', { scope: 'col', class: 'num', text: t('quality.total') }), ...groups.map(g => el('th', { scope: 'col', class: 'num', text: t(`group.${g}`) })))),
      el('tbody', {}, ...card.members.map(m => el('tr', {},
        el('td', { class: 'num', text: m.rank ?? '—' }), el('th', { scope: 'row', text: `${m.name} (${m.agentId})` }),
        el('td', { class: 'num', text: m.total == null ? '—' : m.total.toFixed(1) }),
        ...groups.map(g => el('td', { class: 'num', text: m.groups?.[g] == null ? '—' : m.groups[g].toFixed(1) })))))));
}

await frame('quality');
document.getElementById('month').value = today('Asia/Shanghai').slice(0, 7);
for (const id of ['team', 'month']) document.getElementById(id).addEventListener('change', scorecard);
await Promise.all([queue(), tiers(), training(), teams().then(scorecard)]);
