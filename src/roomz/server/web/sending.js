// Sending a message until the server has it, as the Python client does (roomz/client/retry.py).
//
// A send answered 429 rate_limited, or 503 with a retry_after (a backend is down), is
// written again after that many seconds with the same client_id, so the server stores it
// once whatever happened to the earlier attempts. Attempts and waits are bounded; past
// either, the last answer is the outcome. Meanwhile the message stays "sending…".
//
// After a 429 the connection's request budget is spent: every send made at that moment
// would be refused again if they all retried together, so later sends queue behind the
// refused one, spaced by the retry_after the server gave, until none is waiting any more.

import { appendPending } from "./messages.js";
import { isMe, link, state } from "./state.js";
import { sent } from "./timeline.js";

const SEND_ATTEMPTS = 10; // attempts at most, the first one included
const MAX_SPACING_MS = 1000; // between two paced sends at most, whatever retry_after said
const MAX_WAIT_MS = 60000; // a longer retry_after is not waited for: the refusal is the answer

/** Show `send` (a `send` request) in room `r` as "sending…" at once, send it until the
 * server has it or refuses it for good, then show it as sent; resolves with the answer. */
export async function post(r, send) {
  // Offline, the link keeps the request and writes it when the socket is back.
  const shown = { ...send, user: state.me, timestamp: new Date().toISOString(), pending: true };
  r.pending.push(shown);
  if (r.id === state.current) appendPending(shown, isMe);
  const answer = await deliver(send);
  sent(r, send.client_id); // the message frame normally came first and did this already
  return answer;
}

/** Send `fields` through the link, retrying as the server asks; resolves with the last
 * answer. A stopped link (logged out) ends the retries. */
async function deliver(fields) {
  for (let attempt = 1; ; attempt++) {
    await pacer.turn();
    const answer = await link.request(fields);
    const wait = retryDelay(answer);
    if (wait === null || attempt === SEND_ATTEMPTS || link.stopped) return answer;
    pacer.refused(answer, wait);
  }
}

/** Milliseconds to wait before sending again, or null when `answer` is final. */
function retryDelay(answer) {
  const wait = answer.retry_after;
  if (answer.code !== 429 && answer.code !== 503) return null;
  if (typeof wait !== "number" || !(wait >= 0) || wait * 1000 > MAX_WAIT_MS) return null;
  return wait * 1000;
}

/** Turns for sends: free while the server accepts them, spaced after a 429. */
class Pacer {
  constructor() {
    this.next = 0; // performance.now() of the next free turn
    this.spacing = 0; // ms between turns; 0 when not pacing
  }

  /** Wait for this send's turn. */
  async turn() {
    const now = performance.now();
    if (this.next <= now) {
      this.spacing = 0; // the backlog is gone: stop pacing
      return;
    }
    const slot = this.next;
    this.next = slot + this.spacing;
    await new Promise((resolve) => setTimeout(resolve, slot - now));
  }

  /** A send was refused and waits `wait` ms: later sends queue behind it. */
  refused(answer, wait) {
    if (answer.reason === "rate_limited") {
      this.spacing = Math.max(this.spacing, Math.min(wait, MAX_SPACING_MS));
    }
    this.next = Math.max(this.next, performance.now() + wait);
  }
}

const pacer = new Pacer(); // one per page: the page has one socket, one request budget
