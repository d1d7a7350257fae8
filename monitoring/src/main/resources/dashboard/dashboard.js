// rlstream dashboard: polls the JSON API and draws one small SVG line chart per series.
// Plain JS, nothing loaded from anywhere else (the dashboard works offline by design).
'use strict';

const CHARTS = [
  { id: 'accuracy', title: 'Held-out accuracy', sub: 'greedy, prompts never trained on', fmt: v => (100 * v).toFixed(1) + '%', color: '#1f9d6a' },
  { id: 'reward', title: 'Reward', sub: 'mean over the batch', fmt: v => v.toFixed(3), color: '#2f6fec' },
  { id: 'effective_ratio', title: 'Effective ratio', sub: 'groups kept by dynamic sampling', fmt: v => v.toFixed(2), color: '#7b61ff' },
  { id: 'staleness', title: 'Staleness', sub: 'mean policy versions behind', fmt: v => v.toFixed(2), color: '#c98a14' },
  { id: 'throughput', title: 'Throughput', sub: 'rollouts per second (trainer)', fmt: v => v.toFixed(0) + '/s', color: '#0fa3b1' },
  { id: 'kl', title: 'KL', sub: 'to the reference policy', fmt: v => v.toExponential(2), color: '#d1495b' },
  { id: 'loss', title: 'Loss', sub: 'surrogate objective', fmt: v => (v >= 0 ? '+' : '') + v.toFixed(4), color: '#8a6d3b' },
  { id: 'entropy', title: 'Entropy', sub: 'of the policy on its samples', fmt: v => v.toFixed(3), color: '#5f7d95' },
];
const POLL_MS = 1500;
const MAX_DRAWN = 800; // points drawn per chart; hover still uses every point

const state = { revision: 0, rows: new Map(), charts: new Map() };
const $ = sel => document.querySelector(sel);
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};
const svgEl = (tag, attrs = {}) => {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};

function buildCharts() {
  const grid = $('#charts');
  for (const c of CHARTS) {
    const card = el('div', { class: 'card chart', 'data-series': c.id, style: '--c:' + c.color });
    const head = el('div', { class: 'card-head' });
    const titles = el('div');
    titles.append(el('h3', {}, c.title), el('div', { class: 'sub' }, c.sub));
    const value = el('div', { class: 'value', 'data-step': '', 'data-value': '' }, '–');
    head.append(titles, value);
    const svg = svgEl('svg', { role: 'img', 'aria-label': c.title + ' per step' });
    const tip = el('div', { class: 'tooltip' });
    card.append(head, svg, tip);
    grid.append(card);
    state.charts.set(c.id, { def: c, card, svg, value, tip, points: [] });
    svg.addEventListener('mousemove', ev => hover(c.id, ev));
    svg.addEventListener('mouseleave', () => unhover(c.id));
  }
}

// "Nice" tick values (1, 2, 5 × 10^k) covering [lo, hi].
function ticks(lo, hi, n) {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => span / s <= n) || 10 * mag;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
  return out;
}

function shortNum(v) {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e4) return (v / 1e3).toFixed(0) + 'k';
  if (a >= 1000) return (v / 1e3).toFixed(1) + 'k';
  if (a < 0.01) return v.toExponential(0);
  return +v.toPrecision(3) + '';
}

