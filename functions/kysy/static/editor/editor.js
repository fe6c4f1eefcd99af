// Kysy editor view: the moderation queue (flags, selection, bulk rejection with undo), answering with a
// live preview, conflicts, shortcuts; the other views (rejected, search gaps, posts, erasure) are in
// views.js. Plain ES modules, no framework, no build step. Rule: no innerHTML anywhere; every reader or
// editor string reaches the DOM through textContent/append (see render.js).
import { DEFAULT, LANGS, STRINGS } from "./strings.js";
import { h, answerBody, marked, readerDate } from "./render.js";
import * as auth from "./auth.js";
import { VIEWS } from "./views.js";

const D = document;
const $ = (id) => D.getElementById(id);
const LANG_KEY = "kysy-editor-lang";
const UNDO_KEY = "kysy-editor-undo";
// Flag codes the queue shows and filters by: spam heuristics (service/spam.py) and the importer's check.
const FLAGS = ["links", "spam_phrase", "caps", "repeated", "contact", "import_check"];
const IDS_PER_CALL = 100; // POST /bulk/reject takes at most 100 ids

const st = {
  cfg: { mode: "local" },
  lang: "en",
  me: null,
  signinKey: "",
  order: "oldest",
  postId: "",
  flag: "",
  items: [],
  next: null,
  counts: {},
  flagged: {},
  posts: {},
  sel: -1, // the highlighted queue item: the open one, or where j/k moved
  picked: new Set(), // queue items selected for a bulk rejection
  lastPick: -1, // index of the last checkbox clicked (shift-click selects the range)
  bulk: null, // a bulk rejection waiting for confirmation: {where, kind, value, n, more, what}
  undo: null, // the last bulk rejection: {batches, n, until, skipped, next}
  view: "queue",
  rec: null, // the opened record (admin shape)
  form: { question: "", answer: "" },
  records: [], // every record of the opened record's post
  similar: [],
  panel: "", // "reject" | "duplicate" | ""
  conflict: null, // { mine: {kind, question, answer, reason, duplicate_of}, current }
  reference: null, // "theirs" kept beside the editor while merging
  busy: false,
};

// ------------------------------------------------------------------ i18n
const t = (key, vars = {}) =>
  (STRINGS[st.lang][key] ?? STRINGS[DEFAULT][key] ?? key).replace(/\{(\w)\}/g, (_, k) => vars[k] ?? "");
// The language switch offers the next language of the registry (kysy/i18n), named in that language.
const nextLang = () => {
  const codes = Object.keys(LANGS);
  return codes[(codes.indexOf(st.lang) + 1) % codes.length];
};

function pickLang() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved in STRINGS) return saved;
  for (const l of [...(navigator.languages || [navigator.language]), D.documentElement.lang]) {
    const base = String(l || "").toLowerCase().slice(0, 2);
    if (base in STRINGS) return base;
  }
  return "en";
}

function applyLang() {
  D.documentElement.lang = st.lang;
  D.title = t("appTitle");
  for (const el of D.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of D.querySelectorAll("[data-t-label]")) el.setAttribute("aria-label", t(el.dataset.tLabel));
  const other = nextLang();
  $("lang").textContent = STRINGS[other].switchLang || LANGS[other];
  $("lang").lang = other;
  if (st.me) $("who").textContent = t("signedInAs", { s: st.me.email || st.me.name || st.me.id });
  if (st.signinKey) $("signin-msg").textContent = t(st.signinKey);
  renderFilters();
  renderQueue();
  renderUndo();
  renderDetail(false);
  if (st.me && st.view !== "queue") VIEWS[st.view].render(ctx);
}

const dateFmt = () => new Intl.DateTimeFormat(st.lang, { dateStyle: "medium", timeStyle: "short" });
const when = (iso) => (iso ? dateFmt().format(new Date(iso)) : "");

// ------------------------------------------------------------------ messages
let announceTimer = 0;
function announce(text) {
  const el = $("status");
  clearTimeout(announceTimer);
  el.textContent = "";
  announceTimer = setTimeout(() => (el.textContent = text), 30); // re-announce the same text too
  $("alert").textContent = "";
}
function fail(text) {
  clearTimeout(announceTimer);
  $("status").textContent = "";
  $("alert").textContent = text;
}

// ------------------------------------------------------------------ API
class ApiError extends Error {
  constructor(status, code, message, current) {
    super(message);
    Object.assign(this, { status, code, current });
  }
}

