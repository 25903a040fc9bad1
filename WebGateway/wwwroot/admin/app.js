// The admin panel: one Alpine.js component over the admin REST API (/api/admin/...) and the live-event WebSocket
// (/ws/subscriptions/). Everything it shows comes from those two; it keeps no data of its own besides the session
// token (sessionStorage) and the language (localStorage).
'use strict';

const LIVE_RESOURCES = ['/controllers/', '/pools/', '/domains/', '/vdi_tasks/', '/thin_clients/', '/users/', '/events/', '/nodes/', '/clusters/', '/data-pools/'];
const POWER = { 0: 'UNDEFINED', 1: 'OFF', 2: 'SUSPENDED', 3: 'ON' };
const LEVELS = ['info', 'warning', 'error', 'debug'];

function panel() {
  return {
    // the language chosen in this browser, else the broker's (Broker:Language, from the public /api/settings)
    lang: localStorage.getItem('vdi.lang') || 'en',
    token: sessionStorage.getItem('vdi.token') || '',
    me: null,
    live: false,
    route: { page: 'dashboard', id: null },
    toasts: [],
    loginForm: { username: '', password: '', code: '' },
    loginError: '',
    busy: false,
    summary: {},
    services: { silos: [], gateways: [], controllers: [], postgres: {}, redis: {} },
    stats: null, statsFilter: { from: '', to: '', interval: 'day', pool_id: '' }, _chart: null, _dashChart: null, _loginChart: null, poolFill: [],
    notify: null, notifyPassword: '', hook: { url: '', secret: '', level: 'ERRORS', has_secret: false }, notifyTest: null,
    latest: [],
    controllers: { count: 0, results: [] },
    controllerForm: { verbose_name: '', address: '', token: '', description: '', tls_mode: 'system', tls_ca: '', tls_pin: '' },
    resourcesOf: null, resourceKind: 'templates', resourceRows: [], eventsOf: null, controllerEvents: { count: 0, results: [] }, eventLevel: '',
    pools: { count: 0, results: [] },
    consoleUrl: '', templateChange: null, backupsOf: null, poolForm: null, poolChoices: { resource_pools: [], data_pools: [], templates: [], vms: [] },
    pool: null, poolCounts: null, poolVms: { count: 0, results: [] }, poolUsers: { count: 0, results: [] }, poolGroups: { count: 0, results: [] },
    poolTasks: { count: 0, results: [] }, assignTo: {}, entitleName: '', poolEdit: null,
    vms: { count: 0, results: [] }, resources: { count: 0, results: [], unavailable: [] }, resourceCounts: {}, resourcesKind: 'vms', resourceDetail: null,
    sessions: { count: 0, results: [] }, showEnded: false, messageTo: {}, messageAll: '', chat: [],
    users: { count: 0, results: [] }, userSearch: '', userEdit: null, userForm: { username: '', password: '', roles: [], is_superuser: false },
    directories: { count: 0, results: [] }, directoryChecks: {}, directory: null, directorySyncTask: '',
    mappingForm: { priority: 10, name: '', kind: 'GROUP', values: '', group: '' }, syncForm: { directory_group: '', group_id: '' }, trustedForm: { name: '', dns_name: '', base_dn: '' },
    directoryForm: { verbose_name: '', kind: 'ACTIVE_DIRECTORY', servers: '', security: 'LDAPS', base_dn: '', service_dn: '', service_password: '', domain: '', ca_directory: '', timeout: 10 },
    groups: { count: 0, results: [] }, groupForm: { verbose_name: '', description: '' }, group: null, groupMembers: { count: 0, results: [] }, memberName: '',
    tasks: { count: 0, results: [] },
    journal: { count: 0, results: [] }, journalFilter: { event_type: '', entity_type: '', username: '', from: '', to: '', unread: false },
    settings: null, retention: null, mfa: null, mfaEnrol: null, mfaCode: '',
    // every list pages and sorts on the server: its offset, page size, ordering (a field, "-" first for descending) and search
    lists: {
      controllers: { offset: 0, limit: 50, ordering: '' }, controllerEvents: { offset: 0, limit: 50, ordering: '' }, pools: { offset: 0, limit: 50, ordering: '', q: '' },
      poolVms: { offset: 0, limit: 100, ordering: '', q: '' }, poolUsers: { offset: 0, limit: 50, ordering: '' }, poolGroups: { offset: 0, limit: 50, ordering: '' },
      vms: { offset: 0, limit: 50, ordering: '', q: '' }, sessions: { offset: 0, limit: 50, ordering: '' }, users: { offset: 0, limit: 50, ordering: '', q: '' },
      groups: { offset: 0, limit: 50, ordering: '' }, groupMembers: { offset: 0, limit: 50, ordering: '' }, directories: { offset: 0, limit: 50, ordering: '' },
      tasks: { offset: 0, limit: 50, ordering: '' }, journal: { offset: 0, limit: 50, ordering: '' }, resources: { offset: 0, limit: 50, ordering: '', q: '' },
    },
    // the password dialog (instead of prompt()): typed twice, hidden
    passwordDialog: null,
    connDialog: null,
    errors: {},
    _socket: null, _refresh: {},

    // ---- basics -----------------------------------------------------------------------------------------------
    t(key) { return (window.VDI_TEXTS[this.lang] || {})[key] || window.VDI_TEXTS.en[key] || key; },
    // a session's close reason in the panel's language (rows from before schema 013 may hold an English sentence)
    closeReason(reason) { return reason ? (this.t('reason_' + reason) === 'reason_' + reason ? reason : this.t('reason_' + reason)) : ''; },
    setLang(lang, remember = true) { this.lang = lang; if (remember) { localStorage.setItem('vdi.lang', lang); } document.documentElement.lang = lang; },
    power(n) { return POWER[n] || n; },
    level(n) { return this.t(LEVELS[n] || 'info'); },
    uptime(seconds) {
      if (seconds == null) { return ''; }
      const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60);
      return d > 0 ? `${d} ${this.t('daysShort')} ${h} ${this.t('hoursShort')}` : h > 0 ? `${h} ${this.t('hoursShort')} ${m} ${this.t('minutesShort')}` : `${m} ${this.t('minutesShort')}`;
    },
    secretHint(set) { return set ? this.t('keepSecret') : ''; },
    n(v) { return v === null || v === undefined ? '' : v; },
    stateClass(s) { return ['ACTIVE', 'HEALTHY', 'JOINING'].includes(s) ? 'ok' : ['DEGRADED', 'SHUTTINGDOWN', 'DRAINING', 'STOPPED', 'SERVICE'].includes(s) ? 'warn' : 'bad'; },
    locale() { return this.lang === 'ru' ? 'ru-RU' : 'en-GB'; },
    when(s) { return s ? new Date(s).toLocaleString(this.locale()) : ''; },
    // an enum value (a status, a type, a role...) in the panel's language: "enum_<VALUE>" when the texts have it
    e(value) { if (value == null || value === '') { return ''; } const k = 'enum_' + value; const text = this.t(k); return text === k ? String(value) : text; },
    roleList(u) { return (u.is_superuser ? ['SUPERUSER'] : []).concat(u.roles || []).map(r => this.e(r)).join(', '); },
    speed(bytes) { return bytes == null ? '' : bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB/s` : `${Math.round(bytes / 1024)} KB/s`; },
    network(s) {
      if (s.avg_rtt == null && s.loss_percentage == null && s.read_speed == null) { return ''; }
      const parts = [];
      if (s.avg_rtt != null) { parts.push(`RTT ${Math.round(s.avg_rtt)} ${this.t('msShort')}`); }
      if (s.loss_percentage != null) { parts.push(`${this.t('loss')} ${Number(s.loss_percentage).toFixed(1)}%`); }
      if (s.read_speed != null) { parts.push(`↓ ${this.speed(s.read_speed)}`); }
      if (s.write_speed != null) { parts.push(`↑ ${this.speed(s.write_speed)}`); }
      return parts.join(' · ');
    },
    has(role) { return !!this.me && (this.me.roles.includes('SUPERUSER') || this.me.roles.includes(role)); },
    get isAdmin() { return this.has('ADMINISTRATOR'); },
    get isSecurity() { return this.has('SECURITY_ADMINISTRATOR'); },
    get isSuperuser() { return !!this.me && this.me.roles.includes('SUPERUSER'); },
    get anyRole() { return !!this.me && this.me.roles.length > 0; },
    toast(text, kind = 'ok') {
      const id = Math.random();
      this.toasts = [...this.toasts, { id, text, kind }].slice(-4); // a few at a time: they never pile over the page
      setTimeout(() => this.dismiss(id), kind === 'error' ? 10000 : 5000);
    },
    dismiss(id) { this.toasts = this.toasts.filter(x => x.id !== id); },
    // a refusal in the panel's language when the server named its reason with a code the texts know
    fail(e) { const key = e.code ? 'error_' + e.code : ''; const text = key && this.t(key) !== key ? `${this.t(key)}: ${e.message}` : (e.message || String(e)); this.toast(text, 'error'); },
    fieldError(name) { return (this.errors[name] || []).join(' '); },
    // ---- lists: paging, sorting and search on the server --------------------------------------------------------
    listQuery(name, extra) {
      const l = this.lists[name], q = new URLSearchParams(extra || {});
      q.set('limit', l.limit); q.set('offset', l.offset);
      if (l.ordering) { q.set('ordering', l.ordering); }
      if (l.q) { q.set('q', l.q); }
      return q.toString();
    },
    pageOf(name) { return this[name] || { count: 0, results: [] }; },
    pageBy(name, delta) { const l = this.lists[name]; l.offset = Math.max(0, l.offset + delta * l.limit); return this.load().catch(e => this.fail(e)); },
    sortBy(name, field) {
      const l = this.lists[name];
      l.ordering = l.ordering === field ? '-' + field : field;
      l.offset = 0;
      return this.load().catch(e => this.fail(e));
    },
    sortMark(name, field) { const o = this.lists[name].ordering; return o === field ? ' ▲' : o === '-' + field ? ' ▼' : ''; },
    ariaSort(name, field) { const o = this.lists[name].ordering; return o === field ? 'ascending' : o === '-' + field ? 'descending' : 'none'; },
    searchList(name) { this.lists[name].offset = 0; return this.load().catch(e => this.fail(e)); },
    number(v) { return v == null ? '' : Number(v).toLocaleString(this.locale()); },
    rangeText(name) {
      const l = this.lists[name], p = this.pageOf(name);
      if (!p.count || !p.results.length) { return this.t('nothingFound'); }
      return `${this.number(l.offset + 1)}–${this.number(l.offset + p.results.length)} ${this.t('of')} ${p.count_estimated ? this.t('about') + ' ' : ''}${this.number(p.count)}`;
    },
    hasPrev(name) { return this.lists[name].offset > 0; },
    hasNext(name) { const l = this.lists[name], p = this.pageOf(name); return p.results.length === l.limit && l.offset + p.results.length < p.count; },
    showPager(name) { return this.lists[name].offset > 0 || this.pageOf(name).count > this.lists[name].limit; },

    async api(method, path, body) {
      const response = await fetch(path, {
        method,
        headers: { 'Authorization': `JWT ${this.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      if (response.status === 401) {
        this.logout();
        throw new Error('401');
      }
      const text = await response.text();
      const data = text ? JSON.parse(text) : null;
      if (!response.ok) {
        const error = new Error((data && (data.detail || data.title)) || `${response.status}`);
        error.status = response.status;
        error.code = data && data.code;
        error.fields = (data && data.errors) || (data && data.field ? { [data.field]: [data.detail] } : {});
        throw error;
      }
      return data;
    },

    // ---- session ----------------------------------------------------------------------------------------------
    async init() {
      this.setLang(this.lang, false);
      if (!localStorage.getItem('vdi.lang')) {
        fetch('/api/settings').then(r => r.json()).then(b => { if (b && b.data && ['en', 'ru'].includes(b.data.language)) { this.setLang(b.data.language, false); } }).catch(() => {});
      }
      window.addEventListener('hashchange', () => this.navigate());
      // the services page is live: every silo's and gateway's report is read again every 5 s while it is open
      setInterval(() => { if (this.route.page === 'services' && this.me && !document.hidden) { this.load().catch(() => {}); } }, 5000);
      if (this.token) {
        try { await this.afterLogin(); } catch { this.logout(); }
      }
    },
    async login() {
      this.loginError = '';
      this.busy = true;
      try {
        const response = await fetch('/api/auth/', {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: this.loginForm.username, password: this.loginForm.password, code: this.loginForm.code }),
        });
        const body = await response.json();
        if (!body.data) {
          this.loginError = (body.errors && body.errors[0] && body.errors[0].message) || 'Login failed';
          return;
        }
        this.token = body.data.access_token;
        sessionStorage.setItem('vdi.token', this.token);
        this.loginForm.password = '';
        this.loginForm.code = '';
        await this.afterLogin();
      } finally {
        this.busy = false;
      }
    },
    async afterLogin() {
      this.me = await this.api('GET', '/api/admin/me');
      if (this.anyRole) {
        this.connectLive();
      }
      this.navigate();
    },
    logout() {
      if (this.token) {
        fetch('/api/logout', { method: 'POST', headers: { 'Authorization': `JWT ${this.token}` } }).catch(() => {});
      }
      this.token = '';
      this.me = null;
      sessionStorage.removeItem('vdi.token');
      if (this._socket) { this._socket.onclose = null; this._socket.close(); this._socket = null; }
      this.live = false;
    },

    // ---- live events ------------------------------------------------------------------------------------------
    connectLive() {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      const socket = new WebSocket(`${scheme}://${location.host}/ws/subscriptions/?token=${encodeURIComponent(this.token)}`);
      this._socket = socket;
      socket.onopen = () => { this.live = true; LIVE_RESOURCES.forEach(r => socket.send(`add ${r}`)); };
      socket.onmessage = m => this.onLive(JSON.parse(m.data));
      socket.onclose = () => {
        this.live = false;
        if (this.token && this._socket === socket) { setTimeout(() => this.token && this.connectLive(), 2000); }
      };
    },
    onLive(m) {
      if (m.msg_type !== 'data') { return; }
      const o = m.object || {};
      switch (m.resource) {
        case '/vdi_tasks/':
          for (const list of [this.tasks, this.poolTasks]) {
            const row = list.results.find(t => t.id === m.id);
            if (row) { Object.assign(row, { status: o.status ?? row.status, progress: o.progress ?? row.progress, message: o.message ?? row.message }); }
          }
          this.later('tasks', () => this.refreshPage(['dashboard', 'tasks', 'pool']));
          break;
        case '/events/':
          this.latest = [o, ...this.latest].slice(0, 10);
          this.later('events', () => this.refreshPage(['journal', 'dashboard']));
          break;
        case '/users/':
          if (m.event === 'text_msg') { this.chat = [{ ...o, at: new Date().toISOString() }, ...this.chat].slice(0, 100); this.toast(`${o.sender_name || o.user_name || ''}: ${o.message}`); }
          break;
        case '/thin_clients/': this.later('tc', () => this.refreshPage(['thin-clients', 'dashboard'])); break;
        case '/domains/': this.later('vms', () => this.refreshPage(['pool', 'dashboard'])); break;
        case '/pools/': this.later('pools', () => this.refreshPage(['pools', 'pool', 'dashboard'])); break;
        case '/controllers/': this.later('controllers', () => this.refreshPage(['controllers', 'dashboard'])); break;
        case '/nodes/': case '/clusters/': case '/data-pools/': this.later('resources', () => this.refreshPage(['resources'])); break;
      }
    },
    later(key, fn) {
      clearTimeout(this._refresh[key]);
      this._refresh[key] = setTimeout(() => fn().catch(() => {}), 300);
    },
    async refreshPage(pages) {
      if (pages.includes(this.route.page)) { await this.load(); }
    },

    // ---- routing ----------------------------------------------------------------------------------------------
    go(hash) { location.hash = hash; },
    navigate() {
      const [page, id] = (location.hash.replace(/^#\/?/, '') || 'dashboard').split('/');
      if (page !== this.route.page || (id || null) !== this.route.id) {
        for (const name of ['poolVms', 'poolUsers', 'poolGroups', 'groupMembers']) { this.lists[name].offset = 0; if ('q' in this.lists[name]) { this.lists[name].q = ''; } }
        this.poolEdit = null;
      }
      this.route = { page, id: id || null };
      this.errors = {};
      this.load().catch(e => this.fail(e));
    },
    async load() {
      if (!this.me || !this.anyRole) { return; }
      const p = this.route.page;
      if (p === 'dashboard') {
        this.summary = await this.api('GET', '/api/admin/summary');
        // the last 24 hours by the hour: sessions, desktop connections and failed ones
        const now = new Date(), hour = 3600000;
        const to = new Date(Math.ceil(now.getTime() / hour) * hour), from = new Date(to.getTime() - 24 * hour);
        this.api('GET', `/api/admin/statistics?from=${from.toISOString()}&to=${to.toISOString()}&interval=hour`)
          .then(day => this.$nextTick(() => {
            this._dashChart = this.chart('dash-chart', day.series, this._dashChart, 200);
            this._loginChart = this.loginChart('dash-logins', day.series, this._loginChart, 200);
          })).catch(() => {});
        if (this.isAdmin) {
          this.api('GET', '/api/admin/pools?limit=10&ordering=-total_size').then(p => { this.poolFill = p.results; }).catch(() => {});
        }
        this.latest = (await this.api('GET', '/api/admin/journal?limit=10')).results;
      } else if (p === 'controllers' && this.isAdmin) {
        this.controllers = await this.api('GET', `/api/admin/controllers?${this.listQuery('controllers')}`);
        if (this.eventsOf) { await this.loadControllerEvents(); }
      } else if (p === 'pools' && this.isAdmin) {
        this.pools = await this.api('GET', `/api/admin/pools?${this.listQuery('pools')}`);
      } else if (p === 'vms' && this.isAdmin) {
        this.vms = await this.api('GET', `/api/admin/vms?${this.listQuery('vms')}`);
      } else if (p === 'resources' && this.isAdmin) {
        [this.resources, this.resourceCounts] = await Promise.all([
          this.api('GET', `/api/admin/resources/${this.resourcesKind}?${this.listQuery('resources')}`),
          this.api('GET', '/api/admin/resources/counts').then(c => c.counts)]);
      } else if (p === 'pool' && this.isAdmin) {
        const id = this.route.id;
        [this.pool, this.poolCounts, this.poolVms, this.poolUsers, this.poolGroups, this.poolTasks] = await Promise.all([
          this.api('GET', `/api/admin/pools/${id}`), this.api('GET', `/api/admin/pools/${id}/counts`),
          this.api('GET', `/api/admin/pools/${id}/vms?${this.listQuery('poolVms')}`), this.api('GET', `/api/admin/pools/${id}/users?${this.listQuery('poolUsers')}`),
          this.api('GET', `/api/admin/pools/${id}/groups?${this.listQuery('poolGroups')}`), this.api('GET', `/api/admin/tasks?pool_id=${id}&limit=20`)]);
      } else if (p === 'thin-clients' && this.isAdmin) {
        this.sessions = await this.api('GET', `/api/admin/thin-clients?${this.listQuery('sessions', { get_disconnected: this.showEnded })}`);
      } else if (p === 'users' && this.isSecurity) {
        this.lists.users.q = this.userSearch;
        this.users = await this.api('GET', `/api/admin/users?${this.listQuery('users')}`);
      } else if (p === 'groups' && this.isSecurity) {
        this.groups = await this.api('GET', `/api/admin/groups?${this.listQuery('groups')}`);
        if (this.route.id) {
          this.group = this.groups.results.find(g => g.id === this.route.id) || await this.api('GET', `/api/admin/groups/${this.route.id}`).catch(() => null);
          this.groupMembers = await this.api('GET', `/api/admin/groups/${this.route.id}/members?${this.listQuery('groupMembers')}`);
        }
      } else if (p === 'directories' && this.isSecurity) {
        [this.directories, this.groups] = await Promise.all([this.api('GET', `/api/admin/directories?${this.listQuery('directories')}`), this.api('GET', '/api/admin/groups?limit=1000')]);
      } else if (p === 'tasks' && this.isAdmin) {
        this.tasks = await this.api('GET', `/api/admin/tasks?${this.listQuery('tasks')}`);
      } else if (p === 'statistics') {
        if (!this.statsFilter.from) {
          const today = new Date();
          this.statsFilter.to = new Date(today.getTime() + 86400000).toISOString().slice(0, 10);
          this.statsFilter.from = new Date(today.getTime() - 29 * 86400000).toISOString().slice(0, 10);
        }
        if (this.isAdmin && !this.pools.results.length) { this.pools = await this.api('GET', '/api/admin/pools?limit=500'); }
        this.stats = await this.api('GET', `/api/admin/statistics?${this.statsQuery()}`);
        this.$nextTick(() => this.drawStats());
      } else if (p === 'services') {
        this.services = await this.api('GET', '/api/admin/services');
      } else if (p === 'settings') {
        this.mfa = await this.api('GET', '/api/admin/me/two-factor').catch(() => null);
        if (this.isAdmin || this.isSecurity) { this.retention = await this.api('GET', '/api/admin/retention').catch(() => null); }
        if (!this.isAdmin) { return; }
        this.settings = await this.api('GET', '/api/admin/settings');
        this.notify = await this.api('GET', '/api/admin/notifications');
        const h = this.notify.webhooks[0];
        this.hook = h ? { url: h.url, secret: '', level: h.level, has_secret: h.has_secret } : { url: '', secret: '', level: 'ERRORS', has_secret: false };
      } else if (p === 'journal') {
        this.journal = await this.api('GET', `/api/admin/journal?${this.journalQuery()}&${this.listQuery('journal')}`);
      }
    },
    async act(fn, okText) {
      this.errors = {};
      try {
        const result = await fn();
        if (okText) { this.toast(this.t(okText)); }
        await this.load();
        return result;
      } catch (e) {
        this.errors = e.fields || {};
        this.fail(e);
        return null;
      }
    },

    // ---- controllers ------------------------------------------------------------------------------------------
    addController() {
      return this.act(async () => {
        const f = this.controllerForm;
        await this.api('POST', '/api/admin/controllers', {
          verbose_name: f.verbose_name, address: f.address, token: f.token, description: f.description,
          tls: { ca_certificates: f.tls_mode === 'ca' ? f.tls_ca : '', pinned_sha256: f.tls_mode === 'pin' ? f.tls_pin : '' },
        });
        this.controllerForm = { verbose_name: '', address: '', token: '', description: '', tls_mode: 'system', tls_ca: '', tls_pin: '' };
        // newest first, so the controller just added is on the first page however many there are
        Object.assign(this.lists.controllers, { ordering: '-created', offset: 0 });
      }, 'saved');
    },
    controllerAction(c, action) { return this.act(() => this.api('POST', `/api/admin/controllers/${c.id}/${action}`), 'done'); },
    // a controller with pools is refused (409); the administrator may then remove it with them (their VMs stay on it)
    removeController(c) {
      return confirm(this.t('confirmRemove')) && this.act(async () => {
        try { await this.api('DELETE', `/api/admin/controllers/${c.id}`); } catch (e) {
          if (e.status !== 409 || !confirm(this.t('confirmRemoveWithPools'))) { throw e; }
          await this.api('DELETE', `/api/admin/controllers/${c.id}?force=true`);
        }
      }, 'done');
    },
    // the controller's own event log, read from it page by page
    showEvents(c) { this.eventsOf = c; this.lists.controllerEvents.offset = 0; return this.loadControllerEvents().catch(e => this.fail(e)); },
    async loadControllerEvents() {
      const extra = this.eventLevel === '' ? {} : { event_type: this.eventLevel };
      this.controllerEvents = await this.api('GET', `/api/admin/controllers/${this.eventsOf.id}/events?${this.listQuery('controllerEvents', extra)}`);
    },
    closeEvents() { this.eventsOf = null; },
    pageEvents(delta) { const l = this.lists.controllerEvents; l.offset = Math.max(0, l.offset + delta * l.limit); return this.loadControllerEvents().catch(e => this.fail(e)); },
    async showResources(c, kind) {
      this.resourcesOf = c;
      this.resourceKind = kind || this.resourceKind;
      try { this.resourceRows = await this.api('GET', `/api/admin/controllers/${c.id}/${this.resourceKind}`); } catch (e) { this.fail(e); }
    },

    // ---- pools ------------------------------------------------------------------------------------------------
    // a static or an RDS pool is made of existing VMs; an RDS pool offers RDP only and does nothing after a disconnect
    hostsPool(type) { return type === 'STATIC' || type === 'RDS'; },
    freeable(type) { return type === 'AUTOMATED' || type === 'STATIC'; },
    protocolsFor(type) { return type === 'RDS' ? ['RDP', 'NATIVE_RDP'] : ['SPICE', 'SPICE_DIRECT', 'RDP', 'NATIVE_RDP', 'LOUDPLAY']; },
    actionsFor(type) { return type === 'RDS' ? ['NONE'] : ['NONE', 'SHUTDOWN', 'SHUTDOWN_FORCED', 'SUSPEND', 'RECREATE']; },
    newPool(type) {
      this.errors = {};
      this.poolForm = {
        pool_type: type, verbose_name: '', controller_id: '', resource_pool_id: '', datapool_id: '', template_id: '', vm_name_template: '',
        initial_size: 1, reserve_size: 1, total_size: 2, increase_step: 1, connection_types: [type === 'RDS' ? 'RDP' : 'SPICE'], vms: [],
        keep_vms_on: false, free_vm_from_user: false, vm_action_upon_user_disconnect: type === 'GUEST' ? 'RECREATE' : 'NONE', vm_disconnect_action_timeout: type === 'RDS' ? 0 : 60,
      };
      this.api('GET', '/api/admin/controllers').then(c => { this.controllers = c; });
    },
    async poolControllerChosen() {
      const id = this.poolForm.controller_id;
      if (!id) { return; }
      const [rp, dp, tpl, vms] = await Promise.all(['resource-pools', 'data-pools', 'templates', 'vms'].map(k => this.api('GET', `/api/admin/controllers/${id}/${k}`).catch(() => [])));
      this.poolChoices = { resource_pools: rp, data_pools: dp, templates: tpl, vms };
    },
    createPool() {
      const f = { ...this.poolForm };
      for (const k of ['initial_size', 'reserve_size', 'total_size', 'increase_step', 'vm_disconnect_action_timeout']) { f[k] = f[k] === '' ? null : Number(f[k]); }
      if (this.hostsPool(f.pool_type)) { for (const k of ['datapool_id', 'template_id', 'vm_name_template', 'initial_size', 'reserve_size', 'total_size', 'increase_step']) { delete f[k]; } }
      else { delete f.vms; }
      for (const k of Object.keys(f)) { if (f[k] === '') { f[k] = null; } }
      return this.act(async () => {
        const pool = await this.api('POST', '/api/admin/pools', f);
        this.poolForm = null;
        this.go(`#/pool/${pool.id}`);
      }, 'poolCreated');
    },
    editPool() {
      const p = this.pool;
      this.errors = {};
      this.poolEdit = {
        verbose_name: p.verbose_name, reserve_size: p.reserve_size, total_size: p.total_size, increase_step: p.increase_step, vm_name_template: p.vm_name_template || '',
        connection_types: [...(p.connection_types || [])], keep_vms_on: !!p.keep_vms_on, free_vm_from_user: !!p.free_vm_from_user,
        vm_action_upon_user_disconnect: p.vm_action_upon_user_disconnect || 'NONE', vm_disconnect_action_timeout: p.vm_disconnect_action_timeout,
        set_vms_hostnames: !!p.set_vms_hostnames, include_vms_in_ad: !!p.include_vms_in_ad, ad_ou: p.ad_ou || '', enable_vms_remote_access: !!p.enable_vms_remote_access, start_vms: !!p.start_vms,
      };
    },
    savePool() {
      const f = { ...this.poolEdit };
      for (const k of ['reserve_size', 'total_size', 'increase_step', 'vm_disconnect_action_timeout']) { f[k] = f[k] === '' || f[k] == null ? null : Number(f[k]); }
      if (this.hostsPool(this.pool.pool_type)) { for (const k of ['reserve_size', 'total_size', 'increase_step', 'vm_name_template']) { delete f[k]; } }
      for (const k of Object.keys(f)) { if (f[k] === null) { delete f[k]; } }
      return this.act(async () => { await this.api('PATCH', `/api/admin/pools/${this.pool.id}`, f); this.poolEdit = null; }, 'saved');
    },
    // the resources of every controller: one kind at a time, a resource's details read from its controller
    resourcesOfKind(kind) { this.resourcesKind = kind; this.lists.resources.offset = 0; this.lists.resources.q = ''; this.resourceDetail = null; return this.load().catch(e => this.fail(e)); },
    async resourceDetails(r) {
      try { this.resourceDetail = await this.api('GET', `/api/admin/resources/${this.resourcesKind}/${r.id}?controller_id=${r.controller_id}`); } catch (e) { this.fail(e); }
    },
    detailPairs() { return Object.entries((this.resourceDetail && this.resourceDetail.details) || {}); },
    kindCount(kind) { return this.resourceCounts[kind.replace('-', '_')] || 0; },
    async openTemplateChange() {
      this.errors = {};
      const choices = await this.api('GET', `/api/admin/controllers/${this.pool.controller_id}/templates`).catch(() => []);
      this.templateChange = { template_id: '', choices };
    },
    changeTemplate() {
      const id = this.templateChange.template_id || null;
      return this.act(async () => { await this.api('POST', `/api/admin/pools/${this.pool.id}/template`, { template_id: id }); this.templateChange = null; }, 'done');
    },
    poolAction(action) { return this.act(() => this.api('POST', `/api/admin/pools/${this.pool.id}/${action}`), 'done'); },
    removePool() {
      return confirm(this.t('confirmRemove')) && this.act(async () => { await this.api('DELETE', `/api/admin/pools/${this.pool.id}`); this.go('#/pools'); }, 'done');
    },
    // the controller's own web console, in a tab of its own (opened at once so the browser does not block it)
    async vmConsole(vm) {
      const tab = window.open('', '_blank');
      try { const c = await this.api('GET', `/api/admin/vms/${vm.id}/console`); if (tab) { tab.opener = null; tab.location = c.url; } this.consoleUrl = c.url; }
      catch (e) { if (tab) { tab.close(); } this.fail(e); }
    },
    vmPrepare(vm) { return this.act(() => this.api('POST', `/api/admin/vms/${vm.id}/prepare`), 'done'); },
    vmGuestUtils(vm) { return this.act(() => this.api('POST', `/api/admin/vms/${vm.id}/attach-guest-utils`), 'done'); },
    vmToTemplate(vm) {
      const name = prompt(this.t('templateName'), `${vm.verbose_name}-tpl`);
      return name && this.act(() => this.api('POST', `/api/admin/vms/${vm.id}/convert-to-template`, { verbose_name: name }), 'done');
    },
    async vmBackups(vm) {
      try { this.backupsOf = { vm, files: await this.api('GET', `/api/admin/vms/${vm.id}/backups`) }; } catch (e) { this.fail(e); }
    },
    vmBackup() {
      const vm = this.backupsOf.vm;
      return this.act(async () => { this.backupsOf = { vm, files: await this.api('POST', `/api/admin/vms/${vm.id}/backups`) }; }, 'done');
    },
    vmRestore(file) { return this.act(() => this.api('POST', `/api/admin/vms/${this.backupsOf.vm.id}/backups/${file.id}/restore`), 'done'); },
    vmPower(vm, action) { return this.act(() => this.api('POST', `/api/admin/vms/${vm.id}/power/${action}`), 'done'); },
    vmReserve(vm) { return this.act(() => this.api('POST', `/api/admin/vms/${vm.id}/reserve`, { reserved: vm.status !== 'RESERVED' }), 'done'); },
    vmAssign(vm) {
      const username = (this.assignTo[vm.id] || '').trim();
      return this.act(async () => { await this.api('POST', `/api/admin/vms/${vm.id}/assign`, { username }); this.assignTo[vm.id] = ''; }, 'vmAssigned');
    },
    vmFree(vm, userId) { return this.act(() => this.api('POST', `/api/admin/vms/${vm.id}/free`, { user_id: userId }), 'done'); },
    async userIdByName(name) {
      const found = await this.api('GET', `/api/admin/users?q=${encodeURIComponent(name)}`).catch(() => null);
      const user = found && found.results.find(u => u.username.toLowerCase() === name.toLowerCase());
      if (!user) { throw Object.assign(new Error(`${name}?`), { fields: { users: [`${name}?`] } }); }
      return user.id;
    },
    entitle() {
      return this.act(async () => {
        const id = await this.userIdByName(this.entitleName.trim());
        await this.api('POST', `/api/admin/pools/${this.pool.id}/entitlements`, { users: [id] });
        this.entitleName = '';
      }, 'done');
    },
    unentitle(u) { return this.act(() => this.api('POST', `/api/admin/pools/${this.pool.id}/entitlements/remove`, { users: [u.id] }), 'done'); },
    ownerName(id) { const u = this.poolUsers.results.find(x => x.id === id); return u ? u.username : id.slice(0, 8); },

    // ---- thin clients -----------------------------------------------------------------------------------------
    sendMessage(userId) {
      const message = userId ? (this.messageTo[userId] || '') : this.messageAll;
      return this.act(async () => {
        await this.api('POST', '/api/admin/thin-clients/message', { user_id: userId || null, message });
        if (userId) { this.messageTo[userId] = ''; } else { this.messageAll = ''; }
      }, 'messageSent');
    },
    disconnectSession(s) { return this.act(() => this.api('POST', '/api/admin/thin-clients/disconnect', { conn_id: s.conn_id }), 'disconnected'); },

    // ---- users and groups -------------------------------------------------------------------------------------
    createUser() {
      return this.act(async () => {
        await this.api('POST', '/api/admin/users', this.userForm);
        this.userForm = { username: '', password: '', roles: [], is_superuser: false };
      }, 'saved');
    },
    async editUser(u) {
      try {
        const v = await this.api('GET', `/api/admin/users/${u.id}`);
        this.userEdit = { id: v.id, username: v.username, first_name: v.first_name, last_name: v.last_name, email: v.email,
          roles: v.roles || [], is_superuser: v.is_superuser, tk_permissions: v.tk_permissions || [] };
        this.errors = {};
      } catch (e) { this.fail(e); }
    },
    saveUser() {
      const e = this.userEdit;
      const me = this.me && e.id === this.me.id;
      return this.act(async () => {
        await this.api('PATCH', `/api/admin/users/${e.id}`, {
          first_name: e.first_name, last_name: e.last_name, email: e.email, tk_permissions: e.tk_permissions,
          ...(me ? {} : { roles: e.roles, is_superuser: e.is_superuser }),
        });
        this.userEdit = null;
      }, 'saved');
    },
    updateUser(u, changes) { return this.act(() => this.api('PATCH', `/api/admin/users/${u.id}`, changes), 'saved'); },
    unlockUser(u) { return this.act(() => this.api('POST', `/api/admin/users/${u.id}/unlock`), 'done'); },
    deleteUser(u) { return confirm(this.t('confirmRemove')) && this.act(() => this.api('DELETE', `/api/admin/users/${u.id}`), 'done'); },
    createDirectory() {
      const f = this.directoryForm;
      const body = { ...f, servers: f.servers.split(',').map(x => x.trim()).filter(x => x), timeout: Number(f.timeout) || 10 };
      return this.act(async () => {
        await this.api('POST', '/api/admin/directories', body);
        this.directoryForm = { ...f, verbose_name: '', servers: '', service_password: '' };
      }, 'saved');
    },
    testDirectory(d) {
      return this.act(async () => {
        const check = await this.api('POST', `/api/admin/directories/${d.id}/test`);
        this.directoryChecks = { ...this.directoryChecks, [d.id]: `${check.outcome}: ${check.detail}` };
      }, 'done');
    },
    directoryCheck(d) { return this.directoryChecks[d.id] || ''; },
    userSource(u) { return u.source === 'DIRECTORY' ? this.t('sourceDirectory') : this.t('sourceLocal'); },
    groupNames(ids) {
      const names = (ids || []).map(id => (this.groups.results.find(g => g.id === id) || { verbose_name: id }).verbose_name);
      return names.join(', ');
    },
    openDirectory(d) {
      return this.act(async () => {
        const full = await this.api('GET', `/api/admin/directories/${d.id}`);
        this.directory = { ...full, mappings: full.mappings || [], group_syncs: full.group_syncs || [], trusted_domains: full.trusted_domains || [] };
        this.directorySyncTask = '';
      });
    },
    closeDirectory() { this.directory = null; },
    addMapping() {
      const f = this.mappingForm;
      const values = f.values.split(',').map(x => x.trim()).filter(x => x);
      const group = f.group || (this.groups.results[0] || {}).id;
      if (!f.name || !values.length || !group) { this.toast(this.t('mappingIncomplete')); return; }
      this.directory.mappings = [...this.directory.mappings, { name: f.name, kind: f.kind, values, groups: [group], priority: Number(f.priority) || 0 }]
        .sort((a, b) => a.priority - b.priority);
      this.mappingForm = { ...f, name: '', values: '', priority: (Number(f.priority) || 0) + 10 };
    },
    removeMapping(m) { this.directory.mappings = this.directory.mappings.filter(x => x !== m); },
    addGroupSync() {
      const f = this.syncForm;
      const group = f.group_id || (this.groups.results[0] || {}).id;
      if (!f.directory_group.trim() || !group) { this.toast(this.t('mappingIncomplete')); return; }
      this.directory.group_syncs = [...this.directory.group_syncs, { directory_group: f.directory_group.trim(), group_id: group }];
      this.syncForm = { directory_group: '', group_id: f.group_id };
    },
    addTrustedDomain() {
      const f = this.trustedForm;
      if (!f.name.trim() || !f.dns_name.trim() || !f.base_dn.trim()) { this.toast(this.t('mappingIncomplete')); return; }
      this.directory.trusted_domains = [...this.directory.trusted_domains, { name: f.name.trim(), dns_name: f.dns_name.trim(), base_dn: f.base_dn.trim() }];
      this.trustedForm = { name: '', dns_name: '', base_dn: '' };
    },
    removeTrustedDomain(d) { this.directory.trusted_domains = this.directory.trusted_domains.filter(x => x !== d); },
    removeGroupSync(g) { this.directory.group_syncs = this.directory.group_syncs.filter(x => x !== g); },
    saveDirectory() {
      const d = this.directory;
      return this.act(async () => {
        const saved = await this.api('PATCH', `/api/admin/directories/${d.id}`,
          { mappings: d.mappings, group_syncs: d.group_syncs, trusted_domains: d.trusted_domains, create_users: !!d.create_users, sync_minutes: Number(d.sync_minutes) || 0 });
        this.directory = { ...saved, mappings: saved.mappings || [], group_syncs: saved.group_syncs || [], trusted_domains: saved.trusted_domains || [] };
      }, 'saved');
    },
    syncGroup(g) {
      return this.act(async () => {
        const started = await this.api('POST', `/api/admin/directories/${this.directory.id}/sync-group`, g);
        this.directorySyncTask = `AD_SYNCHRONIZE_GROUP ${g.directory_group}: ${started.task_id}`;
      }, 'done');
    },
    syncUsers() {
      return this.act(async () => {
        const started = await this.api('POST', `/api/admin/directories/${this.directory.id}/sync-users`);
        this.directorySyncTask = `LDAP_SYNCHRONIZE_USERS: ${started.task_id}`;
      }, 'done');
    },
    directoryServers(d) { return (d.servers || []).join(', '); },
    deleteDirectory(d) { return confirm(this.t('confirmRemove')) && this.act(() => this.api('DELETE', `/api/admin/directories/${d.id}`), 'done'); },
    deleteGroup(g) { return confirm(this.t('confirmRemove')) && this.act(() => this.api('DELETE', `/api/admin/groups/${g.id}`), 'done'); },
    changePassword(u) { this.errors = {}; this.passwordDialog = { user: u, password: '', repeat: '', mismatch: false }; this.$nextTick(() => { const el = document.getElementById('password-new'); if (el) { el.focus(); } }); },
    closePasswordDialog() { this.passwordDialog = null; },
    async openConnData(vm) {
      this.errors = {};
      this.connDialog = { vm, items: [], form: { connection_type: 'RDP', address: '', port: '', active: true } };
      try { this.connDialog.items = await this.api('GET', `/api/admin/vms/${vm.id}/connection-data`); } catch (e) { this.fail(e); }
    },
    closeConnData() { this.connDialog = null; },
    connTarget(o) { return o.port ? `${o.address}:${o.port}` : o.address; },
    async saveConnData() {
      const d = this.connDialog;
      const f = d.form;
      this.errors = {};
      try {
        d.items = await this.api('PUT', `/api/admin/vms/${d.vm.id}/connection-data/${f.connection_type}`, { address: f.address, port: f.port === '' || f.port === null ? null : Number(f.port), active: f.active });
        this.toast(this.t('saved'));
      } catch (e) { this.errors = e.fields || {}; if (!Object.keys(this.errors).length) { this.fail(e); } }
    },
    async removeConnData(o) {
      const d = this.connDialog;
      try { d.items = await this.api('DELETE', `/api/admin/vms/${d.vm.id}/connection-data/${o.connection_type}`); this.toast(this.t('done')); } catch (e) { this.fail(e); }
    },
    async submitPassword() {
      const d = this.passwordDialog;
      d.mismatch = d.password !== d.repeat;
      if (d.mismatch || !d.password) { return; }
      this.errors = {};
      try {
        await this.api('PATCH', `/api/admin/users/${d.user.id}`, { password: d.password });
        this.passwordDialog = null;
        this.toast(this.t('passwordChanged'));
      } catch (e) { this.errors = e.fields || {}; if (!Object.keys(this.errors).length) { this.fail(e); } }
    },
    createGroup() {
      return this.act(async () => { await this.api('POST', '/api/admin/groups', this.groupForm); this.groupForm = { verbose_name: '', description: '' }; }, 'saved');
    },
    addMember() {
      return this.act(async () => {
        const id = await this.userIdByName(this.memberName.trim());
        await this.api('POST', `/api/admin/groups/${this.route.id}/members`, { users: [id] });
        this.memberName = '';
      }, 'done');
    },
    saveGroup() {
      const g = this.group;
      return this.act(() => this.api('PATCH', `/api/admin/groups/${g.id}`, { roles: g.roles, tk_permissions: g.tk_permissions }), 'saved');
    },
    removeMember(u) { return this.act(() => this.api('POST', `/api/admin/groups/${this.route.id}/members/remove`, { users: [u.id] }), 'done'); },

    saveSettings() {
      const s = this.settings;
      return this.act(() => this.api('PATCH', '/api/admin/settings', {
        disconnect_inactive_connections: s.disconnect_inactive_connections, afk_timeout: Number(s.afk_timeout),
        thin_client_limit: Number(s.thin_client_limit), password_security_level: s.password_security_level,
        password_expiration_period: Number(s.password_expiration_period), password_history: Number(s.password_history),
        resource_cache_ttl: this.optionalNumber(s.resource_cache_ttl),
      }), 'saved');
    },
    optionalNumber(v) { return v === '' || v === null || v === undefined ? null : Number(v); },
    clearResourceCache() { return this.act(() => this.api('POST', '/api/admin/resources/cache/clear'), 'done'); },

    statsQuery() {
      const f = this.statsFilter;
      const q = new URLSearchParams({ from: `${f.from}T00:00:00Z`, to: `${f.to}T00:00:00Z`, interval: f.interval });
      if (f.pool_id) { q.set('pool_id', f.pool_id); }
      return q.toString();
    },
    durationLine(d) {
      if (!d || !d.count) { return '—'; }
      const s = v => v == null ? '—' : v < 120 ? `${Math.round(v)} ${this.t('secondsShort')}` : `${Math.round(v / 60)} ${this.t('minutesShort')}`;
      return `p50 ${s(d.p50)} · p90 ${s(d.p90)} · p99 ${s(d.p99)}`;
    },
    drawStats() {
      if (this.stats) { this._chart = this.chart('stats-chart', this.stats.series, this._chart, 260); }
    },
    /** A uPlot chart of a statistics series (sessions, desktop connections, failed ones) in the element with this id. */
    chart(id, series, previous, height) {
      const el = document.getElementById(id);
      if (previous) { previous.destroy(); }
      if (!el || typeof uPlot === 'undefined') { return null; }
      const data = [series.map(b => Date.parse(b.start) / 1000), series.map(b => b.sessions), series.map(b => b.vm_connections), series.map(b => b.vm_connections_failed)];
      return new uPlot({
        width: Math.max(320, el.clientWidth || 800), height,
        series: [{}, { label: this.t('sessionsTotal'), stroke: '#1f6feb', width: 2 }, { label: this.t('vmConnections'), stroke: '#1a7f37', width: 2 },
          { label: this.t('failedCount'), stroke: '#cf222e', width: 2 }],
        axes: [{}, { label: this.t('count') }],
      }, data, el);
    },
    /** Logins and refused logins per interval (the journal's, broker-wide). */
    loginChart(id, series, previous, height) {
      const el = document.getElementById(id);
      if (previous) { previous.destroy(); }
      if (!el || typeof uPlot === 'undefined') { return null; }
      const data = [series.map(b => Date.parse(b.start) / 1000), series.map(b => b.logins), series.map(b => b.logins_failed)];
      return new uPlot({
        width: Math.max(320, el.clientWidth || 800), height,
        series: [{}, { label: this.t('logins'), stroke: '#1f6feb', width: 2 }, { label: this.t('loginsFailed'), stroke: '#cf222e', width: 2 }],
        axes: [{}, { label: this.t('count') }],
      }, data, el);
    },
    // the dashboard's bars: VMs by power state, pools by fill (VMs and users against the pool's size)
    vmStates() {
      const power = this.summary.vm_power || {}, total = Object.values(power).reduce((a, b) => a + b, 0) || 1;
      return Object.entries(power).map(([k, n]) => ({ key: k, label: this.e(this.power(k)), n, width: `width: ${Math.round(100 * n / total)}%` }));
    },
    fill(p) { const size = Math.max(1, p.total_size || 1); return `width: ${Math.min(100, Math.round(100 * p.vm_count / size))}%`; },
    fillUsers(p) { const size = Math.max(1, p.total_size || 1); return `width: ${Math.min(100, Math.round(100 * p.users_count / size))}%`; },
    fillText(p) { return `${p.users_count} / ${p.vm_count} / ${p.total_size}`; },
    async downloadStatsCsv() {
      try {
        const response = await fetch(`/api/admin/statistics?${this.statsQuery()}&format=csv`, { headers: { 'Authorization': `JWT ${this.token}` } });
        if (!response.ok) { throw new Error(`${response.status}`); }
        const url = URL.createObjectURL(await response.blob());
        const a = document.createElement('a');
        a.href = url; a.download = `vdi-statistics-${this.statsFilter.from}-${this.statsFilter.to}.csv`; a.click();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      } catch (e) { this.fail(e); }
    },
    saveNotifications() {
      const m = this.notify.smtp, h = this.hook;
      return this.act(async () => {
        await this.api('PUT', '/api/admin/notifications', {
          smtp: { host: m.host, port: Number(m.port), security: m.security, username: m.username, from_address: m.from_address, level: m.level,
            ...(this.notifyPassword ? { password: this.notifyPassword } : {}) },
          webhooks: h.url ? [{ url: h.url, level: h.level, ...(h.secret ? { secret: h.secret } : {}) }] : [],
        });
        this.notifyPassword = '';
      }, 'saved');
    },
    async testNotifications() {
      this.notifyTest = null;
      try { this.notifyTest = await this.api('POST', '/api/admin/notifications/test'); } catch (e) { this.fail(e); }
    },
    notifyTestText() {
      const r = this.notifyTest;
      if (!r) { return ''; }
      const hooks = Object.entries(r.webhooks || {}).map(([u, e]) => `${u}: ${e || this.t('sent')}`).join('; ');
      return `SMTP: ${r.smtp || this.t('sent') + ' (' + r.recipients.join(', ') + ')'}${hooks ? '; ' + hooks : ''}`;
    },

    // ---- tasks and journal ------------------------------------------------------------------------------------
    cancelTask(task) { return this.act(() => this.api('POST', `/api/admin/tasks/${task.id}/cancel`), 'done'); },
    journalQuery() {
      const f = this.journalFilter;
      const q = new URLSearchParams();
      if (f.event_type !== '') { q.set('event_type', f.event_type); }
      if (f.entity_type) { q.set('entity_type', f.entity_type); }
      if (f.username) { q.set('username', f.username); }
      if (f.from) { q.set('from', new Date(f.from).toISOString()); }
      if (f.to) { q.set('to', new Date(f.to).toISOString()); }
      if (f.unread) { q.set('unread', 'true'); }
      return q.toString();
    },
    applyJournal() { this.lists.journal.offset = 0; return this.load().catch(e => this.fail(e)); },
    markAllRead() { return this.markRead(this.journal.results.map(e => e.id)); },
    runningTasks() { return Object.values(this.summary.tasks || {}).reduce((a, b) => a + b, 0); },
    // ---- two-factor sign-in for one's own account ---------------------------------------------------------------
    startMfa() {
      return this.act(async () => {
        this.mfaEnrol = await this.api('POST', '/api/admin/me/two-factor/enrol', this.mfaCode ? { code: this.mfaCode } : {});
        this.mfaCode = '';
      });
    },
    submitMfa() { return this.mfaEnrol ? this.confirmMfa() : this.mfa && this.mfa.enabled ? this.disableMfa() : this.startMfa(); },
    mfaImage() { return this.mfaEnrol ? 'data:image/png;base64,' + this.mfaEnrol.qr_png : ''; },
    confirmMfa() {
      return this.act(async () => {
        await this.api('POST', '/api/admin/me/two-factor/confirm', { code: this.mfaCode });
        this.mfaEnrol = null; this.mfaCode = '';
      }, 'mfaOn');
    },
    disableMfa() { return this.act(async () => { await this.api('POST', '/api/admin/me/two-factor/disable', { code: this.mfaCode }); this.mfaCode = ''; }, 'mfaOff'); },
    saveRetention() {
      const r = this.retention;
      return this.act(() => this.api('PUT', '/api/admin/retention', {
        journal_months: Number(r.journal_months), session_months: Number(r.session_months), task_days: Number(r.task_days), archive: !!r.archive,
      }), 'saved');
    },
    runRetention() { return confirm(this.t('confirmRetention')) && this.act(() => this.api('POST', '/api/admin/retention/run'), 'done'); },
    bytes(n) { return n == null ? '' : n >= 1073741824 ? `${(n / 1073741824).toFixed(1)} GB` : n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`; },
    retentionRunText() {
      const r = this.retention && this.retention.last_run;
      if (!r) { return this.t('neverRun'); }
      const what = `${this.t('journal')}: ${this.number(r.journal_removed)}, ${this.t('sessionsTotal')}: ${this.number(r.sessions_removed)}, ${this.t('tasks')}: ${this.number(r.tasks_removed)}`;
      return `${this.when(r.finished)} (${r.by}): ${r.error || what}`;
    },
    markRead(ids) { return this.act(() => this.api('POST', '/api/admin/journal/mark-read', { ids }), 'done'); },
    async exportJournal() {
      const response = await fetch(`/api/admin/journal/export?${this.journalQuery()}`, { headers: { 'Authorization': `JWT ${this.token}` } });
      const url = URL.createObjectURL(await response.blob());
      const a = Object.assign(document.createElement('a'), { href: url, download: 'journal.csv' });
      a.click();
      URL.revokeObjectURL(url);
    },
  };
}

// Alpine's CSP build (no 'unsafe-eval') looks components up by name: the panel registers itself before Alpine starts
document.addEventListener('alpine:init', () => window.Alpine.data('panel', panel));
