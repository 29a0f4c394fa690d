// Driftless console: plain modules, no framework, no external assets. Every value from the API is set as text
// (textContent), never parsed as HTML. The token lives in this tab's sessionStorage only.

const TOKEN_KEY = 'driftless.token';
const main = document.getElementById('main');
const live = document.getElementById('live');
const session = document.getElementById('session');

let token = sessionStorage.getItem(TOKEN_KEY);
let caller = null;
let current = null; // the page shown: { refresh(event) } or null
const feedListeners = new Set();

/** An element: h('a', {href: '#/'}, 'text', child…); attributes starting with "on" are listeners. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

class ApiError extends Error {
  constructor(status, reason, message) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

/** Calls the API with the token; a failure is an ApiError with the API's reason word. */
async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}`, ...(options.headers || {}) },
  });
  if (response.status === 401) {
    signOut('That token was not accepted: sign in again.');
    throw new ApiError(401, 'Unauthenticated', 'sign in again');
  }
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!response.ok) {
    throw new ApiError(response.status, body?.reason || `HTTP ${response.status}`, body?.message || text || response.statusText);
  }
  return body;
}

/** dev.driftless.sync.succeeded.v1 → sync.succeeded */
function typeWord(type) { return (type || '').replace('dev.driftless.', '').replace(/\.v1$/, ''); }

function shortSha(sha) { return sha ? sha.slice(0, 8) : '—'; }

function age(instant) {
  if (!instant) return '—';
  const seconds = Math.max(0, (Date.now() - Date.parse(instant)) / 1000);
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

function time(instant) {
  return instant ? h('time', { datetime: instant, title: instant }, age(instant)) : '—';
}

function millis(ms) {
  if (ms === undefined || ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const GOOD = new Set(['Succeeded', 'Healthy', 'InSync', 'intact', 'created', 'configured', 'unchanged']);
const BAD = new Set(['Failed', 'Degraded', 'Drifted', 'Missing', 'failed', 'broken']);

function badge(word) {
  const tone = GOOD.has(word) ? 'ok' : BAD.has(word) ? 'bad' : 'warn';
  return h('span', { class: `badge ${tone}` }, word || 'Unknown');
}

function commitLink(sha) {
  return sha ? h('a', { class: 'sha', href: `#/commits/${sha}`, title: sha }, shortSha(sha)) : '—';
}

function failure(error) {
  return h('p', { class: 'error', role: 'alert' }, `${error.reason || 'Error'}: ${error.message}`);
}

function announce(text) { live.textContent = text; }

// ---------------------------------------------------------------- the change feed (server-sent events over fetch)

let feedAbort = null;
let feedGeneration = 0; // a sign-out or a new sign-in ends the loops of before

/** Follows /api/changes/stream while signed in; reconnects with backoff. Each entry goes to the page shown. */
async function follow() {
  const generation = ++feedGeneration;
  let backoff = 1000;
  while (token && generation === feedGeneration) {
    feedAbort = new AbortController();
    try {
      const response = await fetch('/api/changes/stream', {
        headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
        signal: feedAbort.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      announce('Live: following the change log');
      backoff = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          if (!data) continue;
          try {
            const entry = JSON.parse(data);
            if (entry.type === 'heartbeat') continue;
            for (const listener of feedListeners) listener(entry);
          } catch { /* not an entry */ }
        }
      }
    } catch (e) {
      if (feedAbort.signal.aborted) return;
    }
    announce('Live updates paused: reconnecting…');
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, 15000);
  }
}

feedListeners.add((entry) => current?.onEntry?.(entry));

/** Calls fn at most once per delay, after the last call (entries come in bursts). */
function debounce(fn, delay = 300) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), delay); };
}

// ---------------------------------------------------------------- pages

