// The page's one WebSocket to /ws, speaking docs/protocol.md: requests and their results,
// keepalive pings, and reconnects with backoff. The session cookie authenticates it.

const MAX_FRAME_BYTES = 65536; // the largest client frame a server accepts
const PING_EVERY_MS = 25000; // an unanswered ping by the next tick means a dead socket
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15000;
const TOO_LARGE = { error: "that is too long to send", code: 413, reason: "frame_too_large" };
const LOST = { error: "not connected to the server", code: 503, reason: "connection_lost" };

/**
 * One logical connection to /ws that survives reconnects. Requests resolve with the
 * result's fields; a `send` still unanswered when the socket drops is written again,
 * unchanged, on the next socket (the server stores it once by client_id), and every
 * other request in flight resolves with connection_lost.
 */
export class Link {
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
    // Offline, a close handshake cannot finish: the socket counts as closed at once.
    window.addEventListener("offline", () => this.ws && this.ws.onclose());
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
      return Promise.resolve({ ...TOO_LARGE });
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