async function api(method, path, body) {
  let r;
  try {
    r = await fetch(new URL("../v1/admin" + path, location.href), {
      method,
      headers: {
        Authorization: "Bearer " + auth.getToken(),
        ...(body ? { "Content-Type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network", t("network"));
  }
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (r.ok) return data;
  const e = (data && data.error) || {};
  const err = new ApiError(r.status, e.code || "error", e.message || `HTTP ${r.status}`, e.current);
  if (r.status === 401) {
    toSignIn(e.code === "not_signed_in" ? "notSignedIn" : "expired", e.message);
    err.handled = true;
  } else if (r.status === 403 && e.code === "not_an_editor") {
    toSignIn("notEditor", e.message);
    err.handled = true;
  }
  throw err;
}

const report = (err) => {
  if (!err.handled) fail(err.message || t("network"));
};

// ------------------------------------------------------------------ sign-in
function toSignIn(key, serverMessage) {
  auth.clearToken();
  st.me = null;
  st.signinKey = key || "";
  $("app").hidden = true;
  $("signout").hidden = true;
  $("who").textContent = "";
  $("signin").hidden = false;
  const cognito = st.cfg.mode === "cognito";
  $("signin-cognito").hidden = !cognito;
  $("signin-local").hidden = cognito;
  const msg = $("signin-msg");
  msg.hidden = !key;
  msg.textContent = key ? t(key) : "";
  msg.title = serverMessage || "";
  msg.className = "msg" + (key === "signedOut" ? "" : " bad");
  if (key && key !== "signedOut") fail(t(key));
  else if (key) announce(t(key));
  const token = $("token");
  token.setAttribute("aria-describedby", key ? "signin-msg token-hint" : "token-hint");
  (cognito ? $("cognito-btn") : token).focus();
}

async function enter() {
  announce(t("signingIn"));
  try {
    st.me = await api("GET", "/me");
  } catch (err) {
    report(err);
    if (!err.handled) toSignIn("");
    return;
  }
  st.signinKey = "";
  $("signin").hidden = true;
  $("app").hidden = false;
  $("signout").hidden = false;
  $("who").textContent = t("signedInAs", { s: st.me.email || st.me.name || st.me.id });
  renderDetail(false);
  loadUndo();
  await Promise.all([loadPosts(), loadQueue(true)]);
  const first = $("queue-list").querySelector(".qi");
  (first || $("queue-h")).focus();
}

// ------------------------------------------------------------------ queue
async function loadPosts() {
  try {
    const r = await api("GET", "/posts?limit=100");
    for (const p of r.items) st.posts[p.id] = p;
    renderFilters();
  } catch (err) {
    report(err);
  }
}

// A post's settings (its language dates the preview), fetched once when a record of it opens.
async function ensurePost(postId) {
  if (st.posts[postId]) return;
  try {
    st.posts[postId] = await api("GET", `/posts/${encodeURIComponent(postId)}`);
  } catch {
    st.posts[postId] = { id: postId, title: "", lang: "", version: 0 }; // readers created it: no settings yet
  }
}

let queueSeq = 0;
async function loadQueue(reset) {
  const seq = ++queueSeq; // only the latest request may draw (filters can change mid-flight)
  const q = new URLSearchParams({ order: st.order });
  if (st.postId) q.set("post_id", st.postId);
  if (st.flag) q.set("flag", st.flag);
  if (!reset && st.next) q.set("cursor", st.next);
  $("queue").setAttribute("aria-busy", "true");
  try {
    const r = await api("GET", "/queue?" + q);
    if (seq !== queueSeq) return;
    st.items = reset ? r.items : [...st.items, ...r.items.filter((i) => !st.items.some((x) => x.id === i.id))];
    st.next = r.next_cursor;
    st.counts = r.counts || {};
    st.flagged = r.flagged || {};
    if (reset) {
      st.sel = st.items.length ? Math.max(0, st.items.findIndex((i) => i.id === st.rec?.id)) : -1;
      st.picked = new Set([...st.picked].filter((id) => st.items.some((i) => i.id === id)));
      st.lastPick = -1;
    }
    renderFilters();
    renderQueue();
    if (reset && st.view === "queue") announce(st.items.length ? t("queueLoaded", { n: total() }) : t("queueEmpty"));
  } catch (err) {
    report(err);
  } finally {
    if (seq === queueSeq) $("queue").removeAttribute("aria-busy");
  }
}

const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
const total = () => sum(st.counts);
const postTitle = (id) => st.posts[id]?.title || id;
const flagLabel = (f) => STRINGS[st.lang]["flag_" + f] ?? STRINGS[DEFAULT]["flag_" + f] ?? f;
// Tags shown on a queue item and a record: draft, flags, "will be emailed" (never the address), source.
const tags = (r) => [
  r.answer && r.status === "pending" ? h("span", { class: "tag" }, t("draft")) : null,
  ...(r.flags || []).map((f) => h("span", { class: "tag flag" }, flagLabel(f))),
  r.has_email ? h("span", { class: "tag mail" }, t("hasEmail")) : null,
  r.source && r.source !== "reader" && STRINGS[DEFAULT]["source_" + r.source]
    ? h("span", { class: "tag src" }, t("source_" + r.source))
    : null,
];

function renderFilters() {
  const sel = $("post-filter");
  const ids = [...new Set([...Object.keys(st.posts), ...Object.keys(st.counts)])].sort();
  sel.replaceChildren(
    h("option", { value: "" }, t("allPosts", { n: total() })),
    ...ids.map((id) => h("option", { value: id }, `${postTitle(id)} (${st.counts[id] || 0})`)),
  );
  sel.value = st.postId;
  $("order").value = st.order;
  const flagged = st.postId ? st.flagged[st.postId] || 0 : sum(st.flagged);
  $("flag-filter").replaceChildren(
    h("option", { value: "" }, t("allFlags")),
    h("option", { value: "*" }, t("anyFlag", { n: flagged })),
    ...FLAGS.map((f) => h("option", { value: f }, flagLabel(f))),
  );
  $("flag-filter").value = st.flag;
  const waiting = st.me ? `(${st.postId ? st.counts[st.postId] || 0 : total()})` : "";
  $("queue-count").textContent = waiting;
  $("nav-queue-count").textContent = waiting;
  const inPost = st.postId ? st.counts[st.postId] || 0 : 0;
  $("reject-post").hidden = !inPost;
}

function renderQueue() {
  const list = $("queue-list");
  list.replaceChildren(
    ...st.items.map((it, i) =>
      h(
        "li",
        { class: st.picked.has(it.id) ? "picked" : null },
        h("input", {
          type: "checkbox",
          class: "qpick",
          id: "pick-" + it.id,
          checked: st.picked.has(it.id),
          "aria-label": t("selectOne", { s: it.question }),
          onclick: (e) => pick(i, e.target.checked, e.shiftKey),
        }),
        h(
          "button",
          {
            type: "button",
            class: "qi",
            id: "qi-" + it.id,
            "aria-current": i === st.sel ? "true" : null,
            onclick: () => {
              st.sel = i;
              highlight();
              openRecord(it.post_id, it.id);
            },
          },
          h("span", { class: "qq" }, it.question),
          h(
            "span",
            { class: "qm" },
            [postTitle(it.post_id), it.asker_name || t("anonymous"), when(it.created_at)].join(" · "),
            ...tags(it),
          ),
        ),
      ),
    ),
  );
  $("queue-empty").hidden = !st.me || st.items.length > 0;
  $("more").hidden = !st.next;
  renderPicked();
  $("bulk-slot").replaceChildren(...(st.bulk?.where === "queue" ? [bulkPanel()] : []));
}

// The highlight follows the open item, and j/k move it (aria-current marks it for screen readers too).
function highlight() {
  for (const [i, b] of [...$("queue-list").querySelectorAll(".qi")].entries()) {
    if (i === st.sel) b.setAttribute("aria-current", "true");
    else b.removeAttribute("aria-current");
  }
}

// ------------------------------------------------------------------ selection and bulk rejection
function pick(i, on, range) {
  const from = range && st.lastPick >= 0 ? Math.min(st.lastPick, i) : i;
  const to = range && st.lastPick >= 0 ? Math.max(st.lastPick, i) : i;
  for (const it of st.items.slice(from, to + 1)) on ? st.picked.add(it.id) : st.picked.delete(it.id);
  st.lastPick = i;
  renderPicked();
}

function renderPicked() {
  const boxes = $("queue-list").querySelectorAll(".qpick");
  st.items.forEach((it, i) => {
    const on = st.picked.has(it.id);
    if (boxes[i]) boxes[i].checked = on;
    boxes[i]?.closest("li").classList.toggle("picked", on);
  });
  const n = st.items.filter((it) => st.picked.has(it.id)).length;
  const all = $("select-all");
  all.checked = n > 0 && n === st.items.length;
  all.indeterminate = n > 0 && n < st.items.length;
  all.disabled = !st.items.length;
  $("sel-count").textContent = n ? t("selected", { n }) : "";
  $("bulk-reject").disabled = !n;
}

function pickedRefs() {
  return st.items.filter((it) => st.picked.has(it.id)).map((it) => ({ post_id: it.post_id, id: it.id }));
}

// Ask before rejecting: how many, which, and that it can be undone. `where` says which column shows it.
async function askBulk(where, kind, value) {
  let n;
  let more = false;
  let what;
  if (kind === "ids") {
    n = value.length;
    what = t("confirmBulkSelected");
  } else if (kind === "post") {
    n = st.counts[value] || 0;
    more = n > 500;
    what = t("confirmBulkPost", { s: postTitle(value) });
  } else {
    announce(t("counting"));
    try {
      const r = await api("GET", "/queue?" + new URLSearchParams({ client: value.client, limit: "100" }));
      n = r.items.length;
      more = Boolean(r.next_cursor);
    } catch (err) {
      return report(err);
    }
    what = t("confirmBulkSender", { s: value.question });
    value = value.client;
  }
  if (!n) return announce(t("nothingToReject"));
  st.bulk = { where, kind, value, n, more, what };
  where === "queue" ? renderQueue() : renderDetail(true);
  $("bulk-confirm-h").focus();
}

function bulkPanel() {
  const c = st.bulk;
  return h(
    "form",
    {
      id: "bulk-confirm",
      class: "panel confirm",
      "aria-labelledby": "bulk-confirm-h",
      onsubmit: (e) => (e.preventDefault(), runBulk()),
    },
    h("h3", { id: "bulk-confirm-h", tabindex: "-1" }, t(c.more ? "confirmBulkMany" : "confirmBulkTitle", { n: c.n })),
    h("p", null, c.what),
    h("p", { class: "hint" }, t("confirmBulkBody")),
    h("label", { for: "bulk-reason" }, t("rejectReason")),
    h("input", { id: "bulk-reason", type: "text", maxlength: "500", autocomplete: "off" }),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "danger", id: "bulk-go", disabled: st.busy }, t("confirmBulkBtn", { n: c.n })),
      h("button", { type: "button", onclick: cancelBulk }, t("cancel")),
    ),
  );
}

function cancelBulk() {
  const where = st.bulk?.where;
  st.bulk = null;
  if (where === "detail") {
    renderDetail(true);
    $("detail-h").focus();
  } else {
    renderQueue();
    $("bulk-reject").disabled ? $("queue-h").focus() : $("bulk-reject").focus();
  }
}

async function runBulk() {
  const c = st.bulk;
  if (!c || st.busy) return;
  const reason = $("bulk-reason")?.value || "";
  const bodies =
    c.kind === "ids"
      ? Array.from({ length: Math.ceil(c.value.length / IDS_PER_CALL) }, (_, i) => ({
          ids: c.value.slice(i * IDS_PER_CALL, (i + 1) * IDS_PER_CALL),
          reason,
        }))
      : [{ [c.kind === "post" ? "post_id" : "client"]: c.value, reason }];
  st.busy = true;
  announce(t("working"));
  const done = { batches: [], n: 0, skipped: 0, until: "", next: null };
  try {
    for (const body of bodies) {
      const r = await api("POST", "/bulk/reject", body);
      if (r.batch_id) done.batches.push(r.batch_id);
      done.n += r.rejected.length;
      done.skipped += r.skipped.length;
      if (r.undo_until && (!done.until || r.undo_until < done.until)) done.until = r.undo_until;
      if (r.more) done.next = { kind: c.kind, value: c.value };
      if (st.rec && r.rejected.includes(st.rec.id)) st.rec = null;
    }
  } catch (err) {
    report(err);
  } finally {
    st.busy = false;
  }
  st.bulk = null;
  st.picked = new Set();
  if (done.batches.length) {
    st.undo = done;
    saveUndo();
  }
  renderDetail(true);
  $("cols").classList.remove("show-detail");
  await loadQueue(true);
  renderUndo();
  announce([t("bulkDone", { n: done.n }), done.skipped ? t("bulkSkipped", { n: done.skipped }) : ""].join(" ").trim());
  ($("undo-btn") || $("queue-h")).focus();
}

// ------------------------------------------------------------------ undo banner
function saveUndo() {
  if (st.undo) localStorage.setItem(UNDO_KEY, JSON.stringify(st.undo));
  else localStorage.removeItem(UNDO_KEY);
}

function loadUndo() {
  try {
    st.undo = JSON.parse(localStorage.getItem(UNDO_KEY) || "null");
  } catch {
    st.undo = null;
  }
  renderUndo();
}

let undoTimer = 0;
function renderUndo() {
  const box = $("undo");
  clearTimeout(undoTimer);
  const u = st.undo;
  const left = u ? Date.parse(u.until) - Date.now() : 0;
  if (!u || !st.me || !(left > 0)) {
    if (u && st.me) (st.undo = null), saveUndo();
    box.hidden = true;
    return box.replaceChildren();
  }
  undoTimer = setTimeout(renderUndo, Math.min(left, 2 ** 31 - 1)); // the button goes when the window does
  box.hidden = false;
  box.replaceChildren(
    h("p", { id: "undo-msg" }, t("bulkDone", { n: u.n }), " ", t("undoUntil", { s: when(u.until) })),
    ...(u.next ? [h("p", null, t("bulkMore"))] : []),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", id: "undo-btn", class: "primary", onclick: undoBulk }, t("undo")),
      u.next
        ? h("button", { type: "button", class: "danger", onclick: () => askBulk("queue", u.next.kind, u.next.kind === "client" ? { client: u.next.value, question: "" } : u.next.value) }, t("bulkNext"))
        : null,
      h("button", { type: "button", onclick: () => ((st.undo = null), saveUndo(), renderUndo(), $("queue-h").focus()) }, t("close")),
    ),
  );
}