async function applicationsPage() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const search = h('input', { id: 'filter', type: 'search', value: params.get('q') || '', placeholder: 'name, project, namespace, commit' });
  const show = h('select', { id: 'show' },
    h('option', { value: 'all' }, 'all'),
    h('option', { value: 'attention' }, 'needing attention'),
    h('option', { value: 'failed' }, 'sync failed'),
    h('option', { value: 'unhealthy' }, 'not healthy'),
    h('option', { value: 'drifted' }, 'drifted'));
  show.value = params.get('show') || 'all';
  const body = h('tbody');
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const problems = h('div');
  const table = h('table', { 'aria-describedby': 'apps-count' },
    h('caption', { class: 'visually-hidden' }, 'Applications'),
    h('thead', {}, h('tr', {},
      ['Application', 'Project', 'Destination', 'Sync', 'Health', 'Drift', 'Commit', 'Last change'].map((t) => h('th', { scope: 'col' }, t)))),
    body);
  count.id = 'apps-count';
  main.replaceChildren(
    h('h1', {}, 'Applications'),
    h('div', { class: 'toolbar' },
      h('label', { for: 'filter' }, 'Search', search),
      h('label', { for: 'show' }, 'Show', show)),
    problems, count, table);

  let rows = [];
  const render = () => {
    const q = search.value.trim().toLowerCase();
    const kind = show.value;
    const shown = rows.filter((r) => {
      const text = [r.name, r.project, r.destination, r.currentCommit, r.summary?.subject, r.summary?.author].join(' ').toLowerCase();
      if (q && !text.includes(q)) return false;
      if (kind === 'failed') return r.syncStatus === 'Failed';
      if (kind === 'unhealthy') return r.health !== 'Healthy';
      if (kind === 'drifted') return r.drift === 'Drifted';
      if (kind === 'attention') return r.syncStatus !== 'Succeeded' || r.health !== 'Healthy' || r.drift === 'Drifted';
      return true;
    });
    body.replaceChildren(...shown.map((r) => h('tr', { 'data-application': r.name },
      h('th', { scope: 'row' }, h('a', { href: `#/applications/${encodeURIComponent(r.name)}` }, r.name)),
      h('td', {}, r.project || '—'),
      h('td', {}, r.destination || '—'),
      h('td', { class: 'sync' }, badge(r.syncStatus)),
      h('td', { class: 'health' }, badge(r.health)),
      h('td', { class: 'drift' }, badge(r.drift)),
      h('td', {}, h('span', { class: 'commit' }, commitLink(r.currentCommit)),
        r.summary ? h('span', { class: 'summary muted' }, h('br'), r.summary.subject, h('br'), `${r.summary.author} · `, time(r.summary.committedAt)) : null),
      h('td', {}, r.lastChange ? [typeWord(r.lastChange.type), ' · ',
        r.lastChange.actor ? `${r.lastChange.actor} · ` : '', time(r.lastChange.at)] : '—'))));
    count.textContent = `${shown.length} of ${rows.length} applications`;
    const url = `#/?${new URLSearchParams({ q: search.value, show: show.value })}`;
    history.replaceState(null, '', url);
  };
  search.addEventListener('input', render);
  show.addEventListener('change', render);

  const load = async () => {
    try {
      const [states, catalog] = await Promise.all([
        api('/api/applications'),
        api('/api/catalog').catch((e) => ({ error: e })),
      ]);
      const byName = new Map((catalog.applications || []).map((a) => [a.name, a]));
      rows = states.applications.map((s) => {
        const c = byName.get(s.name);
        const summary = c?.lastRender?.commit === s.currentCommit ? c?.lastRender?.commitSummary : null;
        return {
          ...s,
          summary,
          project: c?.target?.project?.name || (c ? 'default' : null),
          destination: c?.target ? `${c.target.cluster || 'default'}/${c.target.namespace || ''}` : null,
        };
      });
      for (const [name, c] of byName) { // in the catalog, never synced yet
        if (!rows.some((r) => r.name === name)) {
          rows.push({ name, project: c.target?.project?.name || 'default', destination: `${c.target?.cluster || 'default'}/${c.target?.namespace || ''}`,
            syncStatus: 'Unknown', health: 'Unknown', drift: 'Unknown' });
        }
      }
      rows.sort((a, b) => a.name.localeCompare(b.name));
      problems.replaceChildren(...(catalog.error ? [h('p', { class: 'muted' }, `Projects and destinations are not shown: ${catalog.error.message}`)] : []),
        ...((catalog.errors || []).map((e) => h('p', { class: 'error' }, `Catalog: ${e}`))));
      render();
    } catch (e) {
      problems.replaceChildren(failure(e));
    }
  };
  await load();
  const reload = debounce(load);
  return { onEntry: (entry) => { if (entry.application) reload(); } };
}

