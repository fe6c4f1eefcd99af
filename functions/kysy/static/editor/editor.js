// Kysy editor view: the moderation queue, answering with a live preview, conflicts, shortcuts.
// Plain ES module, no framework, no build step. Rule: no innerHTML anywhere; every reader or
// editor string reaches the DOM through textContent/append (see render.js).
import { DEFAULT, LANGS, STRINGS } from "./strings.js";
import { h, answerBody, marked, readerDate } from "./render.js";
import * as auth from "./auth.js";

const D = document;
const $ = (id) => D.getElementById(id);
const LANG_KEY = "kysy-editor-lang";

const st = {
  cfg: { mode: "local" },
  lang: "en",
  me: null,
  signinKey: "",
  order: "oldest",
  postId: "",
  items: [],
  next: null,
  counts: {},
  posts: {},
  sel: -1,
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
  const other = nextLang();
  $("lang").textContent = STRINGS[other].switchLang || LANGS[other];
  $("lang").lang = other;
  if (st.me) $("who").textContent = t("signedInAs", { s: st.me.email || st.me.name || st.me.id });
  if (st.signinKey) $("signin-msg").textContent = t(st.signinKey);
  renderFilters();
  renderQueue();
  renderDetail(false);
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
  await Promise.all([loadPosts(), loadQueue(true)]);
  const first = $("queue-list").querySelector("button");
  (first || $("queue-h")).focus();
}

// ------------------------------------------------------------------ queue
async function loadPosts() {
  try {
    const r = await api("GET", "/posts");
    st.posts = Object.fromEntries(r.items.map((p) => [p.id, p]));
    renderFilters();
  } catch (err) {
    report(err);
  }
}

let queueSeq = 0;
async function loadQueue(reset) {
  const seq = ++queueSeq; // only the latest request may draw (filters can change mid-flight)
  const q = new URLSearchParams({ order: st.order });
  if (st.postId) q.set("post_id", st.postId);
  if (!reset && st.next) q.set("cursor", st.next);
  $("queue").setAttribute("aria-busy", "true");
  try {
    const r = await api("GET", "/queue?" + q);
    if (seq !== queueSeq) return;
    st.items = reset ? r.items : [...st.items, ...r.items.filter((i) => !st.items.some((x) => x.id === i.id))];
    st.next = r.next_cursor;
    st.counts = r.counts || {};
    if (reset) st.sel = st.items.length ? Math.max(0, st.items.findIndex((i) => i.id === st.rec?.id)) : -1;
    renderFilters();
    renderQueue();
    if (reset) announce(st.items.length ? t("queueLoaded", { n: total() }) : t("queueEmpty"));
  } catch (err) {
    report(err);
  } finally {
    if (seq === queueSeq) $("queue").removeAttribute("aria-busy");
  }
}

const total = () => Object.values(st.counts).reduce((a, b) => a + b, 0);
const postTitle = (id) => st.posts[id]?.title || id;

function renderFilters() {
  const sel = $("post-filter");
  const ids = [...new Set([...Object.keys(st.posts), ...Object.keys(st.counts)])].sort();
  sel.replaceChildren(
    h("option", { value: "" }, t("allPosts", { n: total() })),
    ...ids.map((id) => h("option", { value: id }, `${postTitle(id)} (${st.counts[id] || 0})`)),
  );
  sel.value = st.postId;
  $("order").value = st.order;
  $("queue-count").textContent = st.me ? `(${st.postId ? st.counts[st.postId] || 0 : total()})` : "";
}

function renderQueue() {
  const list = $("queue-list");
  list.replaceChildren(
    ...st.items.map((it, i) =>
      h(
        "li",
        null,
        h(
          "button",
          {
            type: "button",
            class: "qi",
            id: "qi-" + it.id,
            "aria-current": i === st.sel ? "true" : null,
            onclick: () => {
              st.sel = i;
              openRecord(it.post_id, it.id);
            },
          },
          h("span", { class: "qq" }, it.question),
          h(
            "span",
            { class: "qm" },
            [postTitle(it.post_id), it.asker_name || t("anonymous"), when(it.created_at)].join(" · "),
            it.answer ? h("span", { class: "tag" }, t("draft")) : null,
          ),
        ),
      ),
    ),
  );
  $("queue-empty").hidden = !st.me || st.items.length > 0;
  $("more").hidden = !st.next;
}

