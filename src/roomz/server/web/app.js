// The roomz chat page: the login view, and the chat view over one WebSocket (link.js)
// that speaks docs/protocol.md. Every string that comes from the server or the user
// reaches the page through textContent or a text node (text.js), never as markup.

import { Link } from "./link.js";
import { logOut, requestLink, say, whoAmI } from "./login.js";
import { appendList, appendPending, removePending, renderList } from "./messages.js";
import { $, el, errorText, label } from "./text.js";

const DEFAULT_ROOM = "general";
const ROOM_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const TYPING_IDLE_MS = 2500; // we stop "typing" after this long without a keystroke
const TYPING_REPEAT_MS = 4000; // a long burst of typing is re-announced this often
const TYPING_FORGET_MS = 7000; // someone else's "typing" expires without a repeat
const READ_DELAY_MS = 800;
const KEPT_PER_ROOM = 500; // past this, older messages leave the page as new ones come
const OLDER_PAGE = 50; // messages asked for each time the list is scrolled to the top
const ROOM_LIST_EVERY_MS = 10000; // rooms others create show up within this long
const ROOM_KEY = "roomz.room"; // sessionStorage: the room shown, so a reload returns to it

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// -- state ----------------------------------------------------------------------------

const state = {
  me: null,
  current: DEFAULT_ROOM,
  rooms: new Map(), // id -> Room (see room())
  others: [], // ids of rooms the user has not joined
  people: new Map(), // who is online in the room shown: user id -> {user, connections, status}
  typing: new Map(), // room id -> Map(user id -> {user, timer})
};

function room(id) {
  let r = state.rooms.get(id);
  if (!r) {
    r = {
      id,
      joined: false,
      messages: [], // on the page, in index order
      seen: new Set(), // their indexes
      last: 0, // the highest of them: a catch-up asks for what follows
      atStart: false, // the room's first message is on the page
      loadingOlder: false,
      pending: [], // our messages on their way: shown as "sending…"
      unread: 0,
      held: null, // live messages waiting for the answer to a catch-up
      readSent: 0, // the index last marked read
    };
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
  const dropped = trim(r);
  const fromOthers = added.filter((m) => !isMe(m.user));
  for (const m of added) stopTyping(r.id, m.user.id);
  const looking = r.id === state.current && !document.hidden;
  if (live && !looking) r.unread += fromOthers.length;
  if (r.id === state.current) {
    if (atEnd) appendList(r, added, dropped, isMe);
    else renderList(r, isMe, true);
    if (live) announce(fromOthers);
    scheduleRead(r);
  }
  renderRooms();
}

// Past KEPT_PER_ROOM, the oldest messages leave — unless the user is reading back in the
// room shown (they went there on purpose; scrolling back down lets them go again).
function trim(r) {
  const list = $("messages");
  const down = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const excess = r.messages.length - KEPT_PER_ROOM;
  if (excess <= 0 || (r.id === state.current && !down)) return 0;
  for (const m of r.messages.splice(0, excess)) r.seen.delete(m.index);
  r.atStart = false;
  return excess;
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
  const saved = state.rooms.get(state.current);
  if (!again && !(saved && saved.joined)) state.current = DEFAULT_ROOM; // left meanwhile
  room(state.current).joined = true;
  if (again) {
    for (const r of state.rooms.values()) if (r.joined && r.last > 0) catchUp(r);
  }
  if (room(state.current).last === 0) loadRoom(state.current);
  refreshRoomList();
  refreshOnline(); // who arrived while we were away, or before the page opened
  if (document.hidden) link.request({ type: "presence", status: "away" });
  renderAll();
}

// Messages missed while disconnected, or skipped by a live message whose index jumps
// ahead: everything after the last index shown, page by page. Live messages of the room
// are held back meanwhile, then merged in index order.
async function catchUp(r, held = []) {
  r.held = held;
  let since = r.last;
  for (;;) {
    const result = await link.request({ type: "history", room: r.id, since });
    if (result.status !== "ok") {
      // The held messages are dropped too, so `last` stays before the gap and the next
      // catch-up (or the next live message) asks for the rest again.
      r.held = null;
      return;
    }
    addMessages(r, result.messages, true);
    if (!result.has_more || !result.messages.length) break;
    since = result.messages[result.messages.length - 1].index;
  }
  const rest = r.held || [];
  r.held = null;
  addMessages(r, rest, true);
}

// Scrolled to the top: the page of messages before the first one shown.
async function loadOlder(r) {
  if (r.atStart || r.loadingOlder || !r.messages.length || !link.ready) return;
  r.loadingOlder = true;
  const before = r.messages[0].index;
  const result = await link.request({ type: "history", room: r.id, before, limit: OLDER_PAGE });
  r.loadingOlder = false;
  if (result.status !== "ok" || !state.rooms.has(r.id)) return;
  const older = result.messages.filter((m) => !r.seen.has(m.index) && m.index < before);
  for (const m of older) r.seen.add(m.index);
  r.messages.unshift(...older);
  r.atStart = !result.has_more;
  if (r.id !== state.current) return;
  renderList(r, isMe, true);
  fillView();
}

// A list too short to scroll never sees a scroll to the top: load older pages until it
// scrolls, or the room's start is shown.
function fillView() {
  const list = $("messages");
  if (list.scrollTop < 200) loadOlder(room(state.current));
}

async function loadRoom(id) {
  const result = await link.request({ type: "join", room: id });
  if (result.status !== "ok") {
    if (result.reason !== "connection_lost") showRoomError(errorText(result));
    return;
  }
  const r = room(id);
  r.joined = true;
  noteStart(r, result);
  addMessages(r, result.history || [], false);
  renderRooms();
  if (id === state.current) fillView();
}

// Whether a join's history reaches back to the room's first message.
function noteStart(r, result) {
  const history = result.history || [];
  const first = r.messages.length ? r.messages[0].index : Infinity;
  if (result.has_more === false && (!history.length || history[0].index <= first)) {
    r.atStart = true;
  }
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
    if (Number.isInteger(info.unread) && info.room !== state.current) {
      r.unread = Math.max(r.unread, info.unread);
    }
  }
  state.others = result.rooms.filter((info) => !info.joined).map((info) => info.room);
  renderRooms();
}

