// Sign-in: Cognito Hosted UI (authorization code + PKCE), or a pasted local token (`kysy dev`).
//
// Where the token lives (docs/editor-view.md, "Sign-in across tabs"): this origin's localStorage, with
// the token's own expiry (`exp`), so a new tab of the editor view is signed in for as long as the token
// is valid and no longer. Other origins (the blog, Cognito) cannot read it; nothing puts it in a URL or
// a cookie. It is removed on sign-out, on a 401 from the API and when it has expired, in every tab at
// once (the `storage` event). A token whose expiry cannot be read stays in this tab only (sessionStorage).
const L = localStorage;
const S = sessionStorage;
const SESSION = "kysy-editor-session";
const PKCE = "kysy-editor-pkce";
const SKEW = 30; // seconds: treat a token this close to its expiry as expired

// The `exp` claim (seconds) of a JWT, read without verifying it: only to know when to forget it (the
// API verifies every request).
const expiry = (token) => {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const exp = JSON.parse(atob(part + "=".repeat(-part.length & 3))).exp;
    return Number.isFinite(exp) ? exp : 0;
  } catch {
    return 0;
  }
};

const read = (store) => {
  try {
    return JSON.parse(store.getItem(SESSION) || "null");
  } catch {
    return null;
  }
};

export const getToken = () => {
  const saved = read(L) || read(S);
  if (!saved || !saved.token) return "";
  if (saved.exp && saved.exp - SKEW <= Date.now() / 1000) {
    clearToken();
    return "";
  }
  return saved.token;
};

export const setToken = (token) => {
  clearToken();
  const exp = expiry(token);
  (exp ? L : S).setItem(SESSION, JSON.stringify({ token, exp }));
};

export const clearToken = () => {
  L.removeItem(SESSION);
  S.removeItem(SESSION);
};

// Another tab signed in or out: call back with true (a session appeared) or false (it went).
export const onOtherTab = (callback) =>
  addEventListener("storage", (e) => {
    if (e.storageArea === L && (e.key === SESSION || e.key === null)) callback(Boolean(getToken()));
  });

const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
const base = (cfg) => (/^https:\/\//.test(cfg.domain) ? cfg.domain : "https://" + cfg.domain).replace(/\/+$/, "");

export async function loadConfig() {
  try {
    const r = await fetch(new URL("config.json", location.href), { cache: "no-store" });
    if (r.ok) {
      const cfg = await r.json();
      const cache = { sharedCacheSeconds: Number(cfg?.sharedCacheSeconds) || 0 };
      if (cfg && cfg.mode === "cognito" && cfg.domain && cfg.clientId) {
        return { ...cfg, ...cache, redirectUri: cfg.redirectUri || location.origin + location.pathname };
      }
      return { mode: "local", ...cache };
    }
  } catch {} // no config yet: local mode
  return { mode: "local", sharedCacheSeconds: 0 };
}

// Step 1: off to the Hosted UI with a fresh verifier/state kept in this tab.
export async function startCognito(cfg, lang) {
  const verifier = random(48);
  const state = random(16);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  S.setItem(PKCE, JSON.stringify({ verifier, state }));
  const q = new URLSearchParams({
    response_type: "code",
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    scope: cfg.scope || "openid email profile",
    state,
    code_challenge: b64url(digest),
    code_challenge_method: "S256",
    lang,
  });
  location.assign(`${base(cfg)}/oauth2/authorize?${q}`);
}

// Step 2: back with ?code&state. Returns "" (nothing to do), "ok" or an error key.
export async function finishCognito(cfg) {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  const error = params.get("error");
  if (!code && !error) return "";
  const saved = JSON.parse(S.getItem(PKCE) || "null");
  S.removeItem(PKCE);
  history.replaceState(null, "", location.pathname + location.hash);
  if (error || !saved || params.get("state") !== saved.state) return "stateMismatch";
  const r = await fetch(`${base(cfg)}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: cfg.clientId,
      code,
      redirect_uri: cfg.redirectUri,
      code_verifier: saved.verifier,
    }),
  });
  if (!r.ok) return "stateMismatch";
  const tokens = await r.json();
  if (!tokens.access_token) return "stateMismatch";
  setToken(tokens.access_token);
  return "ok";
}

export function signOutUrl(cfg) {
  if (cfg.mode !== "cognito") return "";
  const q = new URLSearchParams({ client_id: cfg.clientId, logout_uri: cfg.redirectUri });
  return `${base(cfg)}/logout?${q}`;
}