async function applicationPage(name) {
  const header = h('div');
  const objects = h('div');
  const diff = h('div');
  const historyBody = h('tbody');
  const pager = h('div', { class: 'pager' });
  const actions = h('div');
  const result = h('p', { role: 'status', 'aria-live': 'polite', id: 'action-result' });
  main.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← Applications')),
    h('h1', {}, name),
    header,
    h('h2', {}, 'Actions'), actions, result,
    h('h2', {}, 'Objects'), objects,
    h('h2', {}, 'Diff between Git and the cluster'), diff,
    h('h2', {}, 'History'),
    h('table', { id: 'history' },
      h('thead', {}, h('tr', {}, ['When', 'Event', 'Commit', 'Actor', 'Duration', 'Reason', 'Message'].map((t) => h('th', { scope: 'col' }, t)))),
      historyBody),
    pager);

  let renderedCommits = [];
  const loadState = async () => {
    try {
      const [view, catalog] = await Promise.all([api(`/api/applications/${encodeURIComponent(name)}`), api('/api/catalog').catch(() => null)]);
      const s = view.state;
      const entry = (catalog?.applications || []).find((c) => c.name === name);
      const summary = entry?.lastRender?.commit === s.currentCommit ? entry?.lastRender?.commitSummary : null;
      const d = view.dora;
      header.replaceChildren(h('dl', { class: 'facts panel' },
        h('dt', {}, 'Sync'), h('dd', { id: 'sync-status' }, badge(s.syncStatus)),
        h('dt', {}, 'Health'), h('dd', { id: 'health' }, badge(s.health)),
        h('dt', {}, 'Drift'), h('dd', {}, badge(s.drift)),
        h('dt', {}, 'Current commit'), h('dd', {}, h('span', { id: 'current-commit' }, commitLink(s.currentCommit)),
          summary ? [' ', summary.subject, ` — ${summary.author}, `, time(summary.committedAt)] : null),
        entry?.pinnedTo ? [h('dt', {}, 'Pinned'), h('dd', { id: 'pinned' }, 'by a rollback to ', commitLink(entry.pinnedTo), ' until its next push or a resync')] : null,
        entry?.target?.suspended ? [h('dt', {}, 'Suspended'), h('dd', { id: 'suspended', class: 'bad' }, 'spec.suspend: nothing is rendered, applied or healed until it is resumed')] : null,
        entry?.target?.automated === false ? [h('dt', {}, 'Syncs'), h('dd', { id: 'by-hand' }, 'by hand (syncPolicy.automated: false): a push is rendered and waits; Resync applies the head')] : null,
        entry ? [h('dt', {}, 'Project'), h('dd', {}, entry.target?.project?.name || 'default'), h('dt', {}, 'Destination'), h('dd', {}, `${entry.target?.cluster || 'default'}/${entry.target?.namespace || ''}`), h('dt', {}, 'Source'), h('dd', {}, `${entry.repository} ${entry.targetRevision} ${entry.path}`)] : null,
        h('dt', {}, 'Last change'), h('dd', {}, s.lastChange ? [typeWord(s.lastChange.type), ' · ', time(s.lastChange.at)] : '—'),
        s.lastFailure ? [h('dt', {}, 'Last failure'), h('dd', { class: 'bad' }, `${s.lastFailure.reason || ''} ${s.lastFailure.message || ''}`.trim(), ' · ', time(s.lastFailure.at))] : null,
        d ? [h('dt', {}, 'Deployments (30 d)'), h('dd', {}, `${d.deployments ?? '—'} · change failure rate ${d.changeFailureRate ?? '—'}`)] : null));
    } catch (e) {
      header.replaceChildren(failure(e));
    }
  };

  const loadObjects = async () => {
    try {
      const status = await api(`/api/applications/${encodeURIComponent(name)}/status`);
      const health = status.health?.objects || {};
      const resources = status.lastSync?.resources || [];
      const waiting = status.waiting ? h('p', { id: 'waiting' }, 'Waiting: ', commitLink(status.waiting.commit), ', rendered ', time(status.waiting.renderedAt), `, ${status.waiting.reason || 'waits'}.`) : null;
      objects.replaceChildren(...(waiting ? [waiting] : []), resources.length === 0 ? h('p', { class: 'muted' }, 'No objects.') :
        h('table', { id: 'objects' },
          h('thead', {}, h('tr', {}, ['Kind', 'Namespace', 'Name', 'Last action', 'Health', 'Message'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, resources.map((r) => {
            const hr = health[`${r.kind}/${r.namespace}/${r.name}`] || health[`${r.kind}/${r.name}`] || health[`${r.kind}//${r.name}`];
            return h('tr', {},
              h('td', {}, r.kind), h('td', {}, r.namespace || '—'), h('th', { scope: 'row' }, r.name),
              h('td', {}, badge(r.action)), h('td', {}, hr ? badge(hr.state) : '—'),
              h('td', {}, r.message || hr?.message || ''));
          }))));
    } catch (e) {
      objects.replaceChildren(failure(e));
    }
  };

  const loadDiff = async () => {
    diff.replaceChildren(h('p', { class: 'muted' }, 'Comparing with the cluster…'));
    try {
      const answer = await api(`/api/applications/${encodeURIComponent(name)}/diff`);
      diff.replaceChildren(answer.inSync ? h('p', { class: 'ok', id: 'diff-result' }, 'The cluster matches Git.') :
        h('table', { id: 'diff-result' },
          h('thead', {}, h('tr', {}, ['Object', 'Field', 'In the cluster', 'In Git'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, answer.differences.map((x) => h('tr', {},
            h('td', {}, x.resource), h('td', {}, h('code', {}, x.path || '(whole object)')),
            h('td', { class: 'diff-old' }, h('code', {}, x.live === null || x.live === undefined ? 'absent' : JSON.stringify(x.live))),
            h('td', { class: 'diff-new' }, h('code', {}, x.desired === null || x.desired === undefined ? 'absent' : JSON.stringify(x.desired))))))));
    } catch (e) {
      diff.replaceChildren(failure(e));
    }
  };

  const historyRow = (e) => {
    const data = e.event?.data || {};
    const took = data.startedAt && data.finishedAt ? Date.parse(data.finishedAt) - Date.parse(data.startedAt) : null;
    if (e.type === 'dev.driftless.render.succeeded.v1' && e.commit && !renderedCommits.includes(e.commit)) renderedCommits.push(e.commit);
    return h('tr', {},
      h('td', {}, time(e.time || e.recordedAt)),
      h('td', {}, typeWord(e.type)),
      h('td', {}, commitLink(e.commit)),
      h('td', {}, e.actor || '—'),
      h('td', {}, took === null ? '—' : millis(took)),
      h('td', {}, e.reason || ''),
      h('td', {}, data.message || (data.current ? `health ${data.current}` : '')));
  };

  const loadHistory = async (cursor) => {
    try {
      const query = new URLSearchParams({ application: name, summary: 'true', pushes: 'true', limit: '25' });
      if (cursor) query.set('cursor', cursor);
      const page = await api(`/api/changes?${query}`);
      if (!cursor) historyBody.replaceChildren();
      historyBody.append(...page.items.map(historyRow));
      pager.replaceChildren(page.nextCursor ? h('button', { type: 'button', id: 'older', onclick: () => loadHistory(page.nextCursor) }, 'Older entries') : h('span', { class: 'muted' }, 'The start of its history.'));
      renderActions();
    } catch (e) {
      pager.replaceChildren(failure(e));
    }
  };

  const act = async (what, body, confirmText) => {
    if (!window.confirm(confirmText)) return;
    result.textContent = `${what}: sending…`;
    try {
      const answer = await api(`/api/applications/${encodeURIComponent(name)}/${what}`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      });
      result.className = 'ok';
      result.textContent = `${what} accepted (${answer.id}), requested by ${answer.actor}; its result appears below as it happens.`;
    } catch (e) {
      result.className = 'error';
      result.textContent = `${what} refused: ${e.reason}: ${e.message}`;
    }
  };

  const renderActions = () => {
    const may = caller?.mayAct;
    const note = may ? null : h('p', { class: 'muted', id: 'read-only' }, `Token ${caller?.name || ''} may only read: resync and rollback need a write token.`);
    const target = h('select', { id: 'rollback-commit', disabled: !may },
      renderedCommits.map((c) => h('option', { value: c }, shortSha(c))));
    actions.replaceChildren(h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'resync', class: 'primary', disabled: !may,
        onclick: () => act('resync', { reason: 'from the console' }, `Resync ${name} from Git now?`) }, 'Resync'),
      h('label', { for: 'rollback-commit' }, 'Roll back to ', target),
      h('button', { type: 'button', id: 'rollback', class: 'danger', disabled: !may || renderedCommits.length === 0,
        onclick: () => act('rollback', { commit: target.value, reason: 'from the console' }, `Roll ${name} back to ${shortSha(target.value)}?`) }, 'Roll back')),
      ...(note ? [note] : []));
  };

  await Promise.all([loadState(), loadObjects(), loadHistory(), loadDiff()]);
  const refresh = debounce(() => { loadState(); loadObjects(); loadHistory(); });
  return { onEntry: (entry) => { if (entry.application === name) refresh(); } };
}

