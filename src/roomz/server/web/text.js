// Putting text on the page. Every string that comes from the server or
// the user reaches the page through textContent or a text node, never as markup.

export const $ = (id) => document.getElementById(id);

/** A new element with a class and text (set as text, never parsed). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** How chat shows a user: "Display Name (email)", or the email alone. */
export function label(user) {
  return user.display_name ? `${user.display_name} (${user.email})` : user.email;
}

/** "42 seconds" or "15 minutes", for a retry_after in seconds. */
export function waitText(seconds) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 0));
  if (s < 90) return `${s} second${s === 1 ? "" : "s"}`;
  return `${Math.ceil(s / 60)} minutes`;
}

/** A failed result or error frame, in words; a rate limit says when to try again. */
export function errorText(result) {
  const text = result.error || `The server refused (${result.reason || result.code}).`;
  if (result.reason === "rate_limited" && result.retry_after !== undefined) {
    return `${text}. Try again in ${waitText(result.retry_after)}.`;
  }
  return text;
}
