// The message list of the room shown: a separator line at each new day, consecutive
// messages of one person grouped under one header, messages still on their way
// ("sending…"), and a marker at the start of the room once its first message is shown.
//
// Names: a message shows its author as they were named when they sent it — the server
// stores that with the message, so the page shows the same live and after a reload.

import { $, el, label } from "./text.js";

const GROUP_WITHIN_MS = 5 * 60 * 1000; // a pause longer than this starts a new group

/** The whole list for room `r`; `keep` holds the view still (older messages went on top). */
export function renderList(r, isMe, keep = false) {
  const list = $("messages");
  const fromBottom = list.scrollHeight - list.scrollTop;
  const nodes = [];
  if (r.atStart && r.messages.length) nodes.push(el("li", "start", `This is the start of # ${r.id}.`));
  let prev = null;
  for (const m of r.messages) {
    nodes.push(...messageNodes(m, prev, isMe));
    prev = m;
  }
  for (const m of r.pending) nodes.push(...messageNodes(m, prev, isMe));
  if (!nodes.length) nodes.push(el("li", "empty", "No messages here yet."));
  list.replaceChildren(...nodes);
  list.scrollTop = keep ? list.scrollHeight - fromBottom : list.scrollHeight;
}

/** New messages at the end of the list (before the ones still sending). */
export function appendList(r, added, dropped, isMe) {
  const list = $("messages");
  if (dropped) {
    renderList(r, isMe, true);
    return;
  }
  const pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const empty = list.querySelector(".empty");
  if (empty) empty.remove();
  let prev = r.messages[r.messages.length - added.length - 1] || null;
  const nodes = [];
  for (const m of added) {
    nodes.push(...messageNodes(m, prev, isMe));
    prev = m;
  }
  const sending = list.querySelector(".pending");
  for (const node of nodes) list.insertBefore(node, sending);
  if (pinned || added.some((m) => isMe(m.user))) list.scrollTop = list.scrollHeight;
}

/** A message being sent, shown at the end until the server has it. */
export function appendPending(m, isMe) {
  const list = $("messages");
  const empty = list.querySelector(".empty");
  if (empty) empty.remove();
  list.append(...messageNodes(m, null, isMe));
  list.scrollTop = list.scrollHeight;
}

export function removePending(clientId) {
  const node = $("messages").querySelector(`[data-client-id="${clientId}"]`);
  if (node) node.remove();
}

function messageNodes(m, prev, isMe) {
  const date = new Date(m.timestamp);
  const nodes = [];
  // A message still sending gets its day line when it lands, among the others.
  const newDay = !m.pending && (!prev || dayOf(prev) !== dayOf(m));
  if (newDay) nodes.push(el("li", "day", dayText(date)));
  const grouped =
    !newDay && prev && !m.pending && !prev.pending && prev.user.id === m.user.id &&
    date - new Date(prev.timestamp) < GROUP_WITHIN_MS;
  nodes.push(messageItem(m, date, grouped, isMe(m.user)));
  return nodes;
}

function messageItem(m, date, grouped, mine) {
  let className = mine ? "message mine" : "message";
  if (grouped) className += " grouped";
  if (m.pending) className += " pending";
  const item = el("li", className);
  if (m.pending) item.dataset.clientId = m.client_id;
  else item.dataset.index = String(m.index);
  const meta = el("p", grouped ? "meta visually-hidden" : "meta");
  const when = el("time", "when", m.pending ? "sending…" : timeText(date));
  if (!m.pending) {
    when.dateTime = m.timestamp;
    when.title = date.toLocaleString();
  }
  meta.append(el("span", "author", label(m.user)), " ", when);
  item.append(meta, el("p", "body", m.content));
  return item;
}

function dayOf(m) {
  return new Date(m.timestamp).toDateString();
}

function dayText(date) {
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return "Today";
  if (date.toDateString() === yesterday.toDateString()) return "Yesterday";
  return date.toLocaleDateString([], { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}

/** "14:05" today; "Mon 7 Dec, 14:05" on other days. */
function timeText(date) {
  if (Number.isNaN(date.getTime())) return "";
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (date.toDateString() === new Date().toDateString()) return time;
  const day = date.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" });
  return `${day}, ${time}`;
}