function draw(id) {
  const ch = state.charts.get(id), pts = ch.points, svg = ch.svg;
  const W = svg.clientWidth || 360, H = svg.clientHeight || 170;
  const m = { l: 44, r: 10, t: 8, b: 20 };
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.replaceChildren();
  if (pts.length === 0) {
    const t = svgEl('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty' });
    t.textContent = 'waiting for data…';
    svg.append(t);
    return;
  }
  let x0 = pts[0][0], x1 = pts[pts.length - 1][0];
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  let y0 = Infinity, y1 = -Infinity;
  for (const p of pts) { y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]); }
  if (id === 'accuracy') { y0 = Math.min(y0, 0); y1 = Math.max(y1, 1); }
  if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
  const pad = (y1 - y0) * 0.06; y0 -= pad; y1 += pad;
  const sx = x => m.l + (x - x0) / (x1 - x0) * (W - m.l - m.r);
  const sy = y => H - m.b - (y - y0) / (y1 - y0) * (H - m.t - m.b);
  ch.scale = { sx, sy, m, W, H };
  const axis = svgEl('g', { class: 'axis' });
  for (const t of ticks(y0, y1, 4)) {
    axis.append(svgEl('line', { class: 'grid-line', x1: m.l, x2: W - m.r, y1: sy(t), y2: sy(t) }));
    const label = svgEl('text', { x: m.l - 6, y: sy(t) + 3.5, 'text-anchor': 'end' });
    label.textContent = id === 'accuracy' ? Math.round(t * 100) + '%' : shortNum(t);
    axis.append(label);
  }
  for (const t of ticks(x0, x1, 5).filter(t => Number.isInteger(t))) {
    const label = svgEl('text', { x: sx(t), y: H - 5, 'text-anchor': 'middle' });
    label.textContent = t;
    axis.append(label);
  }
  svg.append(axis);
  const stride = Math.ceil(pts.length / MAX_DRAWN);
  const drawn = pts.filter((p, i) => i % stride === 0 || i === pts.length - 1);
  const d = drawn.map((p, i) => (i ? 'L' : 'M') + sx(p[0]).toFixed(1) + ' ' + sy(p[1]).toFixed(1)).join(' ');
  const base = sy(Math.max(y0, Math.min(y1, 0 > y0 && 0 < y1 ? 0 : y0)));
  svg.append(svgEl('path', { class: 'area', d: `${d} L${sx(drawn[drawn.length - 1][0]).toFixed(1)} ${base} L${sx(drawn[0][0]).toFixed(1)} ${base} Z` }));
  svg.append(svgEl('path', { class: 'series', d, 'data-points': String(pts.length) }));
  const last = pts[pts.length - 1];
  svg.append(svgEl('circle', { class: 'last-dot', cx: sx(last[0]), cy: sy(last[1]), r: 3 }));
  ch.cursor = svgEl('line', { class: 'cursor', y1: m.t, y2: H - m.b, visibility: 'hidden' });
  ch.cursorDot = svgEl('circle', { class: 'last-dot', r: 4, visibility: 'hidden' });
  svg.append(ch.cursor, ch.cursorDot);
}

function hover(id, ev) {
  const ch = state.charts.get(id);
  if (!ch.points.length || !ch.scale) return;
  const rect = ch.svg.getBoundingClientRect();
  const { sx, sy, m, W } = ch.scale;
  const px = (ev.clientX - rect.left) * (W / rect.width);
  // nearest point by x: binary search over the step-sorted points
  let lo = 0, hi = ch.points.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (sx(ch.points[mid][0]) < px) lo = mid + 1; else hi = mid; }
  if (lo > 0 && Math.abs(sx(ch.points[lo - 1][0]) - px) < Math.abs(sx(ch.points[lo][0]) - px)) lo--;
  const p = ch.points[lo];
  ch.cursor.setAttribute('x1', sx(p[0])); ch.cursor.setAttribute('x2', sx(p[0]));
  ch.cursor.setAttribute('visibility', 'visible');
  ch.cursorDot.setAttribute('cx', sx(p[0])); ch.cursorDot.setAttribute('cy', sy(p[1]));
  ch.cursorDot.setAttribute('visibility', 'visible');
  ch.tip.textContent = `step ${p[0]}: ${ch.def.fmt(p[1])}`;
  ch.tip.style.display = 'block';
  ch.tip.style.left = (ch.svg.offsetLeft + sx(p[0]) * rect.width / W) + 'px';
  ch.tip.style.top = (ch.svg.offsetTop + sy(p[1]) * rect.height / ch.scale.H) + 'px';
  void m;
}

function unhover(id) {
  const ch = state.charts.get(id);
  ch.tip.style.display = 'none';
  if (ch.cursor) { ch.cursor.setAttribute('visibility', 'hidden'); ch.cursorDot.setAttribute('visibility', 'hidden'); }
}

function rebuildSeries() {
  const steps = [...state.rows.keys()].sort((a, b) => a - b);
  for (const ch of state.charts.values()) {
    ch.points = [];
    for (const s of steps) {
      const v = state.rows.get(s).values[ch.def.id];
      if (v !== undefined && v !== null) ch.points.push([s, v]);
    }
    const last = ch.points[ch.points.length - 1];
    ch.value.textContent = last ? ch.def.fmt(last[1]) : '–';
    ch.value.dataset.step = last ? last[0] : '';
    ch.value.dataset.value = last ? last[1] : '';
    ch.value.title = last ? 'at step ' + last[0] : '';
    draw(ch.def.id);
  }
  if (steps.length) {
    const row = state.rows.get(steps[steps.length - 1]);
    $('#latest-step').textContent = row.step;
    $('#latest-version').textContent = 'v' + row.policy_version;
  }
}