let loadingMore = false;
async function move(step) {
  if (!st.items.length || loadingMore) return;
  if (step > 0 && st.sel >= st.items.length - 1 && st.next) {
    loadingMore = true; // j past the end of the page loads the next one
    await loadQueue(false).finally(() => (loadingMore = false));
  }
  st.sel = Math.min(st.items.length - 1, Math.max(0, (st.sel < 0 ? (step > 0 ? -1 : 0) : st.sel) + step));
  for (const [i, b] of [...$("queue-list").querySelectorAll("button")].entries())
    b.setAttribute("aria-current", String(i === st.sel));
  $("app").classList.remove("show-detail");
  $("queue-list").querySelectorAll("button")[st.sel]?.focus();
}

// ------------------------------------------------------------------ one record
async function openRecord(postId, qaId, { focus = true } = {}) {
  announce(t("loading"));
  try {
    const [rec, all] = await Promise.all([
      api("GET", `/posts/${encodeURIComponent(postId)}/questions/${encodeURIComponent(qaId)}`),
      api("GET", `/posts/${encodeURIComponent(postId)}/questions`),
    ]);
    show(rec, all.items);
    clearTimeout(announceTimer);
    $("status").textContent = "";
    if (focus) $("detail-h").focus();
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
  $("app").classList.add("show-detail");
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
  const area = (id, label, value, extra = {}) => [
    h("label", { for: id }, label),
    h("textarea", { id, ...extra, oninput: onInput }, value),
  ];
  const btn = (label, onclick, attrs = {}) => h("button", { type: "button", onclick, ...attrs }, label);
  const busy = st.busy ? { disabled: true } : {};

  const actions = isPub
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
    t("by", { s: rec.asker_name || t("anonymous") }) + (rec.asker_email ? ` <${rec.asker_email}>` : ""),
    t("version", { n: rec.version }),
  ];

  box.replaceChildren(
    ...[
    h("button", { type: "button", class: "back", onclick: backToQueue }, "← " + t("back")),
    h("h2", { id: "detail-h", tabindex: "-1" }, rec.question),
    h("p", { class: "meta" }, ...meta.flatMap((m, i) => (i ? [" · ", m] : [m]))),
    rec.reject_reason ? h("p", { class: "meta" }, rec.reject_reason) : null,
    st.conflict ? conflictPanel() : null,
    h(
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
    h("div", { class: "side" }, similarBox(), answersBox()),
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
  $("app").classList.remove("show-detail");
  const b = $("queue-list").querySelectorAll("button")[st.sel];
  (b || $("queue-h")).focus();
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
  }
}

const DONE = {
  publish: "published",
  draft: "drafted",
  save: "saved",
  reject: "rejected",
  duplicate: "duplicated",
  unpublish: "unpublished",
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
  const msg = t(DONE[kind]);
  const leaves = updated.status !== "pending";
  const idx = st.items.findIndex((i) => i.id === updated.id);
  if (idx >= 0 && leaves) {
    st.items.splice(idx, 1);
    st.counts[updated.post_id] = Math.max(0, (st.counts[updated.post_id] || 1) - 1);
    st.sel = Math.min(idx, st.items.length - 1);
  } else if (idx >= 0) st.items[idx] = updated;
  if (kind === "unpublish") await loadQueue(true);
  const others = st.records.filter((r) => r.id !== updated.id);
  st.records = [...others, updated];
  if (leaves && kind !== "save") {
    // Done with this one: back to the queue, on the next question.
    st.rec = null;
    st.conflict = st.reference = null;
    renderFilters();
    renderQueue();
    renderDetail(true);
    $("app").classList.remove("show-detail");
    const b = $("queue-list").querySelectorAll("button")[st.sel];
    (b || $("queue-h")).focus();
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
    if (st.panel) {
      st.panel = "";
      renderDetail(true);
      $("f-answer").focus();
    } else if (typing && $("detail").contains(el)) $("detail-h").focus();
    return;
  }
  if (typing) return;
  const primary = st.rec && st.rec.status === "published" ? "save" : "publish";
  const pending = st.rec && st.rec.status !== "published";
  const keys = {
    j: () => move(1),
    k: () => move(-1),
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
    auth.clearToken();
    if (url) location.assign(url);
    else toSignIn("signedOut");
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
    loadQueue(true);
  });
  $("refresh").addEventListener("click", () => Promise.all([loadPosts(), loadQueue(true)]));
  $("more").addEventListener("click", async () => {
    const before = st.items.length;
    await loadQueue(false);
    st.items[before] && $("qi-" + st.items[before].id).focus();
  });
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
