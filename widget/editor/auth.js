// Sign-in: Cognito Hosted UI (authorization code + PKCE), or a pasted local token (`kysy dev`).
// The token lives in sessionStorage only: it is gone when the tab closes.
const S = sessionStorage;
const TOKEN = "kysy-editor-token";
const PKCE = "kysy-editor-pkce";

export const getToken = () => S.getItem(TOKEN) || "";
export const setToken = (t) => S.setItem(TOKEN, t);
export const clearToken = () => S.removeItem(TOKEN);

const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
const base = (cfg) => (/^https:\/\//.test(cfg.domain) ? cfg.domain : "https://" + cfg.domain).replace(/\/+$/, "");

export async function loadConfig() {
  try {
    const r = await fetch(new URL("config.json", location.href), { cache: "no-store" });
    if (r.ok) {
      const cfg = await r.json();
      if (cfg && cfg.mode === "cognito" && cfg.domain && cfg.clientId) {
        return { ...cfg, redirectUri: cfg.redirectUri || location.origin + location.pathname };
      }
    }
  } catch {} // no config yet: local mode
  return { mode: "local" };
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