function setLive(ok, text) {
  const live = $('#live');
  live.classList.toggle('ok', ok);
  live.classList.toggle('down', !ok);
  $('#live-text').textContent = text;
}

async function poll() {
  try {
    const r = await fetch('api/steps?since=' + state.revision, { cache: 'no-store' });
    if (!r.ok) throw new Error('HTTP ' + r.status);
    const body = await r.json();
    for (const row of body.steps) state.rows.set(row.step, row);
    const changed = body.steps.length > 0 || state.revision === 0;
    state.revision = body.revision;
    if (changed) rebuildSeries();
    $('#sources').textContent = body.sources.length ? 'from ' + body.sources.join(' + ') : 'no data yet';
    setLive(true, 'live · ' + new Date().toLocaleTimeString());
  } catch (e) {
    setLive(false, 'offline (' + e.message + ')');
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

async function refreshRecent() {
  try {
    const stage = $('#recent-stage').value;
    const r = await fetch('api/groups/recent?n=40' + (stage ? '&stage=' + encodeURIComponent(stage) : ''), { cache: 'no-store' });
    const body = await r.json();
    const ul = $('#recent-groups');
    ul.replaceChildren();
    if (!body.groups.length) ul.append(el('li', { class: 'muted' }, 'none yet'));
    for (const g of body.groups) {
      const li = el('li');
      const b = el('button', { type: 'button', 'data-group': g.group_id, title: g.prompt_text || '' });
      const left = el('span');
      left.append(el('code', {}, g.group_id), document.createTextNode(' ' + (g.prompt_text || '')));
      b.append(left, el('span', { class: 'badge ' + g.stage }, g.stage));
      b.addEventListener('click', () => showLineage(g.group_id));
      li.append(b);
      ul.append(li);
    }
  } catch (e) { /* the live pill reports connectivity */ }
}

const fmtNum = (v, d = 3) => (v === null || v === undefined) ? '–' : (+v).toFixed(d);

async function showLineage(groupId) {
  groupId = groupId.trim();
  if (!groupId) return;
  $('#group-id').value = groupId;
  history.replaceState(null, '', '#group=' + encodeURIComponent(groupId));
  const box = $('#lineage');
  box.className = '';
  box.textContent = 'loading…';
  let r, body;
  try {
    r = await fetch('api/lineage/' + encodeURIComponent(groupId), { cache: 'no-store' });
    body = await r.json();
  } catch (e) {
    box.className = 'error'; box.textContent = 'could not load: ' + e.message; return;
  }
  if (!r.ok) { box.className = 'error'; box.dataset.status = r.status; box.textContent = body.error; return; }
  renderLineage(box, body);
}

function renderLineage(box, g) {
  box.replaceChildren();
  box.dataset.group = g.group_id;
  box.dataset.stage = g.stage;
  const samples = g.samples || [];
  const rewards = samples.filter(s => s.reward !== null && s.reward !== undefined);
  const advs = samples.filter(s => s.advantage !== null && s.advantage !== undefined);
  const stages = el('div', { class: 'stages' });
  const stage = (k, v, done) => { const s = el('div', { class: 'stage' + (done ? ' done' : '') }); s.append(el('div', { class: 'k' }, k), el('div', { class: 'v' }, v)); return s; };
  const arrow = () => el('span', { class: 'arrow' }, '→');
  stages.append(stage('prompt', g.prompt ? g.prompt.prompt_id : '–', !!g.prompt), arrow(),
    stage('rollouts', String(samples.filter(s => s.status).length), samples.length > 0), arrow(),
    stage('rewards', String(rewards.length), rewards.length > 0), arrow(),
    stage('advantages', String(advs.length), advs.length > 0), arrow(),
    stage('batch', g.batch ? '#' + g.batch.sequence : '–', !!g.batch), arrow(),
    stage('checkpoint', g.checkpoint ? 'v' + g.checkpoint.version : '–', !!g.checkpoint));
  box.append(stages);

  const facts = el('div', { class: 'facts' });
  const fact = (k, v, cls) => { const d = el('div', cls ? { class: cls } : {}); d.append(el('span', {}, k), typeof v === 'string' ? document.createTextNode(v) : v); facts.append(d); };
  fact('group', el('code', {}, g.group_id));
  if (g.prompt) {
    fact('prompt', el('span', { class: 'prompt-text', id: 'lineage-prompt' }, g.prompt.text));
    fact('prompt id', el('code', {}, g.prompt.prompt_id));
    fact('G', String(g.prompt.group_size));
    fact('dispatched at policy', 'v' + g.prompt.policy_version);
  }
  if (g.batch) {
    fact('batch', el('code', { id: 'lineage-batch' }, g.batch.batch_id));
    fact('group in batch', `${g.batch.group_index + 1} of ${g.batch.batch_groups} (${g.batch.batch_samples} samples)`);
    fact('estimator', g.batch.estimator);
    fact('batch policy versions', `v${g.batch.min_policy_version}–v${g.batch.max_policy_version}`);
  } else {
    fact('batch', 'not in a batch (yet, or dropped by a filter, e.g. all rewards equal)');
  }
  if (g.checkpoint) {
    fact('trained into', el('b', { id: 'lineage-checkpoint', 'data-version': g.checkpoint.version, 'data-step': g.checkpoint.step },
      `policy v${g.checkpoint.version} (step ${g.checkpoint.step})`));
  }
  box.append(facts);

  const maxAdv = Math.max(1e-9, ...advs.map(s => Math.abs(s.advantage)));
  const table = el('table', { id: 'lineage-samples' });
  const head = el('tr');
  for (const h of ['#', 'response', 'tokens', 'behaviour policy', 'status', 'reward', 'components', 'advantage', 'in batch']) head.append(el('th', {}, h));
  const thead = el('thead');
  thead.append(head);
  table.append(thead);
  const tbody = el('tbody');
  for (const s of samples) {
    const tr = el('tr', { 'data-rollout': s.rollout_id });
    const adv = el('td', { class: 'advantage num' });
    if (s.advantage !== null && s.advantage !== undefined) {
      const span = el('span', { class: 'adv' });
      span.append(el('i', { class: s.advantage >= 0 ? 'pos' : 'neg', style: `width:${Math.round(40 * Math.abs(s.advantage) / maxAdv)}px` }),
        document.createTextNode((s.advantage >= 0 ? '+' : '') + s.advantage.toFixed(3)));
      adv.append(span);
    } else adv.textContent = '–';
    const comps = Object.entries(s.reward_components || {}).map(([k, v]) => `${k} ${(+v).toFixed(2)}`).join(', ');
    const cells = [
      el('td', { class: 'num' }, String(s.sample_index)),
      el('td', {}, ''),
      el('td', { class: 'num' }, String(s.response_tokens)),
      el('td', {}, s.behaviour_policy_version >= 0 ? 'v' + s.behaviour_policy_version : '–'),
      el('td', {}, (s.status || '–') + (s.finish_reason && s.finish_reason !== 'STOP' ? ' (' + s.finish_reason.toLowerCase() + ')' : '') + (s.error ? ': ' + s.error : '')),
      el('td', { class: 'reward num' }, fmtNum(s.reward)),
      el('td', { class: 'muted' }, comps || (s.reward_status === 'FAILED' ? 'verification failed' : '')),
      adv,
      el('td', { class: s.in_batch === null ? 'muted' : s.in_batch ? 'yes' : 'no' }, s.in_batch === null ? '–' : s.in_batch ? 'kept' : (s.truncated ? 'masked' : 'dropped')),
    ];
    cells[1].append(el('code', {}, s.response === null ? '(not seen)' : JSON.stringify(s.response)));
    tr.append(...cells);
    tbody.append(tr);
  }
  table.append(tbody);
  box.append(table);
}

buildCharts();
rebuildSeries();
poll();
refreshRecent();
setInterval(refreshRecent, 5000);
$('#recent-stage').addEventListener('change', refreshRecent);
$('#lineage-form').addEventListener('submit', ev => { ev.preventDefault(); showLineage($('#group-id').value); });
window.addEventListener('resize', () => { for (const id of state.charts.keys()) draw(id); });
const hash = new URLSearchParams(location.hash.slice(1)).get('group');
if (hash) showLineage(hash);