// Who is online in the room shown, from the server: asked on every (re)connection and
// when the page shows another room; the live frames below keep it current in between.
async function refreshOnline() {
  const id = state.current;
  const result = await link.request({ type: "who", room: id });
  if (result.status !== "ok" || id !== state.current) return;
  state.people.clear();
  for (const entry of result.users) {
    const p = person(entry.user);
    p.connections = entry.connections;
    p.status = entry.status;
  }
  if (state.me) person(state.me);
  renderOnline();
}

function forgetPerson(user) {
  if (!isMe(user)) state.people.delete(user.id);
}

const handlers = {
  message(frame) {
    const r = room(frame.room);
    r.joined = true;
    sent(r, frame.client_id);
    if (r.held) r.held.push(frame);
    else if (r.last > 0 && frame.index > r.last + 1) catchUp(r, [frame]);
    else addMessages(r, [frame], true);
  },
  user_joined(frame) {
    // A socket opening is announced with the default room; whether the user belongs to
    // the room shown (if another) only the server knows.
    const connecting = frame.room === DEFAULT_ROOM;
    if (frame.room === state.current) person(frame.user).connections = frame.total_connections;
    else if (connecting && !isMe(frame.user)) refreshOnline();
    if (isMe(frame.user) && frame.room && !room(frame.room).joined) {
      room(frame.room).joined = true;
      state.others = state.others.filter((id) => id !== frame.room);
      renderRooms();
    }
    renderOnline();
  },
  user_left(frame) {
    const remaining = frame.remaining_connections;
    const known = state.people.get(frame.user.id);
    if (frame.room !== DEFAULT_ROOM) {
      if (frame.room === state.current) forgetPerson(frame.user); // left the room shown
    } else if (remaining > 0) {
      if (known) known.connections = remaining;
    } else forgetPerson(frame.user);
    // We left a room from another tab (closing a socket is announced with the default room).
    if (isMe(frame.user) && frame.room && frame.room !== DEFAULT_ROOM) forgetRoom(frame.room);
    renderOnline();
  },
  presence(frame) {
    if (frame.status === "offline") forgetPerson(frame.user);
    else if (state.people.has(frame.user.id) || state.current === DEFAULT_ROOM) {
      person(frame.user).status = frame.status;
    }
    renderOnline();
  },
  typing(frame) {
    if (isMe(frame.user)) return;
    if (frame.state) startTyping(frame.room, frame.user);
    else stopTyping(frame.room, frame.user.id);
  },
  display_name_changed(frame) {
    const renamed = (user) => user.id === frame.user.id;
    const change = (user) => (renamed(user) ? { ...user, display_name: frame.display_name } : user);
    if (state.me && state.me.id === frame.user.id) state.me = change(state.me);
    const p = state.people.get(frame.user.id);
    if (p) p.user = change(p.user);
    // Messages keep the name they were sent with (the server stores it with each one).
    for (const typists of state.typing.values()) {
      for (const t of typists.values()) t.user = change(t.user);
    }
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

/** Our own typing: `true` at the first keystroke (again during long bursts), `false` when idle. */
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
  const status = document.hidden ? "away" : "online";
  link.request({ type: "presence", status });
  person(state.me).status = status; // the server tells everyone but us
  renderOnline();
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
  const rank = (r) => (r.id === DEFAULT_ROOM ? "" : r.id); // the default room first
  joined.sort((a, b) => rank(a).localeCompare(rank(b)));
  // Re-rendering replaces the buttons; a keyboard user's focus stays on the same room.
  const active = document.activeElement;
  const focused = list.contains(active) ? active.dataset.room : null;
  list.replaceChildren(...joined.map(roomItem));
  const again = [...list.querySelectorAll("button")].find((b) => b.dataset.room === focused);
  if (again) again.focus();
  const others = state.others.filter((id) => !room(id).joined);
  $("others-section").hidden = others.length === 0;
  $("other-rooms").replaceChildren(...others.map(otherRoomItem));
  $("room-title").textContent = `# ${state.current}`;
  $("leave").hidden = state.current === DEFAULT_ROOM;
  const unread = joined.reduce((sum, r) => sum + r.unread, 0);
  $("side-toggle").textContent = `Rooms and people${unread ? ` (${unread} unread)` : ""}`;
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
  const people = [...state.people.values()];
  people.sort((a, b) => label(a.user).localeCompare(label(b.user)));
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
  renderList(room(state.current), isMe);
}

function renderTyping() {
  const typing = state.typing.get(state.current) || new Map();
  const typists = [...typing.values()].map((t) => label(t.user));
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
  const r = room(state.current);
  const send = { type: "send", room: r.id, content, client_id: randomId() };
  // Shown at once as "sending…"; offline, the link keeps it and sends it when back.
  const shown = { ...send, user: state.me, timestamp: new Date().toISOString(), pending: true };
  r.pending.push(shown);
  if (r.id === state.current) appendPending(shown, isMe);
  const result = await link.request(send);
  sent(r, send.client_id); // the message frame normally came first and did this already
  if (result.status === "ok" || !state.me) return; // sent, or logged out meanwhile
  showComposerError(errorText(result));
  if (!input.value) input.value = content;
}

// Our message with `clientId` reached the server: it is no longer "sending…".
function sent(r, clientId) {
  const at = clientId ? r.pending.findIndex((m) => m.client_id === clientId) : -1;
  if (at < 0) return;
  r.pending.splice(at, 1);
  if (r.id === state.current) removePending(clientId);
}

/** Show room `id`: its messages so far, then its recent history (a join's result given,
 * or asked for). */
function switchRoom(id, joined) {
  const moved = id !== state.current;
  if (moved) {
    stopMyTyping();
    if (state.rooms.has(state.current)) flushRead(room(state.current));
    state.people.clear(); // the room's own list follows from `who`
    if (state.me) person(state.me);
  }
  state.current = id;
  sessionStorage.setItem(ROOM_KEY, id);
  const r = room(id);
  r.unread = 0;
  showRoomError("");
  showComposerError("");
  renderAll();
  if (joined) {
    noteStart(r, joined);
    addMessages(r, joined.history || [], false);
    renderMessages();
    fillView();
  } else loadRoom(id);
  if (moved) refreshOnline();
  closeSide($("composer-input"));
}

/** Join a room; one nobody has made yet is only created when the user says so. */
async function enterRoom(id, create = false) {
  offerCreate(null);
  let result = await link.request({ type: create ? "create_room" : "join", room: id });
  if (result.reason === "room_not_found") {
    offerCreate(id);
    return;
  }
  if (result.status !== "ok") {
    showRoomError(errorText(result));
    return;
  }
  room(id).joined = true;
  state.others = state.others.filter((other) => other !== id);
  switchRoom(id, result); // a room just created has no history
}

// "There is no room # x": a typo should not make a room, so creating one takes a click.
function offerCreate(id) {
  $("room-create").hidden = id === null;
  if (id === null) return;
  $("room-create-text").textContent = `There is no room # ${id} yet.`;
  const button = $("room-create-button");
  button.textContent = `Create # ${id}`;
  button.onclick = () => enterRoom(id, true);
  button.focus();
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
  const done = result.display_name ? "Name saved." : "Name cleared.";
  $("name-message").textContent = result.status === "ok" ? done : errorText(result);
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
  if (open) refreshRoomList();
}

// -- views ----------------------------------------------------------------------------

function resetState() {
  state.me = null;
  state.current = DEFAULT_ROOM;
  offerCreate(null);
  state.rooms.clear();
  state.others = [];
  state.people.clear();
  for (const typists of state.typing.values()) {
    for (const t of typists.values()) clearTimeout(t.timer);
  }
  state.typing.clear();
  myTyping.room = null;
  $("composer-input").value = "";
  for (const id of ["composer-error", "room-message", "name-message"]) $(id).textContent = "";
  closeSide();
}

function showLogin(notice) {
  link.stop();
  clearInterval(roomListTimer);
  resetState();
  $("loading").hidden = true;
  $("skip").hidden = true;
  $("chat-view").hidden = true;
  $("account").hidden = true;
  $("status").hidden = true;
  $("login-view").hidden = false;
  say(notice || "", false);
  $("login-email").focus();
}

let roomListTimer = null;

function showChat(user) {
  resetState();
  const saved = sessionStorage.getItem(ROOM_KEY);
  if (saved && ROOM_ID.test(saved)) state.current = saved; // checked when authenticated
  state.me = user;
  person(user);
  $("loading").hidden = true;
  $("login-view").hidden = true;
  $("skip").hidden = false;
  $("chat-view").hidden = false;
  $("account").hidden = false;
  renderAll();
  link.start();
  clearInterval(roomListTimer);
  roomListTimer = setInterval(() => {
    if (link.ready && !document.hidden) refreshRoomList(); // rooms others made meanwhile
  }, ROOM_LIST_EVERY_MS);
  $("composer-input").focus();
}

async function logout() {
  const problem = await logOut();
  if (problem) $("status").textContent = problem;
  else showLogin("You are logged out.");
}

async function boot(attempt = 0) {
  try {
    const user = await whoAmI();
    if (user) showChat(user);
    else showLogin();
  } catch (_) {
    $("loading").textContent = "Cannot reach the server. Trying again…";
    setTimeout(() => boot(attempt + 1), Math.min(15000, 1000 * 2 ** attempt));
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
  $("room-input").addEventListener("focus", refreshRoomList); // rooms others made meanwhile
  $("messages").addEventListener("scroll", () => {
    if ($("messages").scrollTop < 200) loadOlder(room(state.current));
  });
  $("room-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("room-input").value.trim();
    if (!ROOM_ID.test(id)) {
      showRoomError(
        "A room name is 1 to 64 letters, digits, _ . or -, starting with a letter or digit.",
      );
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