/** "apps/web/deploy.yaml (document 2): …" names the file and document at fault. */
function location_(message) {
  const m = /([^\s:]+\.(?:ya?ml|json)) \(document (\d+)\)/.exec(message || '');
  return m ? { file: m[1], document: Number(m[2]) } : null;
}

async function commitPage(sha) {
  main.replaceChildren(h('p', {}, h('a', { href: '#/' }, '← Applications')), h('h1', {}, 'Commit ', h('code', {}, shortSha(sha))));
  const body = h('div');
  main.append(body);
  const load = async () => {
    try {
      const [trace, catalog] = await Promise.all([api(`/api/commits/${encodeURIComponent(sha)}`), api('/api/catalog').catch(() => null)]);
      const pathOf = (name) => (catalog?.applications || []).find((c) => c.name === name)?.path;
      const pushed = trace.deliveries.map((d) => d.receivedAt).filter(Boolean).sort()[0];
      const since = (at) => (pushed && at ? millis(Date.parse(at) - Date.parse(pushed)) : '—');
      body.replaceChildren(
        h('dl', { class: 'facts panel' },
          h('dt', {}, 'Commit'), h('dd', {}, h('code', {}, trace.commit)),
          h('dt', {}, 'Repository'), h('dd', {}, trace.repository || '—'),
          h('dt', {}, 'Pushed'), h('dd', {}, trace.deliveries.length === 0 ? 'no webhook recorded (a poll, a resync or a rollback)' :
            trace.deliveries.map((d) => h('span', {}, `${d.pusher || 'someone'} via ${d.provider} (${d.deliveryId}) `, time(d.receivedAt), d.traceId ? ` · trace ${d.traceId}` : '')))),
        ...trace.applications.map((a) => {
          const render = a.render || {};
          const sync = a.sync;
          const where = location_(render.message);
          const base = pathOf(a.name);
          if (where && base && base !== '.' && !where.file.startsWith(`${base}/`)) where.file = `${base}/${where.file}`;
          const stages = [
            h('li', { class: pushed ? 'ok' : 'warn' }, h('span', { class: 'stage' }, 'Push'), h('span', { class: 'when' }, pushed ? time(pushed) : 'not seen')),
            h('li', { class: trace.deliveries.length ? 'ok' : 'warn' }, h('span', { class: 'stage' }, 'Webhook'), h('span', { class: 'when' }, trace.deliveries.length ? `${trace.deliveries.length} delivery` : '—')),
            h('li', { class: render.status === 'Succeeded' ? 'ok' : render.status === 'Failed' ? 'bad' : 'warn' },
              h('span', { class: 'stage' }, `Render ${render.status || 'Pending'}`),
              h('span', { class: 'when' }, `took ${millis(render.durationMs)} · +${since(render.at)}`)),
            h('li', { class: sync?.status === 'Succeeded' ? 'ok' : sync?.status === 'Failed' ? 'bad' : 'warn' },
              h('span', { class: 'stage' }, `Sync ${sync?.status || 'Pending'}`),
              h('span', { class: 'when' }, sync ? `took ${millis(sync.durationMs)} · +${millis(a.leadTimeMs)}` : '—')),
            h('li', { class: sync?.health === 'Healthy' ? 'ok' : sync?.health === 'Degraded' ? 'bad' : 'warn' },
              h('span', { class: 'stage' }, sync?.health || 'Unknown'),
              h('span', { class: 'when' }, a.leadTimeToHealthyMs !== null && a.leadTimeToHealthyMs !== undefined ? `+${millis(a.leadTimeToHealthyMs)}` : '—')),
          ];
          const failed = render.status === 'Failed' ? render : sync?.status === 'Failed' ? sync : null;
          return h('section', { class: 'panel', 'data-application': a.name, 'aria-labelledby': `trace-${a.name}` },
            h('h2', { id: `trace-${a.name}` }, h('a', { href: `#/applications/${encodeURIComponent(a.name)}` }, a.name)),
            h('ol', { class: 'timeline', 'aria-label': `${a.name}: push to healthy` }, stages),
            failed ? h('div', { class: 'failure' },
              h('p', { class: 'error' }, failed.reason || 'Failed'),
              where ? h('p', {}, 'File ', h('code', { class: 'file' }, where.file), `, document ${where.document}`) : null,
              h('pre', { class: 'message' }, failed.message || '')) : null,
            sync?.resources?.length ? h('details', {}, h('summary', {}, `${sync.resources.length} objects`),
              h('ul', {}, sync.resources.map((r) => h('li', {}, `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}: ${r.action}${r.reason ? ` (${r.reason})` : ''}`)))) : null);
        }));
    } catch (e) {
      body.replaceChildren(failure(e));
    }
  };
  await load();
  const reload = debounce(load);
  return { onEntry: (entry) => { if (entry.commit && sha.length >= 7 && entry.commit.startsWith(sha.toLowerCase())) reload(); } };
}