async function undoBulk() {
  const u = st.undo;
  if (!u || st.busy) return;
  st.busy = true;
  announce(t("working"));
  let restored = 0;
  let skipped = 0;
  try {
    for (const id of u.batches) {
      const r = await api("POST", `/bulk/${encodeURIComponent(id)}/undo`);
      restored += r.restored.length;
      skipped += r.skipped.length;
    }
  } catch (err) {
    report(err);
  } finally {
    st.busy = false;
  }
  st.undo = null;
  saveUndo();
  renderUndo();
  await loadQueue(true);
  announce([t("undone", { n: restored }), skipped ? t("undoSkipped", { n: skipped }) : ""].join(" ").trim());
  ($("queue-list").querySelector(".qi") || $("queue-h")).focus();
}

let loadingMore = false;
async function move(step) {
  if (!st.items.length || loadingMore) return;
  if (step > 0 && st.sel >= st.items.length - 1 && st.next) {
    loadingMore = true; // j past the end of the page loads the next one
    await loadQueue(false).finally(() => (loadingMore = false));
  }
  st.sel = Math.min(st.items.length - 1, Math.max(0, (st.sel < 0 ? (step > 0 ? -1 : 0) : st.sel) + step));
  highlight();
  $("cols").classList.remove("show-detail");
  $("queue-list").querySelectorAll(".qi")[st.sel]?.focus();
}

