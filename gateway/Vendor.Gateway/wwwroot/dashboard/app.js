// The dashboard's shared module: language (zh-CN default, English remembered), API calls through the gateway with the
// session cookie, the navigation with its live alert badge, and small formatting helpers. No framework, no inline script.

const STRINGS = {
  'zh-CN': {
    'app.name': '客服外包运营台',
    'nav.board': 'SLA 看板', 'nav.staffing': '人力排班', 'nav.alerts': '告警', 'nav.quality': '质检',
    'nav.signOut': '退出登录', 'nav.language': 'English', 'nav.alertsOpen': '未处理告警',
    'live.connected': '实时连接', 'live.connecting': '正在连接…',
    'common.loading': '加载中…', 'common.none': '暂无数据', 'common.error': '加载失败：', 'common.refresh': '刷新',
    'common.store': '店铺', 'common.date': '日期', 'common.month': '月份', 'common.agent': '客服', 'common.team': '组别',
    'common.status': '状态', 'common.details': '详情', 'common.actions': '操作',
    'status.green': '达标', 'status.amber': '预警', 'status.red': '未达标', 'status.grey': '无数据',
    'metric.firstResponseSeconds': '首次响应时长', 'metric.responseSeconds': '平均响应时长', 'metric.threeMinuteResponseRate': '3分钟响应率',
    'metric.missedRate': '漏接率', 'metric.resolutionRate': '解决率', 'metric.inquiryConversionRate': '询单转化率',
    'metric.satisfactionRate': '满意度', 'metric.qcScore': '质检分',
    'signin.title': '登录运营台', 'signin.username': '用户名', 'signin.password': '密码', 'signin.submit': '登录',
    'signin.error.invalid': '用户名或密码错误。', 'signin.error.locked': '密码错误次数过多，账号已锁定 15 分钟。',
    'signin.error.throttled': '尝试过于频繁，请稍后再试。', 'signin.signedOut': '已退出登录。',
    'board.title': 'SLA 看板', 'board.subtitle': '本月至今，各店铺 SLA 指标状态', 'board.platform': '平台', 'board.conversations': '会话数',
    'board.overall': '总体', 'board.updated': '更新于', 'board.noStores': '还没有店铺。',
    'store.title': '店铺详情', 'store.metric': '指标', 'store.trend': '每日趋势', 'store.rates': '比率类指标', 'store.seconds': '时长类指标（秒）',
    'store.volume': '会话量与质检分', 'store.report': '月度报告与服务赔付', 'store.target': '目标', 'store.actual': '实际',
    'store.allocation': '赔付占比', 'store.credit': '赔付金额', 'store.total': '合计赔付', 'store.pool': '风险金池',
    'store.fee': '月服务费', 'store.noReport': '该月没有生效的合同条款。', 'store.back': '返回看板', 'store.conversations': '会话数',
    'staffing.title': '人力排班', 'staffing.heatmap': '覆盖热力图（可用 − 需求，每 30 分钟）', 'staffing.absences': '当日缺勤',
    'staffing.plans': '应急预案', 'staffing.propose': '生成应急预案', 'staffing.approve': '批准', 'staffing.approved': '已批准',
    'staffing.proposed': '待审批', 'staffing.moves': '调岗', 'staffing.callIns': '待命召回', 'staffing.overtime': '加班',
    'staffing.shortfall': '缺口（前 → 后）', 'staffing.gap': '最优性差距', 'staffing.kind': '类型', 'staffing.from': '开始',
    'staffing.to': '结束', 'staffing.note': '备注', 'staffing.noPlans': '该日还没有应急预案。', 'staffing.noAbsences': '当日无缺勤。',
    'staffing.worst': '缺口最大的时段', 'staffing.totalGap': '总缺口（人·时段）',
    'absence.sick': '病假', 'absence.leave': '事假', 'absence.noShow': '缺岗', 'absence.late': '迟到',
    'alerts.title': '告警', 'alerts.filter': '状态', 'alerts.all': '全部', 'alerts.open': '未处理', 'alerts.acknowledged': '已确认',
    'alerts.resolved': '已恢复', 'alerts.ack': '确认', 'alerts.severity': '级别', 'alerts.source': '来源', 'alerts.raisedAt': '发生时间',
    'alerts.by': '确认人', 'alerts.none': '没有符合条件的告警。', 'alerts.critical': '严重', 'alerts.warning': '警告',
    'source.sla': 'SLA', 'source.staffing': '人力', 'source.feedback': '客户反馈',
    'quality.title': '质检', 'quality.queue': '待质检队列', 'quality.tiers': '星级分布', 'quality.training': '培训进度',
    'quality.scorecards': '绩效记分卡', 'quality.reason': '抽样原因', 'quality.risk': '风险分', 'quality.inspector': '质检员',
    'quality.priority': '优先', 'quality.assigned': '已分配', 'quality.inProgress': '学习中', 'quality.completed': '已完成',
    'quality.overdue': '已逾期', 'quality.rank': '排名', 'quality.total': '总分', 'quality.average': '组平均分',
    'quality.noTeam': '选择一个组别查看记分卡。',
    'group.workload': '工作量', 'group.efficiency': '效率', 'group.attitude': '服务态度', 'group.return': '业绩回报',
    'tier.probation': '试用', 'tier.iron': '铁牌', 'tier.bronze': '铜牌', 'tier.silver': '银牌', 'tier.gold': '金牌',
  },
  en: {
    'app.name': 'Vendor ops dashboard',
    'nav.board': 'SLA board', 'nav.staffing': 'Staffing', 'nav.alerts': 'Alerts', 'nav.quality': 'Quality',
    'nav.signOut': 'Sign out', 'nav.language': '中文', 'nav.alertsOpen': 'open alerts',
    'live.connected': 'Live', 'live.connecting': 'Connecting…',
    'common.loading': 'Loading…', 'common.none': 'Nothing yet', 'common.error': 'Could not load: ', 'common.refresh': 'Refresh',
    'common.store': 'Store', 'common.date': 'Date', 'common.month': 'Month', 'common.agent': 'Agent', 'common.team': 'Team',
    'common.status': 'Status', 'common.details': 'Details', 'common.actions': 'Actions',
    'status.green': 'Met', 'status.amber': 'At risk', 'status.red': 'Missed', 'status.grey': 'No data',
    'metric.firstResponseSeconds': 'First response', 'metric.responseSeconds': 'Response time', 'metric.threeMinuteResponseRate': '3-minute response rate',
    'metric.missedRate': 'Missed rate', 'metric.resolutionRate': 'Resolution rate', 'metric.inquiryConversionRate': 'Inquiry conversion',
    'metric.satisfactionRate': 'Satisfaction', 'metric.qcScore': 'QC score',
    'signin.title': 'Sign in to the ops dashboard', 'signin.username': 'Username', 'signin.password': 'Password', 'signin.submit': 'Sign in',
    'signin.error.invalid': 'Unknown username or wrong password.', 'signin.error.locked': 'Too many wrong passwords: the account is locked for 15 minutes.',
    'signin.error.throttled': 'Too many attempts; try again shortly.', 'signin.signedOut': 'You are signed out.',
    'board.title': 'SLA board', 'board.subtitle': 'Month to date, every store\'s SLA metrics', 'board.platform': 'Platform', 'board.conversations': 'Conversations',
    'board.overall': 'Overall', 'board.updated': 'Updated', 'board.noStores': 'No stores yet.',
    'store.title': 'Store', 'store.metric': 'Metric', 'store.trend': 'Daily trend', 'store.rates': 'Rates', 'store.seconds': 'Times (seconds)',
    'store.volume': 'Conversations and QC score', 'store.report': 'Monthly report and service credits', 'store.target': 'Target', 'store.actual': 'Actual',
    'store.allocation': 'Allocation', 'store.credit': 'Credit', 'store.total': 'Total credit', 'store.pool': 'At-risk pool',
    'store.fee': 'Monthly fee', 'store.noReport': 'No contract terms were in force that month.', 'store.back': 'Back to the board', 'store.conversations': 'Conversations',
    'staffing.title': 'Staffing', 'staffing.heatmap': 'Coverage heat map (available − required, per 30 minutes)', 'staffing.absences': 'Absences of the day',
    'staffing.plans': 'Emergency plans', 'staffing.propose': 'Propose an emergency plan', 'staffing.approve': 'Approve', 'staffing.approved': 'Approved',
    'staffing.proposed': 'Proposed', 'staffing.moves': 'Moves', 'staffing.callIns': 'Call-ins', 'staffing.overtime': 'Overtime',
    'staffing.shortfall': 'Shortfall (before → after)', 'staffing.gap': 'Optimality gap', 'staffing.kind': 'Kind', 'staffing.from': 'From',
    'staffing.to': 'To', 'staffing.note': 'Note', 'staffing.noPlans': 'No emergency plan for this date yet.', 'staffing.noAbsences': 'No absences that day.',
    'staffing.worst': 'Worst interval', 'staffing.totalGap': 'Total gap (agent-intervals)',
    'absence.sick': 'Sick', 'absence.leave': 'Leave', 'absence.noShow': 'No-show', 'absence.late': 'Late',
    'alerts.title': 'Alerts', 'alerts.filter': 'Status', 'alerts.all': 'All', 'alerts.open': 'Open', 'alerts.acknowledged': 'Acknowledged',
    'alerts.resolved': 'Resolved', 'alerts.ack': 'Acknowledge', 'alerts.severity': 'Severity', 'alerts.source': 'Source', 'alerts.raisedAt': 'Raised',
    'alerts.by': 'Acknowledged by', 'alerts.none': 'No alerts match.', 'alerts.critical': 'Critical', 'alerts.warning': 'Warning',
    'source.sla': 'SLA', 'source.staffing': 'Staffing', 'source.feedback': 'Feedback',
    'quality.title': 'Quality', 'quality.queue': 'Review queue', 'quality.tiers': 'Tier distribution', 'quality.training': 'Training progress',
    'quality.scorecards': 'Scorecards', 'quality.reason': 'Reason', 'quality.risk': 'Risk', 'quality.inspector': 'Inspector',
    'quality.priority': 'Priority', 'quality.assigned': 'Assigned', 'quality.inProgress': 'In progress', 'quality.completed': 'Completed',
    'quality.overdue': 'Overdue', 'quality.rank': 'Rank', 'quality.total': 'Total', 'quality.average': 'Team average',
    'quality.noTeam': 'Pick a team to see its scorecard.',
    'group.workload': 'Workload', 'group.efficiency': 'Efficiency', 'group.attitude': 'Attitude', 'group.return': 'Return',
    'tier.probation': 'Probation', 'tier.iron': 'Iron', 'tier.bronze': 'Bronze', 'tier.silver': 'Silver', 'tier.gold': 'Gold',
  },
};

