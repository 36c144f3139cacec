// Who is typing: others' "typing" frames (forgotten without a repeat), and our own typing
// announced at the first keystroke, again during long bursts, and stopped when idle.

import { renderTyping } from "./render.js";
import { link, state } from "./state.js";
import { $ } from "./text.js";

const TYPING_IDLE_MS = 2500; // we stop "typing" after this long without a keystroke
const TYPING_REPEAT_MS = 4000; // a long burst of typing is re-announced this often
const TYPING_FORGET_MS = 7000; // someone else's "typing" expires without a repeat

export function startTyping(roomId, user) {
  const typists = state.typing.get(roomId) || new Map();
  state.typing.set(roomId, typists);
  const previous = typists.get(user.id);
  if (previous) clearTimeout(previous.timer);
  const timer = setTimeout(() => stopTyping(roomId, user.id), TYPING_FORGET_MS);
  typists.set(user.id, { user, timer });
  renderTyping();
}

export function stopTyping(roomId, userId) {
  const typists = state.typing.get(roomId);
  const entry = typists && typists.get(userId);
  if (!entry) return;
  clearTimeout(entry.timer);
  typists.delete(userId);
  renderTyping();
}

/** Our own typing: `true` at the first keystroke (again during long bursts), `false` when idle. */
export const myTyping = { room: null, sentAt: 0, idle: null };

export function noteKeystroke() {
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

export function stopMyTyping() {
  if (myTyping.room === null) return;
  clearTimeout(myTyping.idle);
  link.request({ type: "typing", room: myTyping.room, state: false });
  myTyping.room = null;
}