// ------------------------------------------------------------------ one record
async function openRecord(postId, qaId, { focus = true, field = "detail-h" } = {}) {
  announce(t("loading"));
  try {
    const [rec, all] = await Promise.all([
      api("GET", `/posts/${encodeURIComponent(postId)}/questions/${encodeURIComponent(qaId)}`),
      api("GET", `/posts/${encodeURIComponent(postId)}/questions`),
      ensurePost(postId),
    ]);
    st.sel = st.items.findIndex((i) => i.id === rec.id);
    highlight();
    show(rec, all.items);
    clearTimeout(announceTimer);
    $("status").textContent = "";
    if (focus) ($(field) || $("detail-h")).focus();
  } catch (err) {
    report(err);
  }
}

function show(rec, records) {
  const { similar = [], ...record } = rec;
  st.rec = record;
  st.similar = similar.length || !records ? similar : st.similar;
  if (records) st.records = records;
  st.form = { question: record.question, answer: record.answer };
  st.panel = "";
  st.conflict = null;
  st.reference = null;
  if (st.bulk?.where === "detail") st.bulk = null;
  $("cols").classList.add("show-detail");
  renderDetail(true);
}

const statusLabel = (s) => t("status_" + s);
const published = () => st.records.filter((r) => r.status === "published" && r.id !== st.rec?.id);

