// The messages of each room on the page: added once each in index order, caught up page by
// page after a reconnect or an index gap, older pages loaded when the list is scrolled to
// the top, our own messages "sending…" until they land, and read receipts for what was seen.

import { appendList, removePending, renderList } from "./messages.js";
import { announce, renderRooms, showRoomError } from "./render.js";
import { isMe, link, room, state } from "./state.js";
import { $, errorText } from "./text.js";
import { stopTyping } from "./typing.js";

const READ_DELAY_MS = 800;
const KEPT_PER_ROOM = 500; // past this, older messages leave the page as new ones come
const OLDER_PAGE = 50; // messages asked for each time the list is scrolled to the top

/**
 * Add messages to a room, each (room, index) once, in index order. `live` messages
 * (pushed by the server or caught up after a reconnect) count as unread where the
 * user is not looking, and are announced to screen readers where they are.
 */
export function addMessages(r, list, live) {
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
export function trim(r) {
  const list = $("messages");
  const down = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const excess = r.messages.length - KEPT_PER_ROOM;
  if (excess <= 0 || (r.id === state.current && !down)) return 0;
  for (const m of r.messages.splice(0, excess)) r.seen.delete(m.index);
  r.atStart = false;
  return excess;
}

// Messages missed while disconnected, or skipped by a live message whose index jumps
// ahead: everything after the last index shown, page by page. Live messages of the room
// are held back meanwhile, then merged in index order.
export async function catchUp(r, held = []) {
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
export async function loadOlder(r) {
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
export function fillView() {
  const list = $("messages");
  if (list.scrollTop < 200) loadOlder(room(state.current));
}

export async function loadRoom(id) {
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
export function noteStart(r, result) {
  const history = result.history || [];
  const first = r.messages.length ? r.messages[0].index : Infinity;
  if (result.has_more === false && (!history.length || history[0].index <= first)) {
    r.atStart = true;
  }
}

// What the user has looked at is marked read a moment later (one request per burst of
// messages), or at once when they move to another room.
export function scheduleRead(r) {
  clearTimeout(r.readTimer);
  r.readTimer = setTimeout(() => flushRead(r), READ_DELAY_MS);
}

export function flushRead(r) {
  clearTimeout(r.readTimer);
  if (document.hidden || r.id !== state.current || r.last <= r.readSent) return;
  r.readSent = r.last;
  link.request({ type: "read", room: r.id, index: r.last });
}

// Our message with `clientId` reached the server: it is no longer "sending…".
export function sent(r, clientId) {
  const at = clientId ? r.pending.findIndex((m) => m.client_id === clientId) : -1;
  if (at < 0) return;
  r.pending.splice(at, 1);
  if (r.id === state.current) removePending(clientId);
}
