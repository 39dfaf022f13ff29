// Gavel demo web app: plain JavaScript, no build step, no third-party code.
// Runs under a strict Content-Security-Policy (no inline script or style, no eval): the DOM is
// built with createElement/textContent only, so text from the API is never parsed as HTML.
'use strict';

(() => {
  // ---------------------------------------------------------------------------------------------
  // DOM helpers
  // ---------------------------------------------------------------------------------------------

  /** h('a', {href: '#/', class: 'x', testid: 'y', onclick: fn}, 'text', child, [more]) */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'testid') el.dataset.testid = value;
      else if (key === 'text') el.textContent = value;
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key in el && typeof value !== 'string') el[key] = value;
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of [children].flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function replace(el, ...children) {
    el.replaceChildren();
    return append(el, children);
  }

  const $ = (selector, root = document) => root.querySelector(selector);

  // ---------------------------------------------------------------------------------------------
  // Money and time
  // ---------------------------------------------------------------------------------------------

  const digitsCache = new Map();
  /** Minor-unit digits of a currency (EUR 2, JPY 0, BHD 3). */
  function fractionDigits(currency) {
    if (!digitsCache.has(currency)) {
      let digits = 2;
      try {
        digits = new Intl.NumberFormat('en', {style: 'currency', currency}).resolvedOptions().maximumFractionDigits;
      } catch (_) { /* unknown code: assume cents */ }
      digitsCache.set(currency, digits);
    }
    return digitsCache.get(currency);
  }

  function money(minor, currency) {
    if (minor === undefined || minor === null) return '—';
    const digits = fractionDigits(currency);
    try {
      return new Intl.NumberFormat(undefined, {style: 'currency', currency}).format(minor / 10 ** digits);
    } catch (_) {
      return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
    }
  }

  /** "12.5" → 1250 (EUR) without floating point; null when not a valid amount. */
  function toMinor(text, currency) {
    const digits = fractionDigits(currency);
    const match = /^\s*(\d{1,12})(?:[.,](\d*))?\s*$/.exec(String(text));
    if (!match) return null;
    const fraction = match[2] || '';
    if (fraction.length > digits) return null;
    return Number(match[1]) * 10 ** digits + Number((fraction + '0'.repeat(digits)).slice(0, digits) || 0);
  }

  /** 1250 (EUR) → "12.50", for prefilling inputs. */
  function fromMinor(minor, currency) {
    if (minor === undefined || minor === null) return '';
    const digits = fractionDigits(currency);
    if (digits === 0) return String(minor);
    const text = String(minor).padStart(digits + 1, '0');
    return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  }

  /** Server time minus local time, from the Date header of API responses (1 s resolution). */
  let clockSkew = 0;
  const serverNow = () => Date.now() + clockSkew;

  function remaining(endsAt) {
    let seconds = Math.max(0, Math.floor((Date.parse(endsAt) - serverNow()) / 1000));
    const days = Math.floor(seconds / 86400);
    seconds -= days * 86400;
    const hours = Math.floor(seconds / 3600);
    seconds -= hours * 3600;
    const minutes = Math.floor(seconds / 60);
    seconds -= minutes * 60;
    const pad = (n) => String(n).padStart(2, '0');
    if (days > 0) return `${days}d ${pad(hours)}h ${pad(minutes)}m`;
    if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
    return `${minutes}m ${pad(seconds)}s`;
  }

  const when = (timestamp) => new Date(timestamp).toLocaleString();
  const shortId = (id) => (id ? id.slice(-6) : '');

  // ---------------------------------------------------------------------------------------------
  // Session (sessionStorage: the tokens live as long as the tab)
  // ---------------------------------------------------------------------------------------------

  const session = {
    load() {
      try {
        return JSON.parse(sessionStorage.getItem('gavel.session') || 'null');
      } catch (_) {
        return null;
      }
    },
    save(value) {
      if (value) sessionStorage.setItem('gavel.session', JSON.stringify(value));
      else sessionStorage.removeItem('gavel.session');
      renderNav();
    },
    get current() {
      return this.load();
    },
    get user() {
      return this.load()?.user || null;
    },
    setUser(user) {
      const current = this.load();
      if (current) this.save({...current, user});
    },
    fromTokens(pair, user) {
      this.save({
        access: pair.access_token,
        refresh: pair.refresh_token,
        expiresAt: Date.now() + pair.expires_in * 1000,
        user: user || this.user,
      });
    },
  };

  // ---------------------------------------------------------------------------------------------
  // API client
  // ---------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, problem, headers) {
      super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
      this.status = status;
      this.problem = problem || {code: status === 0 ? 'network' : 'unknown', status};
      this.code = this.problem.code;
      this.headers = headers;
    }
  }

  let refreshing = null;

  /** Exchanges the refresh token for a new pair once, however many requests ask at the same time. */
  function refreshSession() {
    if (!refreshing) {
      const current = session.current;
      refreshing = (async () => {
        if (!current?.refresh) return false;
        try {
          const pair = await request('POST', '/api/v1/identity/token/refresh', {
            body: {refresh_token: current.refresh}, token: false,
          });
          session.fromTokens(pair.data, current.user);
          return true;
        } catch (_) {
          session.save(null);
          return false;
        }
      })().finally(() => { refreshing = null; });
    }
    return refreshing;
  }

  /**
   * One HTTP request. Sends the access token when signed in (drafts are visible to their seller),
   * refreshing it shortly before it expires and once more after a 401. Resolves
   * {status, data, headers}; rejects with an ApiError carrying the problem.
   */
  async function request(method, path, options = {}) {
    const {body, token = true, headers = {}, contentType = 'application/json'} = options;
    if (token && session.current && session.current.expiresAt - Date.now() < 60_000) await refreshSession();
    const send = async () => {
      const all = {Accept: 'application/json, application/problem+json', ...headers};
      if (body !== undefined) all['Content-Type'] = contentType;
      const access = token ? session.current?.access : null;
      if (access) all.Authorization = `Bearer ${access}`;
      try {
        return await fetch(path, {method, headers: all, body: body === undefined ? undefined : JSON.stringify(body)});
      } catch (_) {
        throw new ApiError(0, {code: 'network', detail: 'The server cannot be reached.'});
      }
    };
    let response = await send();
    if (response.status === 401 && token && session.current) {
      const problem = await response.clone().json().catch(() => null);
      if (problem?.code === 'auth.invalid_token' && (await refreshSession())) response = await send();
    }
    const date = Date.parse(response.headers.get('Date') || '');
    if (!Number.isNaN(date)) clockSkew = date - Date.now();
    const type = response.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await response.json().catch(() => null) : null;
    if (!response.ok) throw new ApiError(response.status, data, response.headers);
    return {status: response.status, data, headers: response.headers};
  }

  const api = {
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, {...options, body}),
    put: (path, body, options) => request('PUT', path, {...options, body}),
    patch: (path, body, options) => request('PATCH', path, {...options, body, contentType: 'application/merge-patch+json'}),
    del: (path, options) => request('DELETE', path, options),
  };

  const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

  // ---------------------------------------------------------------------------------------------
  // Problems explained in words
  // ---------------------------------------------------------------------------------------------

  const MESSAGES = {
    'network': 'The server cannot be reached. Check your connection and try again.',
    'auth.missing_token': 'Please log in first.',
    'auth.invalid_token': 'Your session has expired. Please log in again.',
    'identity.invalid_credentials': 'The email or the password is wrong.',
    'identity.email_taken': 'An account with this email already exists. Log in instead?',
    'identity.invalid_code': 'That code is wrong or was already used. Wait for the next code and try again.',
    'identity.invalid_challenge': 'This sign-in has expired. Please enter your email and password again.',
    'identity.challenge_locked': 'Too many wrong codes. Please sign in again.',
    'identity.invalid_password': 'The password is wrong.',
    'identity.two_factor_enabled': 'Two-factor authentication is already on.',
    'identity.two_factor_not_pending': 'Start the set-up again: the pending secret is gone.',
    'identity.two_factor_disabled': 'Two-factor authentication is off.',
    'identity.invalid_refresh_token': 'Your session has ended. Please log in again.',
    'identity.refresh_token_reused': 'Your session was ended for safety. Please log in again.',
    'bid.self_bid': 'You cannot bid on your own listing.',
    'bid.currency_mismatch': 'The bid is in a different currency from the item.',
    'bid.invalid_amount': 'Enter a positive amount within the price limit.',
    'bid.max_below_amount': 'Your maximum must be at least your bid.',
    'item.not_active': 'This auction is not taking bids.',
    'item.not_started': 'This auction has not started yet.',
    'item.ended': 'This auction has ended.',
    'item.has_bids': 'This listing already has bids: its prices and times can no longer change, and it cannot be cancelled or deleted.',
    'item.not_open': 'This listing is closed or cancelled.',
    'item.published': 'A published listing cannot go back to being a draft.',
    'item.not_owner': 'Only the seller can change this listing.',
    'item.not_found': 'This auction does not exist (or is someone else\'s draft).',
    'item.conflict': 'The listing cannot be changed right now. Reload and try again.',
    'product.not_found': 'This product does not exist.',
    'product.not_owner': 'Only the seller can change this product.',
    'product.name_taken': 'You already list a product with this name.',
    'request.precondition_failed': 'Someone changed this listing meanwhile. Reload it and make your change again.',
    'idempotency.key_reused': 'That request was already sent with different details. Try again.',
    'idempotency.conflict': 'That request is still being processed. Try again in a moment.',
    'validation.empty_patch': 'Nothing was changed.',
    'service.overloaded': 'The service is busy right now. Please try again in a moment.',
    'service.shutting_down': 'The service is restarting. Please try again in a moment.',
    'request.timeout': 'The server took too long. Please try again.',
  };

  /** A sentence for a failed request; `context.item` sharpens the bid messages. */
  function explain(error, context = {}) {
    if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
    const problem = error.problem;
    const item = context.item;
    switch (problem.code) {
      case 'bid.too_low': {
        if ((problem.errors || []).some((e) => e.field === 'max_amount')) {
          return 'You are already the highest bidder. To raise your maximum, enter a maximum above your current one.';
        }
        if (item) {
          const minimum = item.leading_bidder_id ? item.current_price + item.bid_increment : item.start_price;
          return `Your bid is too low. The lowest bid you can place now is ${money(minimum, item.currency)}.`;
        }
        return 'Your bid is too low.';
      }
      case 'item.not_active':
        return item ? `This auction is ${item.status}, so it is not taking bids.` : MESSAGES[problem.code];
      case 'identity.locked': {
        const seconds = Number(error.headers?.get('Retry-After') || 0);
        const wait = seconds > 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds || 'a few'} seconds`;
        return `Too many failed attempts. Try again in ${wait}.`;
      }
      case 'validation.failed':
      case 'request.invalid_parameter':
      case 'request.unknown_field': {
        const fields = (problem.errors || []).map((e) => `${e.field.replace(/_/g, ' ')} ${e.message}`);
        return fields.length ? `Please check: ${fields.join('; ')}.` : (problem.detail || 'Please check the form.');
      }
      default:
        return MESSAGES[problem.code] || problem.detail || `The request failed (HTTP ${error.status}).`;
    }
  }

  /** Marks the inputs a problem names; returns the sentence to show. */
  function showProblem(form, error, context) {
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    for (const fieldError of error?.problem?.errors || []) {
      const input = form.querySelector(`[name="${CSS.escape(fieldError.field)}"]`);
      if (input) input.setAttribute('aria-invalid', 'true');
    }
    return explain(error, context);
  }

  // ---------------------------------------------------------------------------------------------
  // Page frame: notices, navigation, per-page cleanup
  // ---------------------------------------------------------------------------------------------

  let noticeTimer = null;
  function notify(text, kind = 'info') {
    const el = $('#notice');
    el.textContent = text;
    el.className = `notice ${kind}`;
    el.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  function renderNav() {
    const signedIn = Boolean(session.current);
    $('#nav-login').hidden = signedIn;
    $('#nav-register').hidden = signedIn;
    $('#nav-account').hidden = !signedIn;
    $('#nav-logout').hidden = !signedIn;
    if (signedIn) $('#nav-account').textContent = session.user?.name || 'Account';
  }

  /** Things a page started (timers, streams) that must stop when the user leaves it. */
  let cleanups = [];
  const onLeave = (fn) => cleanups.push(fn);

  function every(ms, fn) {
    const timer = setInterval(fn, ms);
    onLeave(() => clearInterval(timer));
  }

  function message(testid) {
    return h('p', {class: 'message', role: 'alert', testid, id: testid, hidden: true});
  }

  function say(el, text, kind = 'error') {
    el.textContent = text;
    el.className = `message ${kind}`;
    el.hidden = !text;
  }

  function field(label, input, hint) {
    return h('label', {class: 'field'}, h('span', {class: 'label'}, label), input, hint ? h('small', {class: 'hint'}, hint) : null);
  }

  function input(name, props = {}) {
    return h('input', {name, id: props.id || `f-${name}`, testid: props.testid || props.id || `f-${name}`, ...props});
  }

  function requireLogin() {
    if (session.current) return false;
    sessionStorage.setItem('gavel.returnTo', location.hash || '#/');
    location.hash = '#/login';
    return true;
  }

  function returnAfterLogin() {
    const target = sessionStorage.getItem('gavel.returnTo') || '#/';
    sessionStorage.removeItem('gavel.returnTo');
    location.hash = target === '#/login' || target === '#/register' ? '#/' : target;
  }

  function pager(page, pageSize, total, go) {
    const pages = Math.max(1, Math.ceil(total / pageSize));
    if (pages === 1 && page === 1) return h('p', {class: 'pager muted', testid: 'pager'}, `${total} in all`);
    return h('div', {class: 'pager', testid: 'pager'},
      h('button', {type: 'button', class: 'secondary', disabled: page <= 1, onclick: () => go(page - 1), testid: 'page-prev'}, '← Previous'),
      h('span', {}, `Page ${page} of ${pages} · ${total} in all`),
      h('button', {type: 'button', class: 'secondary', disabled: page >= pages, onclick: () => go(page + 1), testid: 'page-next'}, 'Next →'));
  }

  /** A query string with spaces as %20: the server does not read '+' as a space. */
  function qs(params) {
    return Object.entries(params)
      .filter(([, v]) => v !== '' && v !== undefined && v !== null)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
  }

  function queryHash(path, params) {
    const text = qs(params);
    return `#${path}${text ? `?${text}` : ''}`;
  }

  const statusBadge = (status) => h('span', {class: `badge status-${status}`, testid: 'status'}, status);

  // ---------------------------------------------------------------------------------------------
  // Auctions: list
  // ---------------------------------------------------------------------------------------------

  async function viewItems(view, params) {
    const page = Math.max(1, Number(params.get('page')) || 1);
    const q = params.get('q') || '';
    const status = params.get('status') || 'active';
    const sort = params.get('sort') || 'ending_soon';
    const go = (changes) => { location.hash = queryHash('/items', {q, status, sort, page: 1, ...changes}); };

    const search = h('form', {class: 'filters', id: 'items-search', role: 'search', onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      go({q: data.get('q').trim(), status: data.get('status'), sort: data.get('sort')});
    }},
    input('q', {type: 'search', value: q, placeholder: 'Search auctions', 'aria-label': 'Search auctions', id: 'items-q'}),
    h('select', {name: 'status', id: 'items-status', testid: 'items-status', 'aria-label': 'Status'},
      [['active', 'Live'], ['scheduled', 'Starting soon'], ['sold', 'Sold'], ['unsold', 'Unsold'], ['all', 'All']].map(([value, text]) =>
        h('option', {value, selected: value === status}, text))),
    h('select', {name: 'sort', id: 'items-sort', testid: 'items-sort', 'aria-label': 'Order'},
      [['ending_soon', 'Ending soon'], ['newest', 'Newest'], ['price', 'Price']].map(([value, text]) =>
        h('option', {value, selected: value === sort}, text))),
    h('button', {type: 'submit', testid: 'items-search-submit'}, 'Search'));

    const list = h('div', {class: 'grid', id: 'items-list', testid: 'items-list', 'aria-busy': 'true'});
    replace(view, h('section', {}, h('div', {class: 'heading'}, h('h1', {}, 'Auctions'),
      h('a', {href: '#/sell', class: 'button'}, 'Sell something')), search, list));

    const {data} = await api.get(`/api/v1/items?${qs({q, status: status === 'all' ? '' : status, sort, page, page_size: 12})}`);
    list.removeAttribute('aria-busy');
    if (!data.data.length) {
      replace(list, h('p', {class: 'empty', testid: 'items-empty'}, q ? `No auctions match “${q}”.` : 'No auctions here yet.'));
      return;
    }
    replace(list, data.data.map(itemCard));
    list.after(pager(data.page, data.page_size, data.total, (p) => go({page: p})));
    every(1000, () => {
      for (const el of list.querySelectorAll('[data-ends]')) el.textContent = remaining(el.dataset.ends);
    });
  }

  function itemCard(item) {
    const live = item.status === 'active';
    return h('a', {class: 'card', href: `#/items/${item.id}`, testid: 'item-card', 'data-id': item.id},
      h('div', {class: 'card-top'}, h('h2', {class: 'card-title'}, item.name), statusBadge(item.status)),
      h('div', {class: 'price'}, money(item.current_price, item.currency)),
      h('div', {class: 'meta'},
        h('span', {}, `${item.bid_count} ${item.bid_count === 1 ? 'bid' : 'bids'}`),
        live ? h('span', {class: 'countdown', 'data-ends': item.ends_at}, remaining(item.ends_at))
          : h('span', {}, item.status === 'scheduled' ? `starts ${when(item.starts_at)}`
            : item.status === 'draft' ? 'draft' : item.status === 'cancelled' ? 'cancelled' : `ended ${when(item.ends_at)}`)));
  }

  // ---------------------------------------------------------------------------------------------
  // Auctions: one item, live
  // ---------------------------------------------------------------------------------------------

  async function viewItem(view, params, id) {
    let item = (await api.get(`/api/v1/items/${encodeURIComponent(id)}`)).data;
    const me = session.user;
    const els = {};

    const priceBox = h('div', {class: 'pricebox'},
      h('div', {class: 'label'}, 'Current price'),
      els.price = h('div', {class: 'price big', id: 'item-price', testid: 'item-price', 'aria-live': 'polite'}),
      els.bids = h('div', {id: 'item-bid-count', testid: 'item-bid-count'}),
      els.leader = h('div', {id: 'item-leader', testid: 'item-leader'}),
      els.reserve = h('div', {id: 'item-reserve', class: 'muted'}),
      els.buyout = h('div', {id: 'item-buyout', class: 'muted'}),
      els.countdown = h('div', {class: 'countdown big', id: 'item-countdown', testid: 'item-countdown'}),
      els.ends = h('div', {class: 'muted', id: 'item-ends'}),
      els.live = h('div', {class: 'live', id: 'item-live', testid: 'item-live'}, 'Connecting…'));

    els.amount = input('amount', {id: 'bid-amount', inputmode: 'decimal', autocomplete: 'off', required: true});
    els.max = input('max_amount', {id: 'bid-max', inputmode: 'decimal', autocomplete: 'off'});
    els.bidMessage = message('bid-message');
    els.bidForm = h('form', {class: 'panel bid', id: 'bid-form', testid: 'bid-form', onsubmit: placeBid},
      h('h2', {}, 'Place a bid'),
      field('Your bid', els.amount),
      field('Maximum for automatic bidding (optional)', els.max,
        'Gavel bids for you, one increment at a time, up to this amount. Nobody sees it.'),
      h('button', {type: 'submit', id: 'bid-submit', testid: 'bid-submit'}, 'Place bid'),
      els.bidMessage);

    els.history = h('ol', {class: 'history', id: 'bid-history', testid: 'bid-history'});
    els.sellerActions = h('div', {class: 'actions', id: 'seller-actions'});
    els.status = h('span', {id: 'item-status'});
    els.description = h('p', {class: 'description', id: 'item-description'});
    els.title = h('h1', {id: 'item-name', testid: 'item-name'});

    replace(view, h('article', {class: 'item', testid: 'item-page', 'data-id': item.id},
      h('p', {class: 'crumbs'}, h('a', {href: '#/'}, '← All auctions')),
      h('div', {class: 'heading'}, els.title, els.status),
      h('div', {class: 'columns'},
        h('div', {}, els.description, els.sellerActions,
          h('section', {class: 'panel'}, h('h2', {}, 'Bid history'), els.history)),
        h('div', {}, priceBox, els.bidForm))));

    function render() {
      els.title.textContent = item.name;
      replace(els.status, statusBadge(item.status));
      els.description.textContent = item.description || 'No description.';
      els.price.textContent = money(item.current_price, item.currency);
      els.bids.textContent = `${item.bid_count} ${item.bid_count === 1 ? 'bid' : 'bids'} · increment ${money(item.bid_increment, item.currency)}`;
      const leader = item.leading_bidder_id;
      els.leader.textContent = !leader ? 'No bids yet — be the first.'
        : me && leader === me.id ? 'You are the highest bidder.' : `Highest bidder: #${shortId(leader)}`;
      els.leader.className = me && leader === me.id ? 'leader you' : 'leader';
      els.reserve.textContent = item.reserve_price !== undefined
        ? `Reserve (only you see it): ${money(item.reserve_price, item.currency)} — ${item.reserve_met ? 'met' : 'not met yet'}`
        : item.bid_count > 0 && !item.reserve_met ? 'Reserve not met yet' : '';
      els.buyout.textContent = item.buyout_price && item.current_price < item.buyout_price && item.status === 'active'
        ? `Buy now: bid ${money(item.buyout_price, item.currency)}` : '';
      els.ends.textContent = item.status === 'scheduled' ? `Starts ${when(item.starts_at)}` : `Ends ${when(item.ends_at)}`;
      if (item.status === 'sold') {
        els.countdown.textContent = me && item.winner_id === me.id
          ? `You won at ${money(item.final_price, item.currency)}!` : `Sold for ${money(item.final_price, item.currency)}`;
      } else if (item.status === 'unsold') els.countdown.textContent = 'Ended without a sale';
      else if (item.status === 'cancelled') els.countdown.textContent = 'Cancelled by the seller';
      else if (item.status === 'draft') els.countdown.textContent = 'Draft — only you can see it';
      tick();
      const mine = me && item.seller_id === me.id;
      els.bidForm.hidden = item.status !== 'active' || mine;
      const minimum = item.leading_bidder_id ? item.current_price + item.bid_increment : item.start_price;
      const typed = toMinor(els.amount.value, item.currency);
      if (document.activeElement !== els.amount && (typed === null || typed < minimum)) {
        els.amount.value = fromMinor(minimum, item.currency);
      }
      renderSellerActions(mine);
    }

    function tick() {
      if (item.status !== 'active' && item.status !== 'scheduled') return;
      const target = item.status === 'active' ? item.ends_at : item.starts_at;
      const left = Date.parse(target) - serverNow();
      els.countdown.textContent = left > 0 ? `${item.status === 'active' ? 'Ends in' : 'Starts in'} ${remaining(target)}`
        : item.status === 'active' ? 'Closing…' : 'Starting…';
      els.countdown.classList.toggle('soon', item.status === 'active' && left < 60_000);
      if (left <= 0 && !tick.pending) {
        // The closer acts within a second of the end; the stream reports it, this is a fallback.
        tick.pending = setTimeout(() => { tick.pending = null; reload(); }, 2500);
        onLeave(() => clearTimeout(tick.pending));
      }
    }

    function renderSellerActions(mine) {
      if (!mine) { replace(els.sellerActions); return; }
      const open = ['draft', 'scheduled', 'active'].includes(item.status);
      const noBids = item.bid_count === 0;
      const msg = message('seller-message');
      replace(els.sellerActions,
        h('span', {class: 'muted'}, 'Your listing:'),
        open ? h('a', {class: 'button secondary', href: `#/items/${item.id}/edit`, id: 'item-edit', testid: 'item-edit'}, 'Edit') : null,
        item.status === 'draft' ? h('button', {type: 'button', id: 'item-publish', testid: 'item-publish', onclick: () =>
          sellerAction(msg, () => api.patch(`/api/v1/items/${item.id}`, {status: 'active'}, {headers: {'If-Match': `"${item.version}"`}}), 'Published.')
            .then(() => { if (item.status !== 'draft') route(); })}, 'Publish') : null,
        open && noBids ? h('button', {type: 'button', class: 'secondary', id: 'item-cancel', testid: 'item-cancel', onclick: () =>
          sellerAction(msg, () => api.post(`/api/v1/items/${item.id}/cancel`, undefined, {headers: {'If-Match': `"${item.version}"`}}), 'The auction is cancelled.')}, 'Cancel auction') : null,
        noBids ? h('button', {type: 'button', class: 'danger', id: 'item-delete', testid: 'item-delete', onclick: async () => {
          if (!confirm('Delete this listing for good?')) return;
          try {
            await api.del(`/api/v1/items/${item.id}`, {headers: {'If-Match': `"${item.version}"`}});
            notify('Listing deleted.', 'ok');
            location.hash = '#/account';
          } catch (error) { say(msg, explain(error, {item})); }
        }}, 'Delete') : null,
        msg);
    }

    async function sellerAction(msg, action, done) {
      try {
        item = (await action()).data;
        render();
        notify(done, 'ok');
      } catch (error) { say(msg, explain(error, {item})); }
    }

    async function reload() {
      try {
        item = (await api.get(`/api/v1/items/${item.id}`)).data;
        render();
        await loadBids();
      } catch (error) {
        if (error.code === 'item.not_found') { replace(view, h('p', {class: 'panel'}, 'This listing was deleted.')); }
      }
    }

    function bidRow(bid) {
      const you = me && bid.bidder_id === me.id;
      return h('li', {testid: 'bid-row', 'data-id': bid.id, class: bid.leading ? 'leading' : ''},
        h('span', {class: 'who'}, you ? 'You' : `#${shortId(bid.bidder_id)}`),
        h('span', {class: 'amount'}, money(bid.amount, item.currency)),
        h('span', {class: 'muted'}, `→ ${money(bid.price_after, item.currency)}`),
        h('time', {datetime: bid.created_at, class: 'muted'}, new Date(bid.created_at).toLocaleTimeString()));
    }

    const seen = new Set();
    async function loadBids() {
      const {data} = await api.get(`/api/v1/items/${item.id}/bids?page_size=50`);
      seen.clear();
      for (const bid of data.data) seen.add(bid.id);
      replace(els.history, data.data.length ? data.data.map(bidRow) : h('li', {class: 'empty'}, 'No bids yet.'));
    }

    async function placeBid(event) {
      event.preventDefault();
      if (requireLogin()) return;
      const amount = toMinor(els.amount.value, item.currency);
      const max = els.max.value.trim() ? toMinor(els.max.value, item.currency) : null;
      if (amount === null || (els.max.value.trim() && max === null)) {
        say(els.bidMessage, `Enter amounts like ${fromMinor(item.current_price, item.currency)}.`);
        return;
      }
      const button = $('#bid-submit');
      button.disabled = true;
      say(els.bidMessage, '');
      try {
        const body = {amount, currency: item.currency};
        if (max !== null) body.max_amount = max;
        const {data} = await api.post(`/api/v1/items/${item.id}/bids`, body, {headers: {'Idempotency-Key': newKey()}});
        item = data.item;
        if (!seen.has(data.bid.id)) {
          seen.add(data.bid.id);
          $('.empty', els.history)?.remove();
          els.history.prepend(bidRow(data.bid));
        }
        els.max.value = '';
        els.amount.value = '';
        render();
        say(els.bidMessage, data.bid.leading ? 'Your bid is in — you are the highest bidder.'
          : 'Your bid is in, but another bidder\'s maximum is higher. Bid again to lead.', data.bid.leading ? 'ok' : 'warn');
      } catch (error) {
        if (error.status === 401) { requireLogin(); return; }
        say(els.bidMessage, showProblem(els.bidForm, error, {item}));
        if (error.status === 409) reload();
      } finally {
        button.disabled = false;
      }
    }

    render();
    await loadBids();
    every(1000, tick);

    // Live updates: a draft's stream needs a token, which EventSource cannot send.
    if (item.status !== 'draft') {
      const stream = new EventSource(`/api/v1/items/${item.id}/events`);
      onLeave(() => stream.close());
      stream.addEventListener('open', () => {
        els.live.textContent = '● Live';
        els.live.className = 'live on';
        // Catch up with anything committed between the first read and the stream's start.
        reload();
      });
      stream.addEventListener('error', () => {
        els.live.textContent = stream.readyState === EventSource.CLOSED ? 'Live updates stopped' : 'Reconnecting…';
        els.live.className = 'live';
      });
      stream.addEventListener('bid.placed', (event) => {
        const {payload} = JSON.parse(event.data);
        if (payload.item.version < item.version) return;
        Object.assign(item, payload.item);
        render();
        if (!seen.has(payload.bid.id)) {
          seen.add(payload.bid.id);
          $('.empty', els.history)?.remove();
          els.history.prepend(bidRow(payload.bid));
        }
      });
      for (const name of ['item.updated', 'item.extended', 'item.cancelled', 'item.closed', 'bid.won']) {
        stream.addEventListener(name, (event) => {
          const {payload} = JSON.parse(event.data);
          if (payload.version < item.version) return;
          const reserve = item.reserve_price;
          item = payload;
          if (reserve !== undefined && item.reserve_price === undefined) item.reserve_price = reserve;
          render();
          if (name === 'item.extended') notify('Late bid: the auction was extended.', 'info');
        });
      }
      stream.addEventListener('item.deleted', () => {
        stream.close();
        replace(view, h('p', {class: 'panel'}, 'This listing was deleted by the seller.'));
      });
    } else {
      els.live.textContent = '';
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Auctions: create and edit
  // ---------------------------------------------------------------------------------------------

  const DURATIONS = [['60', '1 minute'], ['300', '5 minutes'], ['3600', '1 hour'], ['86400', '1 day'], ['259200', '3 days'],
    ['604800', '7 days'], ['custom', 'Pick an end…']];

  function localInputValue(timestamp) {
    const date = new Date(timestamp);
    const pad = (n) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  function itemForm(existing, onSubmit) {
    const currency = existing?.currency || 'EUR';
    const locked = existing && existing.bid_count > 0;
    const f = {};
    f.name = input('name', {id: 'item-name-input', required: true, maxlength: 200, value: existing?.name || ''});
    f.description = h('textarea', {name: 'description', id: 'item-description-input', testid: 'item-description-input', rows: 4, maxlength: 5000}, existing?.description || '');
    f.currency = input('currency', {id: 'item-currency', value: currency, maxlength: 3, required: true, autocapitalize: 'characters', disabled: locked});
    f.start = input('start_price', {id: 'item-start-price', inputmode: 'decimal', required: true, disabled: locked,
      value: existing ? fromMinor(existing.start_price, currency) : ''});
    f.increment = input('bid_increment', {id: 'item-increment', inputmode: 'decimal', disabled: locked,
      value: existing ? fromMinor(existing.bid_increment, currency) : '', placeholder: '5% of the start price'});
    f.reserve = input('reserve_price', {id: 'item-reserve', inputmode: 'decimal', disabled: locked,
      value: existing ? fromMinor(existing.reserve_price, currency) : ''});
    f.buyout = input('buyout_price', {id: 'item-buyout', inputmode: 'decimal', disabled: locked,
      value: existing ? fromMinor(existing.buyout_price, currency) : ''});
    f.duration = h('select', {name: 'duration', id: 'item-duration', testid: 'item-duration', disabled: locked},
      DURATIONS.map(([value, text]) => h('option', {value, selected: existing ? value === 'custom' : value === '86400'}, text)));
    f.endsAt = input('ends_at', {id: 'item-ends-at', type: 'datetime-local', disabled: locked,
      value: existing ? localInputValue(existing.ends_at) : ''});
    const endsField = field('Ends at (your local time)', f.endsAt);
    const showEnds = () => { endsField.hidden = f.duration.value !== 'custom'; };
    f.duration.addEventListener('change', showEnds);
    showEnds();
    f.draft = input('draft', {id: 'item-draft', type: 'checkbox'});
    const msg = message('item-form-message');
    const form = h('form', {class: 'panel form', id: 'item-form', testid: 'item-form', novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      const cur = f.currency.value.trim().toUpperCase();
      const amounts = {};
      for (const [key, el, optional] of [['start_price', f.start, false], ['bid_increment', f.increment, true],
        ['reserve_price', f.reserve, true], ['buyout_price', f.buyout, true]]) {
        const text = el.value.trim();
        if (!text) { amounts[key] = optional ? null : undefined; continue; }
        const value = toMinor(text, cur);
        if (value === null) { say(msg, `Enter ${key.replace(/_/g, ' ')} as an amount like 12.50.`); el.setAttribute('aria-invalid', 'true'); return; }
        amounts[key] = value;
      }
      let endsAt = null;
      if (f.duration.value === 'custom') {
        if (!f.endsAt.value) { say(msg, 'Pick when the auction ends.'); return; }
        endsAt = new Date(f.endsAt.value).toISOString();
      } else {
        endsAt = new Date(serverNow() + Number(f.duration.value) * 1000).toISOString();
      }
      const button = $('#item-submit');
      button.disabled = true;
      say(msg, '');
      try {
        await onSubmit({name: f.name.value.trim(), description: f.description.value, currency: cur, ...amounts, ends_at: endsAt,
          draft: f.draft.checked}, msg, form);
      } finally {
        button.disabled = false;
      }
    }},
    field('Title', f.name),
    field('Description', f.description),
    locked ? h('p', {class: 'message warn'}, 'This listing has bids: its prices and times are fixed.') : null,
    h('div', {class: 'row'}, field('Start price', f.start), field('Currency', f.currency, 'ISO code, e.g. EUR')),
    h('div', {class: 'row'}, field('Bid increment (optional)', f.increment), field('Reserve price (optional)', f.reserve, 'Hidden minimum to sell')),
    field('Buy-now price (optional)', f.buyout),
    field('Duration', f.duration), endsField,
    !existing || existing.status === 'draft' ? h('label', {class: 'check'}, f.draft, existing ? ' Keep as a draft' : ' Save as a draft (only you see it)') : null,
    h('button', {type: 'submit', id: 'item-submit', testid: 'item-submit'}, existing ? 'Save changes' : 'List auction'),
    msg);
    if (existing?.status === 'draft') f.draft.checked = true;
    return form;
  }

  async function viewSell(view) {
    if (requireLogin()) return;
    replace(view, h('section', {class: 'narrow'},
      h('h1', {}, 'Sell'),
      h('p', {}, 'List an auction below, or ', h('a', {href: '#/products/new', id: 'link-new-product', testid: 'link-new-product'}, 'sell at a fixed price'), ' instead.'),
      itemForm(null, async (values, msg, form) => {
        const body = {name: values.name, description: values.description, currency: values.currency,
          start_price: values.start_price, ends_at: values.ends_at, status: values.draft ? 'draft' : 'active'};
        for (const key of ['bid_increment', 'reserve_price', 'buyout_price']) if (values[key] !== null) body[key] = values[key];
        try {
          const {data} = await api.post('/api/v1/items', body);
          notify(values.draft ? 'Draft saved.' : 'Your auction is live.', 'ok');
          location.hash = `#/items/${data.id}`;
        } catch (error) { say(msg, showProblem(form, error)); }
      })));
  }

  async function viewItemEdit(view, params, id) {
    if (requireLogin()) return;
    const item = (await api.get(`/api/v1/items/${encodeURIComponent(id)}`)).data;
    if (item.seller_id !== session.user?.id) { replace(view, h('p', {class: 'panel'}, MESSAGES['item.not_owner'])); return; }
    replace(view, h('section', {class: 'narrow'},
      h('p', {class: 'crumbs'}, h('a', {href: `#/items/${item.id}`}, '← Back to the listing')),
      h('h1', {}, 'Edit listing'),
      itemForm(item, async (values, msg, form) => {
        // A merge patch of what changed only.
        const patch = {};
        if (values.name !== item.name) patch.name = values.name;
        if (values.description !== item.description) patch.description = values.description;
        if (item.bid_count === 0) {
          if (values.currency !== item.currency) patch.currency = values.currency;
          if (values.start_price !== item.start_price) patch.start_price = values.start_price;
          for (const key of ['bid_increment', 'reserve_price', 'buyout_price']) {
            const old = item[key] === undefined ? null : item[key];
            if (values[key] !== old && !(key === 'bid_increment' && values[key] === null)) patch[key] = values[key];
          }
          if (Math.abs(Date.parse(values.ends_at) - Date.parse(item.ends_at)) >= 60_000) patch.ends_at = values.ends_at;
        }
        if (item.status === 'draft' && !values.draft) patch.status = 'active';
        if (!Object.keys(patch).length) { say(msg, 'Nothing was changed.', 'warn'); return; }
        try {
          await api.patch(`/api/v1/items/${item.id}`, patch, {headers: {'If-Match': `"${item.version}"`}});
          notify('Changes saved.', 'ok');
          location.hash = `#/items/${item.id}`;
        } catch (error) { say(msg, showProblem(form, error, {item})); }
      })));
  }

  // ---------------------------------------------------------------------------------------------
  // Products
  // ---------------------------------------------------------------------------------------------

  async function viewProducts(view, params) {
    const page = Math.max(1, Number(params.get('page')) || 1);
    const q = params.get('q') || '';
    const sort = params.get('sort') || 'newest';
    const min = params.get('min_price') || '';
    const max = params.get('max_price') || '';
    const go = (changes) => { location.hash = queryHash('/products', {q, sort, min_price: min, max_price: max, page: 1, ...changes}); };
    const msg = message('products-message');
    const search = h('form', {class: 'filters', id: 'products-search', role: 'search', onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const minMinor = data.get('min').trim() ? toMinor(data.get('min'), 'EUR') : '';
      const maxMinor = data.get('max').trim() ? toMinor(data.get('max'), 'EUR') : '';
      if (minMinor === null || maxMinor === null) { say(msg, 'Enter prices like 12.50.'); return; }
      go({q: data.get('q').trim(), sort: data.get('sort'), min_price: minMinor, max_price: maxMinor});
    }},
    input('q', {type: 'search', value: q, placeholder: 'Search products', 'aria-label': 'Search products', id: 'products-q'}),
    input('min', {inputmode: 'decimal', value: min ? fromMinor(Number(min), 'EUR') : '', placeholder: 'Min price', 'aria-label': 'Minimum price', id: 'products-min', class: 'short'}),
    input('max', {inputmode: 'decimal', value: max ? fromMinor(Number(max), 'EUR') : '', placeholder: 'Max price', 'aria-label': 'Maximum price', id: 'products-max', class: 'short'}),
    h('select', {name: 'sort', id: 'products-sort', testid: 'products-sort', 'aria-label': 'Order'},
      [['newest', 'Newest'], ['oldest', 'Oldest'], ['price_asc', 'Price: low to high'], ['price_desc', 'Price: high to low'], ['name', 'Name']]
        .map(([value, text]) => h('option', {value, selected: value === sort}, text))),
    h('button', {type: 'submit'}, 'Search'));
    const list = h('div', {class: 'grid', id: 'products-list', testid: 'products-list'});
    replace(view, h('section', {}, h('div', {class: 'heading'}, h('h1', {}, 'Products'),
      h('a', {href: '#/products/new', class: 'button'}, 'Sell at a fixed price')), search, msg, list));
    try {
      const query = {q, sort, page, page_size: 12};
      if (min) query.min_price = min;
      if (max) query.max_price = max;
      const {data} = await api.get(`/api/v1/products?${qs(query)}`);
      if (!data.data.length) { replace(list, h('p', {class: 'empty'}, 'No products match.')); return; }
      replace(list, data.data.map((product) => h('a', {class: 'card', href: `#/products/${product.id}`, testid: 'product-card', 'data-id': product.id},
        h('h2', {class: 'card-title'}, product.name),
        h('div', {class: 'price'}, money(product.price, product.currency)),
        h('div', {class: 'meta'}, h('span', {}, product.stock > 0 ? `${product.stock} in stock` : 'Sold out')))));
      list.after(pager(data.page, data.page_size, data.total, (p) => go({page: p})));
    } catch (error) { say(msg, explain(error)); }
  }

  function productForm(existing, onSubmit) {
    const currency = existing?.currency || 'EUR';
    const f = {
      name: input('name', {id: 'product-name', required: true, maxlength: 200, value: existing?.name || ''}),
      description: h('textarea', {name: 'description', id: 'product-description', testid: 'product-description', rows: 4, maxlength: 5000}, existing?.description || ''),
      price: input('price', {id: 'product-price', inputmode: 'decimal', required: true, value: existing ? fromMinor(existing.price, currency) : ''}),
      currency: input('currency', {id: 'product-currency', value: currency, maxlength: 3, required: true}),
      stock: input('stock', {id: 'product-stock', type: 'number', min: 0, max: 1000000, value: existing ? existing.stock : 1}),
    };
    const msg = message('product-form-message');
    const form = h('form', {class: 'panel form', id: 'product-form', testid: 'product-form', novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      const cur = f.currency.value.trim().toUpperCase();
      const price = toMinor(f.price.value, cur);
      if (price === null) { say(msg, 'Enter the price as an amount like 12.50.'); return; }
      const stock = Number(f.stock.value);
      if (!Number.isInteger(stock)) { say(msg, 'Enter the stock as a whole number.'); return; }
      $('#product-submit').disabled = true;
      try {
        await onSubmit({name: f.name.value.trim(), description: f.description.value, price, currency: cur, stock}, msg, form);
      } finally {
        $('#product-submit').disabled = false;
      }
    }},
    field('Name', f.name), field('Description', f.description),
    h('div', {class: 'row'}, field('Price', f.price), field('Currency', f.currency)),
    field('Stock', f.stock),
    h('button', {type: 'submit', id: 'product-submit', testid: 'product-submit'}, existing ? 'Save changes' : 'List product'),
    msg);
    return form;
  }

  async function viewProductNew(view) {
    if (requireLogin()) return;
    const key = newKey();  // one key per form: a double submit creates one product
    replace(view, h('section', {class: 'narrow'}, h('h1', {}, 'Sell at a fixed price'),
      productForm(null, async (values, msg, form) => {
        try {
          const {data} = await api.post('/api/v1/products', values, {headers: {'Idempotency-Key': key}});
          notify('Your product is listed.', 'ok');
          location.hash = `#/products/${data.id}`;
        } catch (error) { say(msg, showProblem(form, error)); }
      })));
  }

  async function viewProduct(view, params, id) {
    const {data: product} = await api.get(`/api/v1/products/${encodeURIComponent(id)}`);
    const mine = session.user && product.seller_id === session.user.id;
    const msg = message('product-message');
    replace(view, h('article', {class: 'narrow', testid: 'product-page', 'data-id': product.id},
      h('p', {class: 'crumbs'}, h('a', {href: '#/products'}, '← All products')),
      h('h1', {id: 'product-title'}, product.name),
      h('div', {class: 'price big', id: 'product-price-view', testid: 'product-price-view'}, money(product.price, product.currency)),
      h('p', {}, product.stock > 0 ? `${product.stock} in stock` : 'Sold out'),
      h('p', {class: 'description'}, product.description || 'No description.'),
      h('p', {class: 'muted'}, `Listed ${when(product.created_at)}${mine ? ' by you' : ` by seller #${shortId(product.seller_id)}`}`),
      mine ? h('div', {class: 'actions'},
        h('a', {class: 'button secondary', href: `#/products/${product.id}/edit`, id: 'product-edit', testid: 'product-edit'}, 'Edit'),
        h('button', {type: 'button', class: 'danger', id: 'product-delete', testid: 'product-delete', onclick: async () => {
          if (!confirm('Delete this product?')) return;
          try {
            await api.del(`/api/v1/products/${product.id}`, {headers: {'If-Match': `"${product.version}"`}});
            notify('Product deleted.', 'ok');
            location.hash = '#/products';
          } catch (error) { say(msg, explain(error)); }
        }}, 'Delete')) : null,
      msg));
  }

  async function viewProductEdit(view, params, id) {
    if (requireLogin()) return;
    const {data: product} = await api.get(`/api/v1/products/${encodeURIComponent(id)}`);
    if (product.seller_id !== session.user?.id) { replace(view, h('p', {class: 'panel'}, MESSAGES['product.not_owner'])); return; }
    replace(view, h('section', {class: 'narrow'},
      h('p', {class: 'crumbs'}, h('a', {href: `#/products/${product.id}`}, '← Back to the product')),
      h('h1', {}, 'Edit product'),
      productForm(product, async (values, msg, form) => {
        const patch = {};
        for (const key of ['name', 'description', 'price', 'currency', 'stock']) if (values[key] !== product[key]) patch[key] = values[key];
        if (!Object.keys(patch).length) { say(msg, 'Nothing was changed.', 'warn'); return; }
        try {
          await api.patch(`/api/v1/products/${product.id}`, patch, {headers: {'If-Match': `"${product.version}"`}});
          notify('Changes saved.', 'ok');
          location.hash = `#/products/${product.id}`;
        } catch (error) { say(msg, showProblem(form, error)); }
      })));
  }

  // ---------------------------------------------------------------------------------------------
  // Identity: register, log in (with the two-factor step), account and 2FA set-up
  // ---------------------------------------------------------------------------------------------

  /**
   * Stores a new session only once its account is known, so the signed-in navigation never shows
   * while the redirect after sign-in is still pending (a page opened in between would be left).
   */
  async function signIn(pair) {
    const {data: me} = await api.get('/api/v1/identity/me', {token: false, headers: {Authorization: `Bearer ${pair.access_token}`}});
    session.fromTokens(pair, me);
  }

  async function viewLogin(view) {
    const msg = message('login-message');
    const email = input('email', {id: 'login-email', type: 'email', autocomplete: 'username', required: true});
    const password = input('password', {id: 'login-password', type: 'password', autocomplete: 'current-password', required: true});
    const form = h('form', {class: 'panel form', id: 'login-form', testid: 'login-form', onsubmit: async (event) => {
      event.preventDefault();
      $('#login-submit').disabled = true;
      say(msg, '');
      try {
        const {data} = await api.post('/api/v1/identity/login', {email: email.value.trim(), password: password.value}, {token: false});
        if (data.two_factor_required) {
          challengeStep(view, data.challenge_token);
          return;
        }
        await signIn(data);
        notify(`Welcome back, ${session.user.name}.`, 'ok');
        returnAfterLogin();
      } catch (error) {
        say(msg, explain(error));
      } finally {
        const button = $('#login-submit');
        if (button) button.disabled = false;
      }
    }},
    h('h1', {}, 'Log in'),
    field('Email', email), field('Password', password),
    h('button', {type: 'submit', id: 'login-submit', testid: 'login-submit'}, 'Log in'),
    msg,
    h('p', {class: 'muted'}, 'New here? ', h('a', {href: '#/register'}, 'Create an account'), '.'));
    replace(view, h('section', {class: 'narrow'}, form));
    email.focus();
  }

  function challengeStep(view, challengeToken) {
    const msg = message('challenge-message');
    let recovery = false;
    const code = input('code', {id: 'challenge-code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, pattern: '[0-9]{6}', required: true});
    const label = h('span', {class: 'label'}, 'Code from your authenticator app');
    const toggle = h('button', {type: 'button', class: 'link', id: 'challenge-toggle', testid: 'challenge-toggle', onclick: () => {
      recovery = !recovery;
      label.textContent = recovery ? 'Recovery code (xxxxx-xxxxx)' : 'Code from your authenticator app';
      toggle.textContent = recovery ? 'Use a code from the app instead' : 'Use a recovery code instead';
      code.maxLength = recovery ? 20 : 6;
      code.inputMode = recovery ? 'text' : 'numeric';
      code.removeAttribute('pattern');
      code.value = '';
      code.focus();
    }}, 'Use a recovery code instead');
    replace(view, h('section', {class: 'narrow'}, h('form', {class: 'panel form', id: 'challenge-form', testid: 'challenge-form', onsubmit: async (event) => {
      event.preventDefault();
      $('#challenge-submit').disabled = true;
      try {
        const body = {challenge_token: challengeToken};
        body[recovery ? 'recovery_code' : 'code'] = code.value.trim();
        const {data} = await api.post('/api/v1/identity/2fa/challenge', body, {token: false});
        await signIn(data);
        notify(`Welcome back, ${session.user.name}.`, 'ok');
        returnAfterLogin();
      } catch (error) {
        say(msg, explain(error));
        if (['identity.invalid_challenge', 'identity.challenge_locked'].includes(error.code)) {
          setTimeout(() => viewLogin(view), 2500);
        }
      } finally {
        const button = $('#challenge-submit');
        if (button) button.disabled = false;
      }
    }},
    h('h1', {}, 'Two-step verification'),
    h('p', {}, 'Your account is protected with a second factor.'),
    h('label', {class: 'field'}, label, code),
    h('button', {type: 'submit', id: 'challenge-submit', testid: 'challenge-submit'}, 'Verify'),
    toggle, msg)));
    code.focus();
  }

  async function viewRegister(view) {
    const msg = message('register-message');
    const email = input('email', {id: 'register-email', type: 'email', autocomplete: 'email', required: true});
    const name = input('name', {id: 'register-name', autocomplete: 'name', required: true, maxlength: 100});
    const password = input('password', {id: 'register-password', type: 'password', autocomplete: 'new-password', required: true, minlength: 10});
    const form = h('form', {class: 'panel form', id: 'register-form', testid: 'register-form', onsubmit: async (event) => {
      event.preventDefault();
      $('#register-submit').disabled = true;
      say(msg, '');
      try {
        await api.post('/api/v1/identity/register', {email: email.value.trim(), name: name.value.trim(), password: password.value}, {token: false});
        const {data} = await api.post('/api/v1/identity/login', {email: email.value.trim(), password: password.value}, {token: false});
        await signIn(data);
        notify(`Welcome to Gavel, ${session.user.name}.`, 'ok');
        returnAfterLogin();
      } catch (error) {
        say(msg, showProblem(form, error));
      } finally {
        const button = $('#register-submit');
        if (button) button.disabled = false;
      }
    }},
    h('h1', {}, 'Create an account'),
    field('Email', email), field('Name others see', name),
    field('Password', password, 'At least 10 characters. Avoid common passwords.'),
    h('button', {type: 'submit', id: 'register-submit', testid: 'register-submit'}, 'Create account'),
    msg,
    h('p', {class: 'muted'}, 'Have an account? ', h('a', {href: '#/login'}, 'Log in'), '.'));
    replace(view, h('section', {class: 'narrow'}, form));
    email.focus();
  }

  async function viewAccount(view) {
    if (requireLogin()) return;
    const {data: me} = await api.get('/api/v1/identity/me');
    session.setUser(me);
    const twoFactor = h('section', {class: 'panel', id: 'twofactor', testid: 'twofactor'});
    const listings = h('section', {class: 'panel', id: 'my-listings'}, h('h2', {}, 'Your auctions'));
    const products = h('section', {class: 'panel', id: 'my-products'}, h('h2', {}, 'Your products'));
    replace(view, h('section', {},
      h('h1', {}, 'Your account'),
      h('dl', {class: 'panel facts', id: 'account-facts'},
        h('dt', {}, 'Name'), h('dd', {id: 'account-name'}, me.name),
        h('dt', {}, 'Email'), h('dd', {id: 'account-email'}, me.email),
        h('dt', {}, 'Member since'), h('dd', {}, when(me.created_at)),
        h('dt', {}, 'Your bidder tag'), h('dd', {}, `#${shortId(me.id)}`)),
      twoFactor, listings, products));
    renderTwoFactor(twoFactor, me);

    const [items, goods] = await Promise.all([
      api.get(`/api/v1/items?${qs({seller_id: me.id, sort: 'newest', page_size: 50})}`),
      api.get(`/api/v1/products?${qs({seller_id: me.id, page_size: 50})}`),
    ]);
    append(listings, items.data.data.length ? h('div', {class: 'grid'}, items.data.data.map(itemCard))
      : h('p', {class: 'empty'}, 'None yet. ', h('a', {href: '#/sell'}, 'Sell something'), '.'));
    append(products, goods.data.data.length ? h('ul', {class: 'plain'}, goods.data.data.map((p) =>
      h('li', {}, h('a', {href: `#/products/${p.id}`}, p.name), ` — ${money(p.price, p.currency)}`)))
      : h('p', {class: 'empty'}, 'None yet.'));
  }

  function renderTwoFactor(box, me) {
    const msg = message('twofactor-message');
    if (!me.two_factor_enabled) {
      const password = input('password', {id: 'twofactor-password', type: 'password', autocomplete: 'current-password', required: true});
      // Password managers expect the account name beside a password field.
      const username = h('input', {type: 'email', name: 'username', autocomplete: 'username', value: me.email || '', hidden: true, readonly: true});
      replace(box, h('h2', {}, 'Two-factor authentication'),
        h('p', {}, 'Off. Turn it on to require a code from an authenticator app when you log in.'),
        h('form', {class: 'form', id: 'twofactor-enable-form', onsubmit: async (event) => {
          event.preventDefault();
          try {
            const {data} = await api.post('/api/v1/identity/2fa/enable', {password: password.value});
            renderEnrolment(box, data);
          } catch (error) { say(msg, explain(error)); }
        }}, username, field('Confirm your password', password),
        h('button', {type: 'submit', id: 'twofactor-enable', testid: 'twofactor-enable'}, 'Set up two-factor authentication'), msg));
      return;
    }
    const code = input('code', {id: 'twofactor-code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6});
    const password = input('password', {id: 'twofactor-disable-password', type: 'password', autocomplete: 'current-password'});
    const codes = h('div', {id: 'recovery-codes-box'});
    replace(box, h('h2', {}, 'Two-factor authentication'),
      h('p', {class: 'ok-text', id: 'twofactor-on', testid: 'twofactor-on'}, 'On. Logging in needs a code from your authenticator app.'),
      h('form', {class: 'form', onsubmit: (event) => event.preventDefault()},
        h('input', {type: 'email', name: 'username', autocomplete: 'username', value: me.email || '', hidden: true, readonly: true}),
        field('Current code from your app', code),
        h('div', {class: 'actions'},
          h('button', {type: 'button', class: 'secondary', id: 'recovery-regenerate', onclick: async () => {
            try {
              const {data} = await api.post('/api/v1/identity/2fa/recovery-codes', {code: code.value.trim()});
              replace(codes, recoveryCodes(data.recovery_codes, 'Your new recovery codes. The old ones no longer work.'));
              code.value = '';
            } catch (error) { say(msg, explain(error)); }
          }}, 'New recovery codes')),
        field('Password (to turn it off)', password),
        h('button', {type: 'button', class: 'danger', id: 'twofactor-disable', onclick: async () => {
          try {
            await api.post('/api/v1/identity/2fa/disable', {password: password.value, code: code.value.trim()});
            notify('Two-factor authentication is off.', 'ok');
            renderTwoFactor(box, {...me, two_factor_enabled: false});
          } catch (error) { say(msg, explain(error)); }
        }}, 'Turn off'), msg),
      codes);
  }

  function recoveryCodes(list, text) {
    return h('div', {class: 'codes'}, h('p', {}, text, ' Each works once; keep them somewhere safe — they are shown only now.'),
      h('ol', {class: 'mono', id: 'recovery-codes', testid: 'recovery-codes'}, list.map((c) => h('li', {}, c))));
  }

  function renderEnrolment(box, enrolment) {
    const msg = message('verify-message');
    const code = input('code', {id: 'verify-code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, required: true});
    const qr = qrCode(enrolment.otpauth_url);
    replace(box, h('h2', {}, 'Set up two-factor authentication'),
      h('ol', {class: 'steps'},
        h('li', {}, 'Scan this code with an authenticator app, or open the link on this device, or type the secret in by hand.'),
        h('li', {}, 'Enter the 6-digit code the app shows to finish.')),
      qr ? h('div', {class: 'qr', id: 'twofactor-qr', testid: 'twofactor-qr'}, qr) : null,
      h('p', {}, h('a', {href: enrolment.otpauth_url, id: 'twofactor-uri', testid: 'twofactor-uri', class: 'mono wrap'}, enrolment.otpauth_url)),
      h('p', {}, 'Secret: ', h('code', {id: 'twofactor-secret', testid: 'twofactor-secret', class: 'mono'}, enrolment.secret.replace(/(.{4})/g, '$1 ').trim())),
      h('form', {class: 'form', id: 'twofactor-verify-form', onsubmit: async (event) => {
        event.preventDefault();
        try {
          const {data} = await api.post('/api/v1/identity/2fa/verify', {code: code.value.trim()});
          replace(box, h('h2', {}, 'Two-factor authentication is on'),
            recoveryCodes(data.recovery_codes, 'Use a recovery code to log in if you lose your authenticator.'),
            h('button', {type: 'button', id: 'recovery-done', onclick: () => renderTwoFactor(box, {two_factor_enabled: true})}, 'I have saved them'));
        } catch (error) { say(msg, explain(error)); }
      }}, field('Code from the app', code),
      h('button', {type: 'submit', id: 'twofactor-verify', testid: 'twofactor-verify'}, 'Turn on'), msg));
  }

  /** Hook for a QR code renderer (qr.js, when present); the URI and secret are always shown. */
  function qrCode(text) {
    return typeof window.GavelQR === 'function' ? window.GavelQR(text) : null;
  }

  // ---------------------------------------------------------------------------------------------
  // Router
  // ---------------------------------------------------------------------------------------------

  const ROUTES = [
    [/^\/?$/, viewItems],
    [/^\/items$/, viewItems],
    [/^\/items\/([^/]+)$/, viewItem],
    [/^\/items\/([^/]+)\/edit$/, viewItemEdit],
    [/^\/sell$/, viewSell],
    [/^\/products$/, viewProducts],
    [/^\/products\/new$/, viewProductNew],
    [/^\/products\/([^/]+)$/, viewProduct],
    [/^\/products\/([^/]+)\/edit$/, viewProductEdit],
    [/^\/login$/, viewLogin],
    [/^\/register$/, viewRegister],
    [/^\/account$/, viewAccount],
  ];

  let generation = 0;
  async function route() {
    for (const fn of cleanups) {
      try { fn(); } catch (_) { /* keep going */ }
    }
    cleanups = [];
    const mine = ++generation;
    const hash = location.hash.replace(/^#/, '') || '/';
    const [path, query] = hash.split('?');
    const params = new URLSearchParams(query || '');
    const view = h('div', {class: 'page'});
    replace($('#view'), view);
    for (const link of document.querySelectorAll('.nav a')) {
      const target = link.getAttribute('href').slice(1);
      link.classList.toggle('active', target === '/' ? path === '/' || path.startsWith('/items') : path.startsWith(target));
    }
    const match = ROUTES.map(([pattern, fn]) => [pattern.exec(path), fn]).find(([m]) => m);
    if (!match) {
      replace(view, h('section', {class: 'panel'}, h('h1', {}, 'Not found'), h('p', {}, h('a', {href: '#/'}, 'Back to the auctions'))));
      return;
    }
    const [m, fn] = match;
    try {
      await fn(view, params, ...m.slice(1).map(decodeURIComponent));
    } catch (error) {
      if (!(error instanceof ApiError)) console.error(error);  // a bug: the browser test fails on it
      if (mine !== generation) return;
      replace(view, h('section', {class: 'panel', testid: 'page-error'}, h('h1', {}, 'Sorry'), h('p', {}, explain(error)),
        h('p', {}, h('a', {href: '#/'}, 'Back to the auctions'))));
    }
    if (mine === generation && (!document.activeElement || document.activeElement === document.body)) {
      $('#main').focus({preventScroll: true});
    }
  }

  function start() {
    $('#nav-logout').addEventListener('click', async () => {
      const current = session.current;
      if (current) {
        try {
          await api.post('/api/v1/identity/logout', {refresh_token: current.refresh});
        } catch (_) { /* the tokens are dropped either way */ }
      }
      session.save(null);
      notify('You are logged out.', 'ok');
      location.hash = '#/';
    });
    window.addEventListener('hashchange', route);
    renderNav();
    route();
  }

  start();
})();