async function integrityPage() {
  const status = h('div');
  const checkpoint = h('div');
  main.replaceChildren(h('h1', {}, 'Integrity of the change log'), h('h2', {}, 'Verification'), status, h('h2', {}, 'Latest signed checkpoint'), checkpoint);
  status.replaceChildren(h('p', { class: 'muted' }, 'Walking every chain…'));
  try {
    const v = await api('/api/verify');
    const broken = v.broken || v.breaks || [];
    const intact = v.intact ?? broken.length === 0;
    status.replaceChildren(h('div', { class: 'panel', id: 'verification' },
      h('p', {}, badge(intact ? 'intact' : 'broken'), ' ', intact ? 'Every chain verifies against its hashes and the latest checkpoint.' : 'The log does not verify:'),
      broken.length ? h('ul', {}, broken.map((b) => h('li', {}, `${b.chain} · ${b.reason} at entry ${b.seq}: ${b.problem}`))) : null,
      h('details', {}, h('summary', {}, 'The answer as the API gave it'), h('pre', {}, JSON.stringify(v, null, 2)))));
  } catch (e) {
    status.replaceChildren(failure(e));
  }
  try {
    const c = await api('/api/checkpoints');
    checkpoint.replaceChildren(h('div', { class: 'panel', id: 'checkpoint' },
      h('details', { open: true }, h('summary', {}, 'Signed checkpoint'), h('pre', {}, JSON.stringify(c, null, 2)))));
  } catch (e) {
    checkpoint.replaceChildren(failure(e));
  }
  return null;
}