function renderDetail(fresh) {
  const box = $("detail");
  const active = D.activeElement && box.contains(D.activeElement) ? D.activeElement.id : "";
  if (!st.me) return box.replaceChildren();
  if (!st.rec) {
    box.replaceChildren(
      h("h2", { id: "detail-h", tabindex: "-1", class: "vh" }, t("fieldQuestion")),
      h("p", { class: "hint pick" }, t("pickOne")),
    );
    return;
  }
  const rec = st.rec;
  const isPub = rec.status === "published";
  const isRejected = rec.status === "rejected";
  const area = (id, label, value, extra = {}) => [
    h("label", { for: id }, label),
    h("textarea", { id, ...extra, oninput: onInput }, value),
  ];
  const btn = (label, onclick, attrs = {}) => h("button", { type: "button", onclick, ...attrs }, label);
  const busy = st.busy ? { disabled: true } : {};

  const actions = isRejected
    ? [btn(t("restore"), () => act("restore"), { class: "primary", ...busy })]
    : isPub
    ? [
        btn(t("saveChanges"), () => act("save"), { class: "primary", "aria-keyshortcuts": "p", ...busy }),
        btn(t("unpublish"), () => act("unpublish"), busy),
      ]
    : [
        btn(t("publish"), () => act("publish"), { class: "primary", "aria-keyshortcuts": "p", ...busy }),
        btn(t("saveDraft"), () => act("draft"), { "aria-keyshortcuts": "d", ...busy }),
        btn(t("reject"), () => openPanel("reject"), {
          "aria-keyshortcuts": "r",
          "aria-expanded": String(st.panel === "reject"),
          "aria-controls": "reject-panel",
        }),
        btn(t("duplicate"), () => openPanel("duplicate"), {
          "aria-expanded": String(st.panel === "duplicate"),
          "aria-controls": "dup-panel",
        }),
      ];

  const rejectPanel =
    st.panel === "reject" &&
    h(
      "form",
      { id: "reject-panel", class: "panel", onsubmit: (e) => (e.preventDefault(), act("reject")) },
      h("label", { for: "f-reason" }, t("rejectReason")),
      h("input", { id: "f-reason", type: "text", maxlength: "500", autocomplete: "off" }),
      h("button", { type: "submit", class: "danger", ...busy }, t("confirmReject")),
      btn(t("cancel"), () => openPanel("")),
    );

  const pubs = published();
  const dupPanel =
    st.panel === "duplicate" &&
    h(
      "form",
      { id: "dup-panel", class: "panel", onsubmit: (e) => (e.preventDefault(), act("duplicate")) },
      pubs.length
        ? h(
            "fieldset",
            null,
            h("legend", null, t("duplicateOf")),
            ...pubs.map((p, i) =>
              h(
                "div",
                { class: "radio" },
                h("input", { type: "radio", name: "dup", id: "dup-" + p.id, value: p.id, checked: i === 0 }),
                h("label", { for: "dup-" + p.id }, p.question),
              ),
            ),
          )
        : h("p", { class: "hint" }, t("noPublished")),
      pubs.length ? h("button", { type: "submit", class: "danger", ...busy }, t("confirmDuplicate")) : null,
      btn(t("cancel"), () => openPanel("")),
    );

  const meta = [
    h("span", { class: "tag s-" + rec.status }, statusLabel(rec.status)),
    postTitle(rec.post_id),
    t("asked", { s: when(rec.created_at) }),
    t("by", { s: rec.asker_name || t("anonymous") }),
    t("version", { n: rec.version }),
  ];
  const marks = tags(rec).filter(Boolean);
  // Why the importer was unsure (its note on the import in the audit trail).
  const importNote =
    (rec.flags || []).includes("import_check") &&
    [...(rec.audit || [])].reverse().find((a) => a.action === "import" && a.note)?.note;
  const dup = rec.duplicate_of && st.records.find((r) => r.id === rec.duplicate_of);
  const why = isRejected
    ? rec.duplicate_of
      ? t("duplicateInfo", { s: dup ? dup.question : rec.duplicate_of })
      : t("rejectedInfo", { s: rec.reject_reason || "—" })
    : rec.reject_reason;

  // Clearing a flood from here: every waiting question of this sender, or of this post.
  const flood =
    rec.status === "pending" &&
    h(
      "details",
      { class: "panel flood", open: st.bulk?.where === "detail" },
      h("summary", null, t("floodTitle")),
      rec.client ? h("p", { class: "hint" }, t("floodHint")) : null,
      h(
        "div",
        { class: "actions" },
        rec.client
          ? btn(t("rejectSender"), () => askBulk("detail", "client", { client: rec.client, question: rec.question }), {
              class: "danger",
              id: "reject-sender",
            })
          : null,
        btn(t("rejectPost"), () => askBulk("detail", "post", rec.post_id), { class: "danger", id: "reject-this-post" }),
      ),
      st.bulk?.where === "detail" ? bulkPanel() : null,
    );

  box.replaceChildren(
    ...[
    h("button", { type: "button", class: "back", onclick: backToQueue }, "← " + t("back")),
    h("h2", { id: "detail-h", tabindex: "-1" }, rec.question),
    h("p", { class: "meta" }, ...meta.flatMap((m, i) => (i ? [" · ", m] : [m]))),
    marks.length ? h("p", { class: "meta" }, ...marks) : null,
    importNote ? h("p", { class: "meta", id: "import-why" }, t("importReason", { s: importNote })) : null,
    why ? h("p", { class: "meta", id: "reject-why" }, why) : null,
    st.conflict ? conflictPanel() : null,
    isRejected ? h("div", { class: "actions" }, ...actions) : null,
    isRejected ? null : h(
      "div",
      { class: "work" },
      h(
        "form",
        { class: "editform", id: "edit-form", onsubmit: (e) => e.preventDefault() },
        area("f-question", t("questionLabel"), st.form.question, { rows: "3", maxlength: "2000" }),
        area("f-answer", t("answerLabel"), st.form.answer, {
          rows: "10",
          maxlength: "10000",
          "aria-describedby": "answer-hint",
        }),
        h("p", { id: "answer-hint", class: "hint" }, t("answerHint")),
        h("div", { class: "actions" }, ...actions),
        rejectPanel || null,
        dupPanel || null,
      ),
      h(
        "section",
        { class: "preview-box", "aria-labelledby": "preview-h" },
        h("h3", { id: "preview-h" }, t("preview")),
        h("div", { id: "preview", class: "kysy-preview" }),
        st.reference ? referenceBox() : null,
      ),
    ),
    flood || null,
    isRejected ? null : h("div", { class: "side" }, similarBox(), answersBox()),
    ].filter(Boolean),
  );
  renderPreview();
  if (!fresh && active && $(active)) $(active).focus();
}

