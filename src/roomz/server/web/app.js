// The roomz chat page: the login view, and the chat view over one WebSocket (link.js)
// that speaks docs/protocol.md. Every string that comes from the server or the user
// reaches the page through textContent or a text node (text.js), never as markup.
//
// The parts: state.js (what the page knows), timeline.js (each room's messages),
// messages.js (drawing them), render.js (drawing the rest), typing.js (who is typing),
// sending.js (our messages until the server has them).

import { logOut, requestLink, say, whoAmI } from "./login.js";
import {
  closeSide, offerCreate, renderAll, renderMessages, renderOnline, renderRooms,
  showComposerError, showRoomError, showStatus,
} from "./render.js";
import { DEFAULT_ROOM, ROOM_ID, forgetPerson, isMe, link, person, room, state } from "./state.js";
import { post } from "./sending.js";
import { $, errorText } from "./text.js";
import {
  addMessages, catchUp, fillView, flushRead, loadOlder, loadRoom, noteStart, scheduleRead, sent,
} from "./timeline.js";
import { myTyping, noteKeystroke, startTyping, stopMyTyping, stopTyping } from "./typing.js";

const ROOM_LIST_EVERY_MS = 10000; // rooms others create show up within this long
const ROOM_KEY = "roomz.room"; // sessionStorage: the room shown, so a reload returns to it

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

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
  const result = await post(r, { type: "send", room: r.id, content, client_id: randomId() });
  if (result.status === "ok" || !state.me) return; // sent, or logged out meanwhile
  showComposerError(errorText(result));
  if (!input.value) input.value = content;
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

function toggleSide() {
  const open = $("side").classList.toggle("open");
  $("side-toggle").setAttribute("aria-expanded", String(open));
  if (open) refreshRoomList();
}

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
  $("rooms").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-room]");
    if (button) switchRoom(button.dataset.room);
  });
  $("room-create-button").addEventListener("click", (event) => {
    enterRoom(event.currentTarget.dataset.room, true);
  });
  $("other-rooms").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-join]");
    if (button) enterRoom(button.dataset.join);
  });
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

link.events = {
  status: showStatus,
  authenticated: onAuthenticated,
  frame: onFrame,
  refused: () => showLogin("Your session has ended. Log in again."),
};

wire();
boot();