const LANG_KEY = 'vendor.lang';
export const lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh-CN';
document.documentElement.lang = lang;

/** The text of a key in the current language (the key itself when missing). */
export function t(key) {
  return STRINGS[lang][key] ?? STRINGS['zh-CN'][key] ?? key;
}

/** Fills every [data-i18n] element's text and [data-i18n-label] aria-label under root. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  const title = document.querySelector('title[data-i18n]');
  if (title) document.title = `${t(title.dataset.i18n)} · ${t('app.name')}`;
}

export function toggleLanguage() {
  localStorage.setItem(LANG_KEY, lang === 'en' ? 'zh-CN' : 'en');
  location.reload();
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls the platform's API through the gateway with the session cookie; writes carry X-Dashboard: 1 (the CSRF check). */
export async function api(path, { method = 'GET', body } = {}, attempt = 1) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-Dashboard'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  // A page of many stores can outrun the caller's rate limit: reads wait as the gateway asks (Retry-After) and try again.
  if (response.status === 429 && method === 'GET' && attempt < 4) {
    const seconds = Math.min(5, Number(response.headers.get('Retry-After')) || 1);
    await new Promise(resolve => setTimeout(resolve, seconds * 1000));
    return api(path, { method, body }, attempt + 1);
  }
  if (response.status === 401) {
    location.assign(`/dashboard/sign-in?returnUrl=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, null);
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/** Runs fn over items with at most `limit` at once. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Creates an element: el('td', {class: 'num', text: '3'}, child...). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

export function showError(container, error) {
  container.replaceChildren(el('p', { class: 'notice error', role: 'alert', text: t('common.error') + (error?.message ?? error) }));
}

// ---- formatting ----
const RATE_METRICS = new Set(['threeMinuteResponseRate', 'missedRate', 'resolutionRate', 'inquiryConversionRate', 'satisfactionRate']);
export const METRICS = ['threeMinuteResponseRate', 'missedRate', 'firstResponseSeconds', 'responseSeconds', 'resolutionRate',
  'satisfactionRate', 'inquiryConversionRate', 'qcScore'];
export const isRate = metric => RATE_METRICS.has(metric);

export function formatMetric(metric, value) {
  if (value === null || value === undefined) return '—';
  if (isRate(metric)) return `${(value * 100).toFixed(1)}%`;
  if (metric.endsWith('Seconds')) return `${value.toFixed(1)} s`;
  return value.toFixed(1);
}

/** SLA status → colour: met green, atRisk amber, missed red, noData (or no target) grey. */
export function colourOf(status) {
  return { met: 'green', atRisk: 'amber', missed: 'red' }[status] ?? 'grey';
}

/** The worst colour of a store's targeted metrics. */
export function overallColour(metrics) {
  const colours = metrics.filter(m => m.status).map(m => colourOf(m.status));
  for (const c of ['red', 'amber', 'green']) if (colours.includes(c)) return c;
  return 'grey';
}

export function statusBadge(colour) {
  return el('span', { class: `status s-${colour}`, text: t(`status.${colour}`) });
}

export function formatTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { dateStyle: 'short', timeStyle: 'short' });
}

export function money(amount, currency) {
  if (amount === null || amount === undefined) return '—';
  return new Intl.NumberFormat(lang, { style: 'currency', currency: currency || 'CNY', maximumFractionDigits: 2 }).format(amount);
}

/** yyyy-MM-dd of now in a time zone (the store's), or the browser's. */
export function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone || undefined, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

// ---- charts (echarts, installed from npm at build time and served from /lib) ----
const charts = new Set();
export function chart(container, option) {
  const echarts = globalThis.echarts;
  if (!echarts) {
    container.replaceChildren(el('p', { class: 'muted', text: 'echarts missing' }));
    return null;
  }
  const existing = echarts.getInstanceByDom(container);
  const instance = existing ?? echarts.init(container, null, { renderer: 'canvas' });
  instance.setOption({ animation: false, textStyle: { fontFamily: getComputedStyle(document.body).fontFamily }, ...option }, true);
  charts.add(instance);
  return instance;
}
addEventListener('resize', () => { for (const c of charts) c.resize(); });

// ---- live alerts (server-sent events from /alerts/stream) ----
const alertListeners = new Set();
const knownAlerts = new Map();
let source = null;

/** Subscribes to live alert events ({alertId, source, kind, severity, storeId, status, ...}); opens the stream once per page. */
export function onAlert(listener) {
  alertListeners.add(listener);
  openStream();
}

function setLive(state) {
  document.body.dataset.live = state;
  for (const node of document.querySelectorAll('.live')) {
    node.dataset.state = state;
    node.textContent = t(`live.${state}`);
  }
}

function openStream() {
  if (source) return;
  setLive('connecting');
  source = new EventSource('/alerts/stream');
  source.addEventListener('ready', () => setLive('connected'));
  source.addEventListener('open', () => { if (document.body.dataset.live !== 'connected') setLive('connecting'); });
  source.addEventListener('error', () => setLive('connecting'));
  source.addEventListener('alert', event => {
    let alert;
    try { alert = JSON.parse(event.data); } catch { return; }
    knownAlerts.set(alert.alertId, alert);
    updateBadge();
    for (const listener of alertListeners) listener(alert);
  });
}

/** Records alerts loaded by a page (so the nav badge counts them) and refreshes the badge. */
export function rememberAlerts(alerts) {
  for (const a of alerts) knownAlerts.set(a.alertId, a);
  updateBadge();
}

function updateBadge() {
  const open = [...knownAlerts.values()].filter(a => a.status === 'open').length;
  const badge = document.getElementById('alert-badge');
  if (!badge) return;
  badge.textContent = String(open);
  badge.dataset.count = String(open);
}

// ---- page frame ----
/** Renders the header (navigation, alert badge, language, account, sign-out) and the translations; starts the live stream. */
export async function frame(current) {
  const header = el('header', { class: 'top' },
    el('span', { class: 'brand', text: t('app.name') }),
    el('nav', { 'aria-label': t('app.name') }, el('ul', {},
      ...[['board', '/dashboard/'], ['staffing', '/dashboard/staffing'], ['alerts', '/dashboard/alerts'], ['quality', '/dashboard/quality']]
        .map(([name, href]) => el('li', {}, el('a', { href, 'aria-current': name === current ? 'page' : null },
          t(`nav.${name}`),
          name === 'alerts' ? el('span', { id: 'alert-badge', class: 'badge', 'data-count': '0', title: t('nav.alertsOpen'), text: '0' }) : null))))),
    el('span', { class: 'spacer' }),
    el('span', { class: 'live', 'data-state': 'connecting', 'aria-live': 'polite' }),
    el('span', { class: 'who', id: 'who' }),
    el('button', { type: 'button', class: 'lang', onclick: toggleLanguage, lang: lang === 'en' ? 'zh-CN' : 'en', text: t('nav.language') }),
    el('form', { method: 'post', action: '/auth/sign-out' }, el('button', { type: 'submit', text: t('nav.signOut') })));
  document.body.prepend(header);
  applyI18n();
  openStream();
  api('/auth/me').then(me => { document.getElementById('who').textContent = me.displayName || me.username; }).catch(() => {});
  api('/api/dashboard/alerts?status=open').then(list => rememberAlerts(Array.isArray(list) ? list : list?.items ?? [])).catch(() => {});
}