function onInput(e) {
  if (e.target.id === "f-question") st.form.question = e.target.value;
  if (e.target.id === "f-answer") st.form.answer = e.target.value;
  renderPreview();
}

// The reader's view, built exactly like the widget's card (widget/src/kysy.js).
function renderPreview() {
  const box = $("preview");
  if (!box) return;
  // Dates as readers of this post see them: the post's language, the widget's date format.
  const lang = st.posts[st.rec.post_id]?.lang || "fi";
  const meta = [st.rec.asker_name, readerDate(st.rec.answered_at || new Date().toISOString(), lang)]
    .filter(Boolean)
    .join(" · ");
  box.replaceChildren(
    h(
      "details",
      { open: true },
      h("summary", null, st.form.question),
      h(
        "div",
        null,
        ...(st.form.answer.trim() ? answerBody(st.form.answer) : [h("p", { class: "m" }, t("previewEmpty"))]),
        h("p", { class: "m" }, meta),
      ),
    ),
  );
}

function similarBox() {
  // Similar hits carry no status: the post's records and the queue tell; else answered = published.
  const known = Object.fromEntries([...st.items, ...st.records].map((r) => [r.id, r]));
  const items = st.similar.filter((s) => s.id !== st.rec.id);
  return h(
    "section",
    { class: "card", "aria-labelledby": "similar-h" },
    h("h3", { id: "similar-h" }, t("similarTitle")),
    items.length
      ? h(
          "ul",
          { class: "plain" },
          ...items.map((s) => {
            const rec = known[s.id];
            const status = rec ? rec.status : s.answer ? "published" : "pending";
            const hl = (f) => (s.highlights || []).filter((x) => x.field === f);
            const canDup = rec && rec.status === "published" && st.rec.status !== "published";
            return h(
              "li",
              null,
              h("p", { class: "sq" }, ...marked(s.question, hl("question"))),
              s.snippet ? h("p", { class: "snip" }, ...marked(s.snippet, hl("snippet"))) : null,
              h(
                "p",
                { class: "meta" },
                h("span", { class: "tag s-" + status }, statusLabel(status)),
                s.post_id !== st.rec.post_id ? " · " + t("otherPost", { s: postTitle(s.post_id) }) : "",
              ),
              canDup ? h("button", { type: "button", onclick: () => act("duplicate", s.id) }, t("dupOfThis")) : null,
            );
          }),
        )
      : h("p", { class: "hint" }, t("similarNone")),
  );
}

function answersBox() {
  const pubs = published();
  return h(
    "section",
    { class: "card", "aria-labelledby": "answers-h" },
    h("h3", { id: "answers-h" }, t("answersTitle", { n: pubs.length })),
    pubs.length
      ? h(
          "ul",
          { class: "plain" },
          ...pubs.map((p) =>
            h(
              "li",
              null,
              h(
                "details",
                null,
                h("summary", null, p.question),
                h("div", { class: "kysy-preview inner" }, ...answerBody(p.answer)),
              ),
              h(
                "div",
                { class: "row" },
                h(
                  "button",
                  { type: "button", onclick: () => openRecord(p.post_id, p.id), "aria-label": `${t("edit")}: ${p.question}` },
                  t("edit"),
                ),
                st.rec.status !== "published"
                  ? h(
                      "button",
                      { type: "button", onclick: () => act("duplicate", p.id), "aria-label": `${t("dupOfThis")}: ${p.question}` },
                      t("dupOfThis"),
                    )
                  : null,
              ),
            ),
          ),
        )
      : h("p", { class: "hint" }, t("answersNone")),
  );
}

function openPanel(name) {
  st.panel = st.panel === name ? "" : name;
  renderDetail(true);
  if (st.panel === "reject") $("f-reason").focus();
  else if (st.panel === "duplicate") ($("dup-panel").querySelector("input") || $("dup-panel").querySelector("button")).focus();
  else $("f-answer").focus();
}

function backToQueue() {
  $("cols").classList.remove("show-detail");
  const pane = $(st.view);
  const b = st.view === "queue" ? $("queue-list").querySelectorAll(".qi")[st.sel] : null;
  (b || pane.querySelector("h1")).focus();
}

// ------------------------------------------------------------------ changes
const path = (r, action = "") =>
  `/posts/${encodeURIComponent(r.post_id)}/questions/${encodeURIComponent(r.id)}${action && "/" + action}`;

function request(kind, mine, version) {
  const r = st.rec;
  const q = mine.question !== r.question ? { question: mine.question } : {};
  switch (kind) {
    case "publish":
      return ["POST", path(r, "answer"), { version, answer: mine.answer, publish: true, ...q }];
    case "draft":
      return ["POST", path(r, "answer"), { version, answer: mine.answer, publish: false, ...q }];
    case "save":
      return ["PATCH", path(r), { version, answer: mine.answer, ...q }];
    case "reject":
      return ["POST", path(r, "reject"), { version, reason: mine.reason || "" }];
    case "duplicate":
      return ["POST", path(r, "duplicate"), { version, duplicate_of: mine.duplicate_of }];
    case "unpublish":
      return ["POST", path(r, "unpublish"), { version }];
    case "restore":
      return ["POST", path(r, "restore"), { version }];
  }
}

const DONE = {
  publish: "published",
  draft: "drafted",
  save: "saved",
  reject: "rejected",
  duplicate: "duplicated",
  unpublish: "unpublished",
  restore: "restored",
};

