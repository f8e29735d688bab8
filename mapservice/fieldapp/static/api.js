// Talking to the field API: the bearer token, timeouts, and what a failure means for the queue.
//
// The sync queue needs one decision per failed request: try again later (no network, server
// busy), stop and ask the user (refused with a reason, a version conflict), or stop everything
// until the user signs in again (token refused). `ApiError.kind` carries that decision.

const TOKEN_KEY = "karte.token";

// The token is kept in localStorage (never in a URL: URLs end up in logs and histories).
export const token = {
  get: () => localStorage.getItem(TOKEN_KEY) || "",
  set: (value) => localStorage.setItem(TOKEN_KEY, value.trim()),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  /**
   * kind: "network" | "retry" | "auth" | "refused" | "conflict" | "gone"
   * body: the server's JSON error {code, message_de, message_en, ...} when there is one.
   */
  constructor(kind, status, body) {
    super(body?.message_en || `${kind} ${status}`);
    this.kind = kind;
    this.status = status;
    this.body = body || null;
  }
}

function classify(status, body) {
  if (status === 401) return "auth";
  if (status === 409 && body?.code === "version_conflict") return "conflict";
  if (status === 404) return "gone";
  if (status === 408 || status === 425 || status === 429 || status >= 500) return "retry";
  return "refused";
}

/**
 * One request. `json` is sent as a JSON body, `form` as multipart. Resolves to
 * {status, body, headers}; rejects with ApiError.
 */
export async function request(method, path, { json, form, headers = {}, timeout = 30000 } = {}) {
  const sent = new Headers(headers);
  const secret = token.get();
  if (secret) sent.set("Authorization", `Bearer ${secret}`);
  let body;
  if (json !== undefined) {
    sent.set("Content-Type", "application/json");
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: sent,
      body,
      cache: "no-store",
      signal: abort.signal,
    });
  } catch {
    throw new ApiError("network", 0, null);
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  if ((response.headers.get("content-type") || "").includes("json")) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw new ApiError(classify(response.status, data), response.status, data);
  return { status: response.status, body: data, headers: response.headers };
}

/** A GET whose answer is also kept in IndexedDB, so the app can start offline with it. */
export async function getCached(path, db, key) {
  try {
    const { body } = await request("GET", path, { timeout: 15000 });
    await db.setSetting(key, body);
    return body;
  } catch (error) {
    const stored = await db.getSetting(key);
    if (stored) return stored;
    throw error;
  }
}
