// The page's state: the user, the rooms and their messages, who is online, who is typing;
// and the one connection to the server (link.js) that every part talks through.

import { Link } from "./link.js";

export const DEFAULT_ROOM = "general";
export const ROOM_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The connection; app.js gives it the handlers of its events before starting it. */
export const link = new Link({});

export const state = {
  me: null,
  current: DEFAULT_ROOM,
  rooms: new Map(), // id -> Room (see room())
  others: [], // ids of rooms the user has not joined
  people: new Map(), // who is online in the room shown: user id -> {user, connections, status}
  typing: new Map(), // room id -> Map(user id -> {user, timer})
};

export function room(id) {
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

export function isMe(user) {
  return state.me !== null && user.id === state.me.id;
}

export function person(user) {
  let p = state.people.get(user.id);
  if (!p) {
    p = { user, connections: 1, status: "online" };
    state.people.set(user.id, p);
  }
  p.user = { ...p.user, ...user };
  return p;
}

export function forgetPerson(user) {
  if (!isMe(user)) state.people.delete(user.id);
}