async function act(kind, dupOf, mine) {
  if (!st.rec || st.busy) return;
  if (!mine) {
    mine = { kind, question: st.form.question, answer: st.form.answer };
    if (kind === "reject") mine.reason = $("f-reason")?.value || "";
    if (kind === "duplicate")
      mine.duplicate_of = dupOf || $("dup-panel")?.querySelector("input[name=dup]:checked")?.value || "";
    if (kind === "duplicate" && !mine.duplicate_of) return openPanel("duplicate");
  }
  st.busy = true;
  announce(t("working"));
  const [method, url, body] = request(kind, mine, st.rec.version);
  try {
    const updated = await api(method, url, body);
    st.busy = false;
    await afterChange(kind, updated);
  } catch (err) {
    st.busy = false;
    if (err.code === "version_conflict") {
      st.conflict = { mine, current: err.current || null };
      st.reference = null;
      renderDetail(true);
      $("conflict-h").focus();
      fail(err.message);
      return;
    }
    renderDetail(false);
    report(err);
  }
}

async function afterChange(kind, updated) {
  // "Published": readers see it on their next view; say how long a CDN in front may take (README "Caching").
  const cdn = st.cfg.sharedCacheSeconds;
  const msg = kind === "publish" && cdn ? t("publishedCdn", { n: cdn }) : t(DONE[kind]);
  if (kind === "restore") {
    st.counts[updated.post_id] = (st.counts[updated.post_id] || 0) + 1;
    VIEWS.rejected.forget(ctx, updated.id);
  }
  const leaves = updated.status !== "pending" && kind !== "restore";
  const idx = st.items.findIndex((i) => i.id === updated.id);
  if (idx >= 0 && leaves) {
    st.items.splice(idx, 1);
    st.counts[updated.post_id] = Math.max(0, (st.counts[updated.post_id] || 1) - 1);
    st.sel = Math.min(idx, st.items.length - 1);
  } else if (idx >= 0) st.items[idx] = updated;
  if (kind === "unpublish" || kind === "restore") await loadQueue(true);
  // Keep the record in its place in the post's reading order (a new one goes last until a reload).
  const at = st.records.findIndex((r) => r.id === updated.id);
  st.records = at >= 0 ? st.records.map((r) => (r.id === updated.id ? updated : r)) : [...st.records, updated];
  if (leaves && kind !== "save") {
    // Done with this one: back to the queue, on the next question.
    st.rec = null;
    st.conflict = st.reference = null;
    renderFilters();
    renderQueue();
    renderDetail(true);
    backToQueue();
  } else {
    show(updated, null);
    renderFilters();
    renderQueue();
    $("detail-h").focus();
  }
  announce(msg);
}

// ------------------------------------------------------------------ conflicts
function version(title, rec, extra) {
  const field = (label, text) => [
    h("dt", null, label),
    h("dd", { class: text ? "" : "hint" }, ...(text ? answerBody(text) : [t("emptyText")])),
  ];
  return h(
    "section",
    { class: "ver", "aria-label": title },
    h("h4", null, title),
    extra || null,
    h("dl", null, ...field(t("fieldQuestion"), rec.question), ...field(t("fieldAnswer"), rec.answer)),
  );
}

function conflictPanel() {
  const { mine, current } = st.conflict;
  return h(
    "section",
    { class: "conflict", "aria-labelledby": "conflict-h", id: "conflict" },
    h("h3", { id: "conflict-h", tabindex: "-1" }, t("conflictTitle")),
    h("p", null, current ? t("conflictIntro") : t("conflictGone")),
    h(
      "div",
      { class: "versions" },
      version(t("yours"), mine),
      current
        ? version(
            t("theirs", { s: t("version", { n: current.version }) }),
            current,
            h(
              "p",
              { class: "meta" },
              h("span", { class: "tag s-" + current.status }, statusLabel(current.status)),
              current.updated_by ? " · " + t("changedBy", { s: current.updated_by }) : "",
              current.updated_at ? " · " + when(current.updated_at) : "",
            ),
          )
        : null,
    ),
    current
      ? h(
          "div",
          { class: "actions" },
          h("button", { type: "button", class: "primary", id: "keep-mine", onclick: keepMine }, t("keepMine")),
          h("button", { type: "button", id: "take-theirs", onclick: takeTheirs }, t("takeTheirs")),
          h("button", { type: "button", id: "merge", onclick: merge }, t("merge")),
        )
      : null,
  );
}

function referenceBox() {
  const cur = st.reference;
  return h(
    "div",
    { class: "reference" },
    h("p", { class: "hint" }, t("mergeHint")),
    version(t("theirs", { s: t("version", { n: cur.version }) }), cur),
  );
}

function adopt(current) {
  st.rec = current;
  const i = st.items.findIndex((x) => x.id === current.id);
  if (i >= 0) st.items[i] = current;
}

function keepMine() {
  const { mine, current } = st.conflict;
  adopt(current);
  st.conflict = null;
  act(mine.kind, mine.duplicate_of, mine);
}

function takeTheirs() {
  const { current } = st.conflict;
  adopt(current);
  st.form = { question: current.question, answer: current.answer };
  st.conflict = null;
  renderDetail(true);
  $("f-answer").focus();
  announce(t("tookTheirs"));
}

function merge() {
  const { mine, current } = st.conflict;
  adopt(current);
  st.form = { question: mine.question, answer: mine.answer };
  st.conflict = null;
  st.reference = current;
  renderDetail(true);
  $("f-answer").focus();
  announce(t("mergeHint"));
}