// ---------------------------------------------------------------- sign-in and routing

function signOut(message) {
  token = null;
  caller = null;
  sessionStorage.removeItem(TOKEN_KEY);
  feedGeneration++;
  feedAbort?.abort();
  showSignIn(message);
}

function showSignIn(message) {
  session.replaceChildren();
  const form = document.getElementById('sign-in').content.cloneNode(true);
  main.replaceChildren(form);
  const error = document.getElementById('sign-in-error');
  error.textContent = message || '';
  document.getElementById('token').focus();
  document.getElementById('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    token = new FormData(event.target).get('token').trim();
    sessionStorage.setItem(TOKEN_KEY, token);
    await start();
  });
}

async function start() {
  try {
    caller = await api('/api/caller');
  } catch (e) {
    if (e.status !== 401) showSignIn(`${e.reason}: ${e.message}`);
    return;
  }
  session.replaceChildren(`Signed in as ${caller.name} (${caller.mayAct ? 'may act' : 'read only'})`,
    h('button', { type: 'button', id: 'sign-out', onclick: () => signOut('Signed out.') }, 'Sign out'));
  follow();
  await route();
}

async function route() {
  if (!token) return showSignIn();
  const path = decodeURIComponent(location.hash.replace(/^#/, '').split('?')[0]) || '/';
  current = null;
  let page;
  const app = /^\/applications\/(.+)$/.exec(path);
  const commit = /^\/commits\/([0-9a-fA-F]{7,64})$/.exec(path);
  if (app) page = applicationPage(app[1]);
  else if (commit) page = commitPage(commit[1]);
  else if (path === '/integrity') page = integrityPage();
  else page = applicationsPage();
  current = await page;
  main.focus({ preventScroll: true });
}

document.getElementById('commit-search').addEventListener('submit', (event) => {
  event.preventDefault();
  const sha = new FormData(event.target).get('sha').trim();
  if (sha) location.hash = `#/commits/${sha}`;
});

window.addEventListener('hashchange', () => { if (token) route(); });

// A link may carry the token in its fragment (#/commits/…?token=…): it never reaches a server; taken and removed.
const fragment = /([#&?])token=([^&]+)&?/.exec(location.hash);
if (fragment) {
  token = decodeURIComponent(fragment[2]);
  sessionStorage.setItem(TOKEN_KEY, token);
  const rest = location.hash.replace(fragment[0], fragment[1] === '#' ? '#' : fragment[1]).replace(/[?&]$/, '');
  history.replaceState(null, '', location.pathname + (rest === '#' ? '#/' : rest));
}
if (token) start(); else showSignIn();
