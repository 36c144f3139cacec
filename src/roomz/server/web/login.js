// Login over HTTP (docs/protocol.md, "Login over HTTP"): who is logged in, asking for a
// magic link, logging out. The session is an HttpOnly cookie the page never sees.

import { $, waitText } from "./text.js";

const SAME_ORIGIN = { credentials: "same-origin" };

/** The logged-in user, or null when there is no valid session. Throws when unreachable. */
export async function whoAmI() {
  const response = await fetch("/auth/me", SAME_ORIGIN);
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`/auth/me answered ${response.status}`);
  return (await response.json()).user;
}

/**
 * Ask for a login link, as the login form's submit handler. The page says the same thing
 * whatever the server decided about the address, as the server answers the same way.
 */
export async function requestLink(event) {
  event.preventDefault();
  const email = $("login-email").value.trim();
  if (!email) {
    say("Enter your email address.", true);
    return;
  }
  $("login-submit").disabled = true;
  say("Sending…", false);
  try {
    const response = await fetch("/auth/login", {
      ...SAME_ORIGIN,
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email }),
    });
    if (response.ok) say(whereTheLinkIs(await response.json().catch(() => ({}))), false);
    else say(await refusal(response), true);
  } catch (_) {
    say("Cannot reach the server. Check your connection and try again.", true);
  } finally {
    $("login-submit").disabled = false;
  }
}

// The server says where it sends links: by email, or printed on its console (a server
// without email set up, as on a first run), where its operator has to look.
function whereTheLinkIs(answer) {
  if (answer.delivery === "console") {
    return "Your login link is printed in the terminal where the roomz server runs " +
      "(it sends no email). Open it in this browser.";
  }
  return "Check your email for a login link.";
}

async function refusal(response) {
  const body = await response.json().catch(() => ({}));
  if (response.status === 429) {
    const wait = body.retry_after ?? Number(response.headers.get("Retry-After"));
    return `Too many login requests. Try again in ${waitText(wait)}.`;
  }
  return body.error || `The server could not send a link (error ${response.status}).`;
}

/** Show `text` under the login form (as an error or as news). */
export function say(text, isError) {
  const message = $("login-message");
  message.classList.toggle("error", isError);
  message.textContent = text;
}

/** End the session on the server. Returns null when done, else what went wrong. */
export async function logOut() {
  try {
    const response = await fetch("/auth/logout", { ...SAME_ORIGIN, method: "POST" });
    if (response.ok || response.status === 401) return null;
    return `Could not log out (error ${response.status}).`;
  } catch (_) {
    return "Could not reach the server to log out.";
  }
}