// ------------------------------------------------------------------ keyboard
function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || $("app").hidden || $("help").open) return;
  const el = e.target;
  const typing = el.closest && el.closest("input, textarea, select, [contenteditable]");
  if (e.key === "Escape") {
    if (st.bulk) cancelBulk();
    else if (st.panel) {
      st.panel = "";
      renderDetail(true);
      $("f-answer").focus();
    } else if (typing && $("detail").contains(el)) $("detail-h").focus();
    return;
  }
  if (typing) return;
  const primary = st.rec && st.rec.status === "published" ? "save" : "publish";
  const pending = st.rec && st.rec.status !== "published";
  const queue = st.view === "queue";
  const keys = {
    j: () => queue && move(1),
    k: () => queue && move(-1),
    x: () => {
      const it = queue && st.items[st.sel];
      if (!it) return;
      pick(st.sel, !st.picked.has(it.id), false);
    },
    "?": () => openHelp(),
    p: () => st.rec && act(primary),
    d: () => pending && act("draft"),
    r: () => pending && openPanel("reject"),
    Enter: () => {
      if (el.closest("button, a, summary, details, [role=button]")) return false;
      const it = st.items[st.sel];
      if (it) openRecord(it.post_id, it.id);
    },
  };
  const fn = keys[e.key];
  if (fn && fn() !== false) e.preventDefault();
}

function openHelp() {
  $("help").showModal();
}

// ------------------------------------------------------------------ views
// The left column shows one view; each keeps its own list (views.js). Opened records use the right column.
function setView(name) {
  if (!(name === "queue" || name in VIEWS)) return;
  st.view = name;
  for (const b of $("views").querySelectorAll("button")) {
    if (b.dataset.view === name) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  }
  for (const pane of $("cols").querySelectorAll(".pane")) pane.hidden = pane.id !== name;
  $("cols").classList.remove("show-detail");
  if (name !== "queue") VIEWS[name].show(ctx);
  else loadQueue(true);
  $(name).querySelector("h1").focus();
}

// What views.js may use: state, texts, the API, messages and the record editor.
const ctx = {
  st,
  t,
  h,
  $,
  api,
  announce,
  fail,
  report,
  when,
  postTitle,
  tags,
  langs: LANGS,
  openRecord,
  showQueueOf: (postId) => {
    st.postId = postId;
    st.flag = "";
    setView("queue");
  },
  noteCreated: (rec) => {
    st.counts[rec.post_id] = (st.counts[rec.post_id] || 0) + 1;
    renderFilters();
  },
  renderFilters,
};

// ------------------------------------------------------------------ start
async function start() {
  st.lang = pickLang();
  st.order = localStorage.getItem("kysy-editor-order") === "newest" ? "newest" : "oldest";
  applyLang();
  $("lang").addEventListener("click", () => {
    st.lang = nextLang();
    localStorage.setItem(LANG_KEY, st.lang);
    applyLang();
    announce(t("appTitle"));
  });
  $("help-btn").addEventListener("click", openHelp);
  $("help").addEventListener("close", () => $("help-btn").focus());
  $("signout").addEventListener("click", () => {
    const url = auth.signOutUrl(st.cfg);
    auth.clearToken(); // every other tab signs out too (the storage event)
    if (url) location.assign(url);
    else toSignIn("signedOut");
  });
  // Signed in or out in another tab of this origin: follow it.
  auth.onOtherTab((signedIn) => {
    if (signedIn && !st.me) enter();
    else if (!signedIn && st.me) toSignIn("signedOutElsewhere");
  });
  $("signin-local").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = $("token").value.trim().replace(/^Bearer\s+/i, "");
    if (!token) {
      $("token").setAttribute("aria-invalid", "true");
      toSignIn("tokenEmpty");
      return;
    }
    $("token").removeAttribute("aria-invalid");
    $("token").value = "";
    auth.setToken(token);
    if (!auth.getToken()) return toSignIn("expired"); // its own expiry has passed already
    enter();
  });
  $("cognito-btn").addEventListener("click", () => auth.startCognito(st.cfg, st.lang));
  $("order").addEventListener("change", (e) => {
    st.order = e.target.value;
    localStorage.setItem("kysy-editor-order", st.order);
    loadQueue(true);
  });
  $("post-filter").addEventListener("change", (e) => {
    st.postId = e.target.value;
    st.bulk = null;
    loadQueue(true);
  });
  $("flag-filter").addEventListener("change", (e) => {
    st.flag = e.target.value;
    st.bulk = null;
    loadQueue(true);
  });
  $("select-all").addEventListener("change", (e) => {
    for (const it of st.items) e.target.checked ? st.picked.add(it.id) : st.picked.delete(it.id);
    st.lastPick = -1;
    renderPicked();
  });
  $("bulk-reject").addEventListener("click", () => askBulk("queue", "ids", pickedRefs()));
  $("reject-post").addEventListener("click", () => st.postId && askBulk("queue", "post", st.postId));
  for (const b of $("views").querySelectorAll("button")) b.addEventListener("click", () => setView(b.dataset.view));
  $("refresh").addEventListener("click", () => Promise.all([loadPosts(), loadQueue(true)]));
  $("more").addEventListener("click", async () => {
    const before = st.items.length;
    await loadQueue(false);
    st.items[before] && $("qi-" + st.items[before].id).focus();
  });
  $("cols").addEventListener("click", (e) => {
    // Shift-click on a row's text selects the range too (the checkbox handles its own clicks).
    if (!e.shiftKey || e.target.closest(".qpick")) return;
    const li = e.target.closest("#queue-list > li");
    if (!li) return;
    e.preventDefault();
    e.stopPropagation();
    const i = [...$("queue-list").children].indexOf(li);
    pick(i, !st.picked.has(st.items[i].id), true);
  }, true);
  D.addEventListener("keydown", onKey);

  st.cfg = await auth.loadConfig();
  if (st.cfg.mode === "cognito") {
    const result = await auth.finishCognito(st.cfg).catch(() => "stateMismatch");
    if (result && result !== "ok") return toSignIn(result);
  }
  if (auth.getToken()) await enter();
  else toSignIn("");
}

start();
