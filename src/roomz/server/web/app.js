// The roomz web page: a login view and a chat view over one WebSocket that speaks
// docs/protocol.md. Every string that comes from the server or the user reaches the page
// through textContent or a text node, never as markup.
"use strict";

(() => {
  const DEFAULT_ROOM = "general";
  const ROOM_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
  const MAX_FRAME_BYTES = 65536;
  const TYPING_IDLE_MS = 2500; // we stop "typing" after this long without a keystroke
  const TYPING_REPEAT_MS = 4000; // a long burst of typing is re-announced this often
  const TYPING_FORGET_MS = 7000; // someone else's "typing" expires without a repeat
  const READ_DELAY_MS = 800;
  const KEPT_PER_ROOM = 500; // older messages leave the page (and memory) as new ones come
  const PING_EVERY_MS = 25000; // an unanswered ping by the next tick means a dead socket
  const BACKOFF_FIRST_MS = 500;
  const BACKOFF_MAX_MS = 15000;
  const LOST = { error: "not connected to the server", code: 503, reason: "connection_lost" };

  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** "Display Name (email)", or the email alone. */
  function label(user) {
    return user.display_name ? `${user.display_name} (${user.email})` : user.email;
  }

  function randomId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function errorText(result) {
    if (result.reason === "rate_limited" && result.retry_after !== undefined) {
      return `${result.error || "Too many requests"}. Try again in ${waitText(result.retry_after)}.`;
    }
    return result.error || `The server refused (${result.reason || result.code}).`;
  }

  function waitText(seconds) {
    const s = Math.max(1, Math.ceil(Number(seconds) || 0));
    if (s < 90) return `${s} second${s === 1 ? "" : "s"}`;
    const m = Math.ceil(s / 60);
    return `${m} minutes`;
  }

  // -- the WebSocket: requests, results, reconnects -------------------------------------

  /**
   * One logical connection to /ws that survives reconnects. Requests resolve with the
   * result's fields; a `send` still unanswered when the socket drops is written again,
   * unchanged, on the next socket (the server stores it once by client_id), and every
   * other request in flight resolves with connection_lost.
   */
  class Link {
    constructor(events) {
      this.events = events; // {status(s), authenticated(frame, again), frame(f), refused()}
      this.ws = null;
      this.ready = false;
      this.stopped = true;
      this.everConnected = false;
      this.attempt = 0;
      this.seq = 0;
      this.pending = new Map();
      this.retryTimer = null;
      this.pingTimer = null;
      this.awaitingPong = false;
      window.addEventListener("online", () => this.wake());
      window.addEventListener("offline", () => this.ws && this.ws.close());
    }

    start() {
      this.stopped = false;
      this.everConnected = false;
      this.attempt = 0;
      this.open();
    }

    stop() {
      this.stopped = true;
      clearTimeout(this.retryTimer);
      this.failPending(true);
      this.drop();
    }

    request(fields) {
      const id = `r${++this.seq}`;
      const text = JSON.stringify({ ...fields, request_id: id });
      if (new TextEncoder().encode(text).length > MAX_FRAME_BYTES) {
        return Promise.resolve({ error: "that is too long to send", code: 413, reason: "frame_too_large" });
      }
      const keep = fields.type === "send";
      if (!this.ready && !keep) return Promise.resolve({ ...LOST });
      return new Promise((resolve) => {
        this.pending.set(id, { text, keep, resolve });
        if (this.ready) this.ws.send(text);
      });
    }

    open() {
      if (this.stopped) return;
      if (!navigator.onLine) {
        this.events.status("offline");
        return;
      }
      this.events.status(this.everConnected ? "reconnecting" : "connecting");
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const ws = new WebSocket(`${scheme}//${location.host}/ws`);
      let authenticated = false;
      this.ws = ws;
      ws.onmessage = (event) => {
        const frame = parseFrame(event.data);
        if (!frame || this.ws !== ws) return;
        if (frame.type === "authenticated") {
          authenticated = true;
          this.onAuthenticated(frame);
        } else if (frame.type === "result") this.settle(frame);
        else if (frame.type === "pong") this.awaitingPong = false;
        else this.events.frame(frame);
      };
      ws.onclose = () => {
        if (this.ws !== ws) return;
        this.drop();
        this.failPending(false);
        if (this.stopped) return;
        if (authenticated) this.retry();
        else this.checkSession();
      };
    }

    onAuthenticated(frame) {
      const again = this.everConnected;
      this.ready = true;
      this.everConnected = true;
      this.attempt = 0;
      this.events.status("connected");
      this.awaitingPong = false;
      this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
      for (const p of this.pending.values()) this.ws.send(p.text);
      this.events.authenticated(frame, again);
    }

    settle(frame) {
      const entry = this.pending.get(frame.request_id);
      if (!entry) return;
      this.pending.delete(frame.request_id);
      const { type, request_id, ...result } = frame;
      entry.resolve(result);
    }

    ping() {
      if (this.awaitingPong) {
        this.ws.close();
        return;
      }
      this.awaitingPong = true;
      this.ws.send(JSON.stringify({ type: "ping", request_id: `p${++this.seq}` }));
    }

    drop() {
      clearInterval(this.pingTimer);
      this.ready = false;
      const ws = this.ws;
      this.ws = null;
      if (ws) ws.close(1000);
    }

    failPending(all) {
      for (const [id, entry] of this.pending) {
        if (all || !entry.keep) {
          this.pending.delete(id);
          entry.resolve({ ...LOST });
        }
      }
    }

    retry() {
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
      this.attempt += 1;
      this.events.status(navigator.onLine ? "reconnecting" : "offline");
      this.retryTimer = setTimeout(() => this.open(), delay * (0.5 + Math.random() / 2));
    }

    // A socket that closes before `authenticated` was refused or never reached the server;
    // /auth/me tells which, so an ended session sends the user back to the login view.
    async checkSession() {
      try {
        const response = await fetch("/auth/me", { credentials: "same-origin" });
        if (response.status === 401) {
          this.stop();
          this.events.refused();
          return;
        }
      } catch (_) {
        // unreachable: keep trying
      }
      if (!this.stopped) this.retry();
    }

    wake() {
      if (this.stopped || this.ws) return;
      clearTimeout(this.retryTimer);
      this.attempt = 0;
      this.open();
    }
  }

  function parseFrame(data) {
    try {
      const frame = JSON.parse(data);
      return frame && typeof frame === "object" && typeof frame.type === "string" ? frame : null;
    } catch (_) {
      return null;
    }
  }

  // -- state ----------------------------------------------------------------------------

  const state = {
    me: null,
    current: DEFAULT_ROOM,
    rooms: new Map(), // id -> Room (see room())
    others: [], // ids of rooms the user has not joined
    people: new Map(), // user id -> {user, connections, status}
    typing: new Map(), // room id -> Map(user id -> {user, timer})
  };

  function room(id) {
    let r = state.rooms.get(id);
    if (!r) {
      r = { id, joined: false, messages: [], seen: new Set(), last: 0, unread: 0, held: null, readSent: 0 };
      state.rooms.set(id, r);
    }
    return r;
  }

  /**
   * Add messages to a room, each (room, index) once, in index order. `live` messages
   * (pushed by the server or caught up after a reconnect) count as unread where the
   * user is not looking, and are announced to screen readers where they are.
   */
  function addMessages(r, list, live) {
    const added = list.filter((m) => !r.seen.has(m.index));
    if (!added.length) return;
    const atEnd = added.every((m) => m.index > r.last);
    for (const m of added) r.seen.add(m.index);
    r.messages.push(...added);
    if (!atEnd) r.messages.sort((a, b) => a.index - b.index);
    r.last = r.messages[r.messages.length - 1].index;
    const dropped = r.messages.length > KEPT_PER_ROOM ? r.messages.splice(0, r.messages.length - KEPT_PER_ROOM) : [];
    for (const m of dropped) r.seen.delete(m.index);
    const fromOthers = added.filter((m) => !isMe(m.user));
    for (const m of added) stopTyping(r.id, m.user.id);
    const looking = r.id === state.current && !document.hidden;
    if (live && !looking) r.unread += fromOthers.length;
    if (r.id === state.current) {
      if (atEnd) appendMessages(added, dropped.length);
      else renderMessages();
      if (live) announce(fromOthers);
      scheduleRead(r);
    }
    renderRooms();
  }

  function isMe(user) {
    return state.me !== null && user.id === state.me.id;
  }

  function person(user) {
    let p = state.people.get(user.id);
    if (!p) {
      p = { user, connections: 1, status: "online" };
      state.people.set(user.id, p);
    }
    p.user = { ...p.user, ...user };
    return p;
  }

  // -- server events --------------------------------------------------------------------

  function onAuthenticated(frame, again) {
    state.me = frame.user;
    person(frame.user);
    for (const info of frame.rooms || []) room(info.room).joined = true;
    room(state.current).joined = true;
    if (again) {
      for (const r of state.rooms.values()) if (r.joined && r.last > 0) catchUp(r);
    }
    if (room(state.current).last === 0) loadRoom(state.current);
    refreshRoomList();
    if (document.hidden) link.request({ type: "presence", status: "away" });
    renderAll();
  }

  // Messages missed while disconnected: everything after the last index shown. Live
  // messages of the room are held back until the answer, then merged in index order.
  async function catchUp(r) {
    r.held = [];
    const result = await link.request({ type: "history", room: r.id, since: r.last });
    const held = r.held || [];
    r.held = null;
    addMessages(r, result.status === "ok" ? [...result.messages, ...held] : held, true);
  }

  async function loadRoom(id) {
    const result = await link.request({ type: "join", room: id });
    if (result.status !== "ok") {
      if (result.reason !== "connection_lost") showRoomError(errorText(result));
      return;
    }
    const r = room(id);
    r.joined = true;
    addMessages(r, result.history || [], false);
    renderRooms();
  }

  async function refreshRoomList() {
    const result = await link.request({ type: "list_rooms" });
    if (result.status !== "ok") return;
    for (const info of result.rooms) {
      if (!info.joined) continue;
      const r = room(info.room);
      r.joined = true;
      // The server counts from the user's last read receipt (an extra field of list_rooms);
      // the larger count wins, as messages caught up here may be in both.
      if (Number.isInteger(info.unread) && info.room !== state.current) r.unread = Math.max(r.unread, info.unread);
    }
    state.others = result.rooms.filter((info) => !info.joined).map((info) => info.room);
    renderRooms();
  }

  const handlers = {
    message(frame) {
      const r = room(frame.room);
      r.joined = true;
      if (r.held) r.held.push(frame);
      else addMessages(r, [frame], true);
    },
    user_joined(frame) {
      person(frame.user).connections = frame.total_connections;
      if (isMe(frame.user) && frame.room && !room(frame.room).joined) {
        room(frame.room).joined = true;
        state.others = state.others.filter((id) => id !== frame.room);
        renderRooms();
      }
      renderOnline();
    },
    user_left(frame) {
      if (frame.remaining_connections > 0) person(frame.user).connections = frame.remaining_connections;
      else if (!isMe(frame.user)) state.people.delete(frame.user.id);
      // We left a room from another tab (closing a socket is announced with the default room).
      if (isMe(frame.user) && frame.room && frame.room !== DEFAULT_ROOM) forgetRoom(frame.room);
      renderOnline();
    },
    presence(frame) {
      if (frame.status === "offline") {
        if (!isMe(frame.user)) state.people.delete(frame.user.id);
      } else person(frame.user).status = frame.status;
      renderOnline();
    },
    typing(frame) {
      if (isMe(frame.user)) return;
      if (frame.state) startTyping(frame.room, frame.user);
      else stopTyping(frame.room, frame.user.id);
    },
    display_name_changed(frame) {
      const change = (user) => (user.id === frame.user.id ? { ...user, display_name: frame.display_name } : user);
      if (state.me && state.me.id === frame.user.id) state.me = change(state.me);
      const p = state.people.get(frame.user.id);
      if (p) p.user = change(p.user);
      for (const r of state.rooms.values()) for (const m of r.messages) m.user = change(m.user);
      for (const typists of state.typing.values()) for (const t of typists.values()) t.user = change(t.user);
      renderAll();
    },
    error(frame) {
      showComposerError(errorText(frame));
    },
  };

  function onFrame(frame) {
    const handler = handlers[frame.type];
    if (handler) handler(frame);
  }

  // -- typing ---------------------------------------------------------------------------

  function startTyping(roomId, user) {
    const typists = state.typing.get(roomId) || new Map();
    state.typing.set(roomId, typists);
    const previous = typists.get(user.id);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(() => stopTyping(roomId, user.id), TYPING_FORGET_MS);
    typists.set(user.id, { user, timer });
    renderTyping();
  }

  function stopTyping(roomId, userId) {
    const typists = state.typing.get(roomId);
    const entry = typists && typists.get(userId);
    if (!entry) return;
    clearTimeout(entry.timer);
    typists.delete(userId);
    renderTyping();
  }

  /** Our own typing state: `true` on the first keystroke (repeated during long bursts), `false` when idle. */
  const myTyping = { room: null, sentAt: 0, idle: null };

  function noteKeystroke() {
    clearTimeout(myTyping.idle);
    if (!$("composer-input").value) {
      stopMyTyping();
      return;
    }
    const now = Date.now();
    if (myTyping.room !== state.current || now - myTyping.sentAt > TYPING_REPEAT_MS) {
      if (myTyping.room !== state.current) stopMyTyping();
      myTyping.room = state.current;
      myTyping.sentAt = now;
      link.request({ type: "typing", room: state.current, state: true });
    }
    myTyping.idle = setTimeout(stopMyTyping, TYPING_IDLE_MS);
  }

  function stopMyTyping() {
    if (myTyping.room === null) return;
    clearTimeout(myTyping.idle);
    link.request({ type: "typing", room: myTyping.room, state: false });
    myTyping.room = null;
  }

  // -- reading --------------------------------------------------------------------------

  // What the user has looked at is marked read a moment later (one request per burst of
  // messages), or at once when they move to another room.
  function scheduleRead(r) {
    clearTimeout(r.readTimer);
    r.readTimer = setTimeout(() => flushRead(r), READ_DELAY_MS);
  }

  function flushRead(r) {
    clearTimeout(r.readTimer);
    if (document.hidden || r.id !== state.current || r.last <= r.readSent) return;
    r.readSent = r.last;
    link.request({ type: "read", room: r.id, index: r.last });
  }

  function onVisibility() {
    if (!link.ready) return;
    link.request({ type: "presence", status: document.hidden ? "away" : "online" });
    if (!document.hidden) {
      const r = room(state.current);
      r.unread = 0;
      scheduleRead(r);
      renderRooms();
    }
  }

  // -- rendering ------------------------------------------------------------------------

  function renderAll() {
    renderMe();
    renderRooms();
    renderOnline();
    renderMessages();
    renderTyping();
  }

  function renderMe() {
    if (!state.me) return;
    $("me").textContent = label(state.me);
    const input = $("name-input");
    if (document.activeElement !== input) input.value = state.me.display_name || "";
  }

  function renderRooms() {
    const list = $("rooms");
    const joined = [...state.rooms.values()].filter((r) => r.joined);
    joined.sort((a, b) => (a.id === DEFAULT_ROOM ? -1 : b.id === DEFAULT_ROOM ? 1 : a.id.localeCompare(b.id)));
    // Re-rendering replaces the buttons; a keyboard user's focus stays on the same room.
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.room : null;
    list.replaceChildren(...joined.map(roomItem));
    const again = [...list.querySelectorAll("button")].find((b) => b.dataset.room === focused);
    if (again) again.focus();
    const others = state.others.filter((id) => !room(id).joined);
    $("others-section").hidden = others.length === 0;
    $("other-rooms").replaceChildren(...others.map(otherRoomItem));
    $("room-title").textContent = `# ${state.current}`;
    $("leave").hidden = state.current === DEFAULT_ROOM;
    const unread = joined.reduce((sum, r) => sum + r.unread, 0);
    $("side-toggle").textContent = unread ? `Rooms and people (${unread} unread)` : "Rooms and people";
    document.title = unread ? `(${unread}) roomz` : "roomz";
  }

  function roomItem(r) {
    const button = el("button", "room-button");
    button.type = "button";
    button.dataset.room = r.id;
    button.append(el("span", "room-name", `# ${r.id}`));
    if (r.unread) {
      const badge = el("span", "badge", String(r.unread));
      badge.append(el("span", "visually-hidden", " unread"));
      button.append(badge);
    }
    if (r.id === state.current) button.setAttribute("aria-current", "page");
    button.addEventListener("click", () => switchRoom(r.id));
    const item = el("li");
    item.append(button);
    return item;
  }

  function otherRoomItem(id) {
    const button = el("button", "room-button", `Join # ${id}`);
    button.type = "button";
    button.addEventListener("click", () => enterRoom(id));
    const item = el("li");
    item.append(button);
    return item;
  }

  function renderOnline() {
    const people = [...state.people.values()].sort((a, b) => label(a.user).localeCompare(label(b.user)));
    $("online").replaceChildren(
      ...people.map((p) => {
        const item = el("li", `person ${p.status === "away" ? "away" : "here"}`);
        item.append(el("span", "dot"), el("span", "person-name", label(p.user)));
        if (isMe(p.user)) item.append(el("span", "tag", " (you)"));
        if (p.status === "away") item.append(el("span", "tag", " away"));
        return item;
      }),
    );
  }

  function renderMessages() {
    const r = room(state.current);
    const list = $("messages");
    if (!r.messages.length) {
      list.replaceChildren(el("li", "empty", "No messages here yet."));
      return;
    }
    list.replaceChildren(...r.messages.map(messageItem));
    list.scrollTop = list.scrollHeight;
  }

  function appendMessages(added, dropped) {
    const list = $("messages");
    for (let i = 0; i < dropped; i++) list.firstElementChild.remove();
    const pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    list.append(...added.map(messageItem));
    const mine = added.some((m) => isMe(m.user));
    if (pinned || mine) list.scrollTop = list.scrollHeight;
  }

  function messageItem(m) {
    const item = el("li", isMe(m.user) ? "message mine" : "message");
    item.dataset.index = String(m.index);
    const meta = el("p", "meta");
    const when = el("time", "when", formatTime(m.timestamp));
    when.dateTime = m.timestamp;
    meta.append(el("span", "author", label(m.user)), " ", when);
    item.append(meta, el("p", "body", m.content));
    return item;
  }

  function formatTime(timestamp) {
    const date = new Date(timestamp);
    if (Number.isNaN(date.getTime())) return "";
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function renderTyping() {
    const typists = [...(state.typing.get(state.current) || new Map()).values()].map((t) => label(t.user));
    let text = "";
    if (typists.length === 1) text = `${typists[0]} is typing…`;
    else if (typists.length === 2) text = `${typists[0]} and ${typists[1]} are typing…`;
    else if (typists.length > 2) text = "Several people are typing…";
    $("typing").textContent = text;
  }

  function announce(messages) {
    if (!messages.length) return;
    const last = messages[messages.length - 1];
    $("announcer").textContent = `${label(last.user)}: ${last.content}`;
  }

  const STATUS_TEXT = {
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting…",
    offline: "Offline",
  };

  function showStatus(status) {
    const node = $("status");
    node.hidden = false;
    node.dataset.state = status;
    node.textContent = STATUS_TEXT[status];
  }

  function showComposerError(text) {
    $("composer-error").textContent = text;
  }

  function showRoomError(text) {
    $("room-message").textContent = text;
  }

  // -- user actions ---------------------------------------------------------------------

  async function sendMessage() {
    const input = $("composer-input");
    const content = input.value;
    if (!content.trim()) {
      showComposerError("Write something first.");
      return;
    }
    showComposerError("");
    input.value = "";
    stopMyTyping();
    const result = await link.request({ type: "send", room: state.current, content, client_id: randomId() });
    if (result.status === "ok" || !state.me) return; // sent, or logged out meanwhile
    showComposerError(errorText(result));
    if (!input.value) input.value = content;
  }

  function switchRoom(id) {
    if (id !== state.current) {
      stopMyTyping();
      if (state.rooms.has(state.current)) flushRead(room(state.current));
    }
    state.current = id;
    const r = room(id);
    r.unread = 0;
    showRoomError("");
    showComposerError("");
    renderAll();
    loadRoom(id);
    closeSide($("composer-input"));
  }

  /** Join a room, creating it when nobody has yet. */
  async function enterRoom(id) {
    let result = await link.request({ type: "join", room: id });
    if (result.reason === "room_not_found") {
      result = await link.request({ type: "create_room", room: id });
    }
    if (result.status !== "ok") {
      showRoomError(errorText(result));
      return;
    }
    room(id).joined = true;
    state.others = state.others.filter((other) => other !== id);
    switchRoom(id);
  }

  async function leaveRoom() {
    const id = state.current;
    const result = await link.request({ type: "leave", room: id });
    if (result.status !== "ok") {
      showRoomError(errorText(result));
      return;
    }
    forgetRoom(id);
    refreshRoomList();
  }

  function forgetRoom(id) {
    if (!state.rooms.has(id)) return;
    state.rooms.delete(id);
    state.typing.delete(id);
    if (!state.others.includes(id)) state.others.push(id);
    if (state.current === id) switchRoom(DEFAULT_ROOM);
    else renderRooms();
  }

  async function setName(name) {
    const result = await link.request({ type: "set_display_name", name });
    $("name-message").textContent =
      result.status === "ok" ? (result.display_name ? "Name saved." : "Name cleared.") : errorText(result);
  }

  /** Fold the phone-width side panel; focus inside it moves to `focusTo` (it is hidden now). */
  function closeSide(focusTo) {
    const side = $("side");
    if (!side.classList.contains("open")) return;
    const hadFocus = side.contains(document.activeElement);
    side.classList.remove("open");
    $("side-toggle").setAttribute("aria-expanded", "false");
    if (hadFocus && focusTo) focusTo.focus();
  }

  function toggleSide() {
    const open = $("side").classList.toggle("open");
    $("side-toggle").setAttribute("aria-expanded", String(open));
  }

  async function requestLink(event) {
    event.preventDefault();
    const email = $("login-email").value.trim();
    const message = $("login-message");
    message.classList.remove("error");
    if (!email) {
      message.classList.add("error");
      message.textContent = "Enter your email address.";
      return;
    }
    $("login-submit").disabled = true;
    message.textContent = "Sending…";
    try {
      const response = await fetch("/auth/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email }),
      });
      if (response.ok) {
        message.textContent = "Check your email for a login link.";
        return;
      }
      const body = await response.json().catch(() => ({}));
      const retry = response.headers.get("Retry-After");
      if (response.status === 429 && body.retry_after === undefined && retry) body.retry_after = Number(retry);
      message.classList.add("error");
      message.textContent =
        response.status === 429
          ? `Too many login requests. Try again in ${waitText(body.retry_after)}.`
          : body.error || `The server could not send a link (error ${response.status}).`;
    } catch (_) {
      message.classList.add("error");
      message.textContent = "Cannot reach the server. Check your connection and try again.";
    } finally {
      $("login-submit").disabled = false;
    }
  }

  async function logout() {
    let response;
    try {
      response = await fetch("/auth/logout", { method: "POST", credentials: "same-origin" });
    } catch (_) {
      showStatus("offline");
      return;
    }
    if (!response.ok && response.status !== 401) {
      $("status").textContent = `Could not log out (error ${response.status}).`;
      return;
    }
    showLogin("You are logged out.");
  }

  // -- views ----------------------------------------------------------------------------

  function resetState() {
    state.me = null;
    state.current = DEFAULT_ROOM;
    state.rooms.clear();
    state.others = [];
    state.people.clear();
    for (const typists of state.typing.values()) for (const t of typists.values()) clearTimeout(t.timer);
    state.typing.clear();
    myTyping.room = null;
    $("composer-input").value = "";
    for (const id of ["composer-error", "room-message", "name-message"]) $(id).textContent = "";
    closeSide();
  }

  function showLogin(notice) {
    link.stop();
    resetState();
    $("loading").hidden = true;
    $("skip").hidden = true;
    $("chat-view").hidden = true;
    $("account").hidden = true;
    $("status").hidden = true;
    $("login-view").hidden = false;
    $("login-message").classList.remove("error");
    $("login-message").textContent = notice || "";
    $("login-email").focus();
  }

  function showChat(user) {
    resetState();
    state.me = user;
    person(user);
    $("loading").hidden = true;
    $("login-view").hidden = true;
    $("skip").hidden = false;
    $("chat-view").hidden = false;
    $("account").hidden = false;
    renderAll();
    link.start();
    $("composer-input").focus();
  }

  async function boot() {
    try {
      const response = await fetch("/auth/me", { credentials: "same-origin" });
      if (response.ok) {
        showChat((await response.json()).user);
        return;
      }
      showLogin();
    } catch (_) {
      $("loading").textContent = "Cannot reach the server. Reload the page to try again.";
    }
  }

  function wire() {
    $("login-form").addEventListener("submit", requestLink);
    $("logout").addEventListener("click", logout);
    $("side-toggle").addEventListener("click", toggleSide);
    $("side").addEventListener("keydown", (event) => {
      if (event.key === "Escape") closeSide($("side-toggle"));
    });
    $("leave").addEventListener("click", leaveRoom);
    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      sendMessage();
    });
    const input = $("composer-input");
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendMessage();
      }
    });
    input.addEventListener("input", noteKeystroke);
    input.addEventListener("blur", stopMyTyping);
    $("room-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const id = $("room-input").value.trim();
      if (!ROOM_ID.test(id)) {
        showRoomError("A room name is 1 to 64 letters, digits, _ . or -, starting with a letter or digit.");
        return;
      }
      showRoomError("");
      $("room-input").value = "";
      enterRoom(id);
    });
    $("name-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = $("name-input").value.trim();
      setName(name || null);
    });
    $("name-clear").addEventListener("click", () => {
      $("name-input").value = "";
      setName(null);
    });
    document.addEventListener("visibilitychange", onVisibility);
  }

  const link = new Link({
    status: showStatus,
    authenticated: onAuthenticated,
    frame: onFrame,
    refused: () => showLogin("Your session has ended. Log in again."),
  });

  wire();
  boot();
})();
