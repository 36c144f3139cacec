// Drawing the chat view from the state: the user, the room list, who is online, the
// messages (messages.js), who is typing, the connection status and error lines. Room
// buttons carry their room in data attributes; app.js listens for their clicks.

import { renderList } from "./messages.js";
import { DEFAULT_ROOM, isMe, room, state } from "./state.js";
import { $, el, label } from "./text.js";

export function renderAll() {
  renderMe();
  renderRooms();
  renderOnline();
  renderMessages();
  renderTyping();
}

export function renderMe() {
  if (!state.me) return;
  $("me").textContent = label(state.me);
  const input = $("name-input");
  if (document.activeElement !== input) input.value = state.me.display_name || "";
}

export function renderRooms() {
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
  const item = el("li");
  item.append(button);
  return item;
}

function otherRoomItem(id) {
  const button = el("button", "room-button", `Join # ${id}`);
  button.type = "button";
  button.dataset.join = id;
  const item = el("li");
  item.append(button);
  return item;
}

export function renderOnline() {
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

export function renderMessages() {
  renderList(room(state.current), isMe);
}

export function renderTyping() {
  const typing = state.typing.get(state.current) || new Map();
  const typists = [...typing.values()].map((t) => label(t.user));
  let text = "";
  if (typists.length === 1) text = `${typists[0]} is typing…`;
  else if (typists.length === 2) text = `${typists[0]} and ${typists[1]} are typing…`;
  else if (typists.length > 2) text = "Several people are typing…";
  $("typing").textContent = text;
}

export function announce(messages) {
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

export function showStatus(status) {
  const node = $("status");
  node.hidden = false;
  node.dataset.state = status;
  node.textContent = STATUS_TEXT[status];
}

export function showComposerError(text) {
  $("composer-error").textContent = text;
}

export function showRoomError(text) {
  $("room-message").textContent = text;
}

// "There is no room # x": a typo should not make a room, so creating one takes a click.
export function offerCreate(id) {
  $("room-create").hidden = id === null;
  if (id === null) return;
  $("room-create-text").textContent = `There is no room # ${id} yet.`;
  const button = $("room-create-button");
  button.textContent = `Create # ${id}`;
  button.dataset.room = id; // app.js creates it on a click
  button.focus();
}

/** Fold the phone-width side panel; focus inside it moves to `focusTo` (it is hidden now). */
export function closeSide(focusTo) {
  const side = $("side");
  if (!side.classList.contains("open")) return;
  const hadFocus = side.contains(document.activeElement);
  side.classList.remove("open");
  $("side-toggle").setAttribute("aria-expanded", "false");
  if (hadFocus && focusTo) focusTo.focus();
}
