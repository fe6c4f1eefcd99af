// The editor view's other lists, each in the left column: rejected and duplicate questions (back to the
// queue), what readers could not find (search gaps -> draft questions), posts (paged, with their settings)
// and the data-subject erasure. editor.js passes `ctx` (state, texts, API, messages, the record editor).
// Same rule as editor.js: no innerHTML; every reader or editor string is a Text node.

const PAGE = "25";

// replaceChildren without the nulls of optional parts (they would become the text "null"); focus stays on
// the element with the same id (a list that reloads under the reader's focus does not drop it).
const fill = (el, ...kids) => {
  const active = el.contains(document.activeElement) ? document.activeElement.id : "";
  el.replaceChildren(...kids.flat().filter((k) => k != null && k !== false));
  if (active) document.getElementById(active)?.focus();
};

// A <select> of posts: "all" first, then every post the view knows, by title.
function postSelect(ctx, id, value, onchange) {
  const { st, t, h } = ctx;
  const ids = [...new Set([...Object.keys(st.posts), ...Object.keys(st.counts)])].sort();
  const sel = h(
    "select",
    { id, onchange: (e) => onchange(e.target.value) },
    h("option", { value: "" }, t("everyPost")),
    ...ids.map((p) => h("option", { value: p }, ctx.postTitle(p))),
  );
  sel.value = value;
  return h("div", null, h("label", { for: id }, t("post")), sel);
}

// Focus the item that took the place of a removed one (or the list's heading).
function focusAfter(ctx, pane, index) {
  const rows = ctx.$(pane).querySelectorAll("li .row > button:first-child");
  (rows[Math.min(index, rows.length - 1)] || ctx.$(pane + "-h")).focus();
}

// One page of a paged list (`list`: {items, next, postId?}) into its pane: the first page (`reset`) replaces
// the items and is announced ("n shown" or the empty text), later pages are appended. Returns the new items.
async function loadPage(ctx, name, path, list, reset, params, texts) {
  const q = new URLSearchParams({ limit: PAGE, ...params });
  if (list.postId) q.set("post_id", list.postId);
  if (!reset && list.next) q.set("cursor", list.next);
  const pane = ctx.$(name);
  pane.setAttribute("aria-busy", "true");
  try {
    const r = await ctx.api("GET", `${path}?${q}`);
    list.items = reset ? r.items : [...list.items, ...r.items];
    list.next = r.next_cursor;
    if (reset) ctx.announce(list.items.length ? ctx.t(texts[0], { n: list.items.length }) : ctx.t(texts[1]));
    return r;
  } catch (err) {
    ctx.report(err);
    return null;
  } finally {
    pane.removeAttribute("aria-busy");
  }
}

// After "Load more": focus on the first new item's first button (the button itself may be gone).
function focusNew(ctx, name, list, added) {
  ctx.$(name).querySelectorAll("li")[list.items.length - added]?.querySelector("button")?.focus();
}

// ------------------------------------------------------------------ rejected and duplicates
const rejected = { items: [], next: null, postId: "" };

async function loadRejected(ctx, reset) {
  const texts = ["rejectedLoaded", "rejectedEmpty"];
  const r = await loadPage(ctx, "rejected", "/rejected", rejected, reset, { order: "newest" }, texts);
  if (!r) return;
  renderRejected(ctx);
  if (!reset) focusNew(ctx, "rejected", rejected, r.items.length);
}

function renderRejected(ctx) {
  const { t, h, when } = ctx;
  const known = Object.fromEntries(rejected.items.map((r) => [r.id, r]));
  fill(
    ctx.$("rejected"),
    h("h1", { id: "rejected-h", tabindex: "-1" }, t("rejectedTitle")),
    h(
      "div",
      { class: "filters" },
      postSelect(ctx, "rejected-post", rejected.postId, (v) => {
        rejected.postId = v;
        loadRejected(ctx, true);
      }),
    ),
    h(
      "ul",
      { class: "plain rlist", "aria-labelledby": "rejected-h" },
      ...rejected.items.map((r, i) =>
        h(
          "li",
          { id: "rej-" + r.id },
          h("p", { class: "sq" }, r.question),
          h(
            "p",
            { class: "meta" },
            [
              ctx.postTitle(r.post_id),
              when(r.updated_at || r.created_at),
              r.updated_by ? t("by", { s: r.updated_by }) : "",
              r.duplicate_of
                ? t("duplicateInfo", { s: known[r.duplicate_of]?.question || r.duplicate_of })
                : t("rejectedInfo", { s: r.reject_reason || "—" }),
            ]
              .filter(Boolean)
              .join(" · "),
          ),
          ctx.tags(r).some(Boolean) ? h("p", { class: "meta" }, ...ctx.tags(r)) : null,
          h(
            "div",
            { class: "row" },
            h(
              "button",
              { type: "button", class: "primary", "aria-label": t("restoreLabel", { s: r.question }), onclick: () => restore(ctx, r, i) },
              t("restore"),
            ),
            h(
              "button",
              { type: "button", "aria-label": t("openLabel", { s: r.question }), onclick: () => ctx.openRecord(r.post_id, r.id) },
              t("open"),
            ),
          ),
        ),
      ),
    ),
    rejected.items.length ? null : h("p", { class: "hint" }, t("rejectedEmpty")),
    rejected.next
      ? h("button", { type: "button", id: "rejected-more", class: "more", onclick: () => loadRejected(ctx, false) }, t("loadMore"))
      : null,
  );
}

async function restore(ctx, r, index) {
  try {
    const updated = await ctx.api("POST", `/posts/${encodeURIComponent(r.post_id)}/questions/${encodeURIComponent(r.id)}/restore`, {
      version: r.version,
    });
    rejected.items = rejected.items.filter((x) => x.id !== r.id);
    ctx.noteCreated(updated);
    if (ctx.st.rec?.id === r.id) ctx.openRecord(r.post_id, r.id, { focus: false });
    renderRejected(ctx);
    ctx.announce(ctx.t("restored"));
    focusAfter(ctx, "rejected", index);
  } catch (err) {
    ctx.report(err);
    if (err.code === "version_conflict" || err.code === "not_rejected") loadRejected(ctx, true);
  }
}

// ------------------------------------------------------------------ what readers could not find
const gaps = { items: [], next: null, postId: "", truncated: false };

async function loadGaps(ctx, reset) {
  const r = await loadPage(ctx, "gaps", "/gaps", gaps, reset, {}, ["gapsLoaded", "gapsEmpty"]);
  if (!r) return;
  gaps.truncated = r.truncated;
  renderGaps(ctx);
  if (!reset) focusNew(ctx, "gaps", gaps, r.items.length);
}

function renderGaps(ctx) {
  const { t, h } = ctx;
  fill(
    ctx.$("gaps"),
    h("h1", { id: "gaps-h", tabindex: "-1" }, t("gapsTitle")),
    h("p", { class: "hint" }, t("gapsHint")),
    h(
      "div",
      { class: "filters" },
      postSelect(ctx, "gaps-post", gaps.postId, (v) => {
        gaps.postId = v;
        loadGaps(ctx, true);
      }),
    ),
    gaps.truncated ? h("p", { class: "hint" }, t("gapsTruncated")) : null,
    h(
      "ul",
      { class: "plain glist", "aria-labelledby": "gaps-h" },
      ...gaps.items.map((g, i) =>
        h(
          "li",
          null,
          h("p", { class: "sq" }, g.query),
          h(
            "p",
            { class: "meta" },
            [
              ctx.postTitle(g.post_id),
              t("gapCount", { n: g.count }),
              g.no_results ? t("gapNone", { n: g.no_results }) : "",
              g.not_opened ? t("gapUnopened", { n: g.not_opened }) : "",
              t("gapWeek", { s: g.last_week }),
            ]
              .filter(Boolean)
              .join(" · "),
          ),
          h(
            "div",
            { class: "row" },
            h(
              "button",
              { type: "button", class: "primary", "aria-label": t("gapAnswerLabel", { s: g.query }), onclick: () => draft(ctx, g) },
              t("gapAnswer"),
            ),
            h(
              "button",
              { type: "button", "aria-label": t("gapDismissLabel", { s: g.query }), onclick: () => dismiss(ctx, g, i) },
              t("gapDismiss"),
            ),
          ),
        ),
      ),
    ),
    gaps.items.length ? null : h("p", { class: "hint" }, t("gapsEmpty")),
    gaps.next ? h("button", { type: "button", id: "gaps-more", class: "more", onclick: () => loadGaps(ctx, false) }, t("loadMore")) : null,
  );
}

// One click: a draft question from the search (pending, written by the editor), opened for answering.
async function draft(ctx, g) {
  const text = g.query.charAt(0).toLocaleUpperCase() + g.query.slice(1);
  const question = /[?.!]$/.test(text) ? text : text + "?";
  try {
    const rec = await ctx.api("POST", `/posts/${encodeURIComponent(g.post_id)}/questions`, {
      question,
      note: `search gap, ${g.count}× (${g.last_week})`,
    });
    ctx.noteCreated(rec);
    await ctx.api("POST", "/gaps/dismiss", { post_id: g.post_id, query: g.query }).catch(() => null);
    gaps.items = gaps.items.filter((x) => x !== g);
    renderGaps(ctx);
    await ctx.openRecord(g.post_id, rec.id, { field: "f-answer" });
    ctx.announce(ctx.t("gapDrafted"));
  } catch (err) {
    ctx.report(err);
  }
}

async function dismiss(ctx, g, index) {
  try {
    await ctx.api("POST", "/gaps/dismiss", { post_id: g.post_id, query: g.query });
    gaps.items = gaps.items.filter((x) => x !== g);
    renderGaps(ctx);
    ctx.announce(ctx.t("gapDismissed"));
    focusAfter(ctx, "gaps", index);
  } catch (err) {
    ctx.report(err);
  }
}

// ------------------------------------------------------------------ posts and their settings
const posts = { items: [], next: null, open: "" };

async function loadPosts(ctx, reset) {
  const r = await loadPage(ctx, "posts", "/posts", posts, reset, {}, ["postsLoaded", "postsEmpty"]);
  if (!r) return;
  for (const p of r.items) ctx.st.posts[p.id] = p;
  renderPosts(ctx);
  if (!reset) focusNew(ctx, "posts", posts, r.items.length);
}

function renderPosts(ctx) {
  const { t, h, langs } = ctx;
  const order = (o) => t(o === "oldest" ? "orderOldest" : "orderNewest");
  fill(
    ctx.$("posts"),
    h("h1", { id: "posts-h", tabindex: "-1" }, t("postsTitle")),
    h(
      "ul",
      { class: "plain plist", "aria-labelledby": "posts-h" },
      ...posts.items.map((p) =>
        h(
          "li",
          { id: "post-" + p.id },
          h("p", { class: "sq" }, p.title || p.id),
          h(
            "p",
            { class: "meta" },
            [
              p.id,
              p.version ? langs[p.lang] || p.lang : t("postReaders"),
              p.version ? order(p.order) : "",
              p.open === false ? t("postClosed") : t("postOpen"),
            ]
              .filter(Boolean)
              .join(" · "),
          ),
          h("p", { class: "meta" }, t("postCounts", { a: p.pending, b: p.flagged, c: p.published, d: p.rejected })),
          h(
            "div",
            { class: "row" },
            h(
              "button",
              {
                type: "button",
                "aria-expanded": String(posts.open === p.id),
                "aria-controls": "pf-" + p.id,
                "aria-label": t("postSettingsLabel", { s: p.title || p.id }),
                onclick: () => {
                  posts.open = posts.open === p.id ? "" : p.id;
                  renderPosts(ctx);
                  (posts.open ? ctx.$("pf-title-" + p.id) : ctx.$("post-" + p.id).querySelector("button")).focus();
                },
              },
              t("postSettings"),
            ),
            p.pending
              ? h(
                  "button",
                  { type: "button", "aria-label": t("showQueueLabel", { s: p.title || p.id }), onclick: () => ctx.showQueueOf(p.id) },
                  t("showQueue"),
                )
              : null,
          ),
          posts.open === p.id ? postForm(ctx, p) : null,
        ),
      ),
    ),
    posts.items.length ? null : h("p", { class: "hint" }, t("postsEmpty")),
    posts.next ? h("button", { type: "button", id: "posts-more", class: "more", onclick: () => loadPosts(ctx, false) }, t("loadMore")) : null,
  );
}

function postForm(ctx, p) {
  const { t, h, langs } = ctx;
  const f = (name) => `pf-${name}-${p.id}`;
  const select = (name, options, value) => {
    const el = h("select", { id: f(name) }, ...options.map(([v, label]) => h("option", { value: v }, label)));
    el.value = value;
    return el;
  };
  return h(
    "form",
    { id: "pf-" + p.id, class: "panel postform", onsubmit: (e) => (e.preventDefault(), savePost(ctx, p)) },
    h("label", { for: f("title") }, t("postTitleLabel")),
    h("input", { id: f("title"), type: "text", value: p.title || "", maxlength: "300", autocomplete: "off" }),
    h("label", { for: f("url") }, t("postUrlLabel")),
    h("input", { id: f("url"), type: "url", value: p.url || "", maxlength: "2000", autocomplete: "off", spellcheck: "false" }),
    h("label", { for: f("lang") }, t("postLangLabel")),
    select("lang", Object.entries(langs), p.lang || Object.keys(langs)[0]),
    h("label", { for: f("order") }, t("postOrderLabel")),
    select(
      "order",
      [
        ["newest", t("orderNewest")],
        ["oldest", t("orderOldest")],
      ],
      p.order || "newest",
    ),
    h(
      "div",
      { class: "check" },
      h("input", { id: f("open"), type: "checkbox", checked: p.open !== false }),
      h("label", { for: f("open") }, t("postOpenLabel")),
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "primary" }, t("save")),
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            posts.open = "";
            renderPosts(ctx);
            ctx.$("post-" + p.id).querySelector("button").focus();
          },
        },
        t("cancel"),
      ),
    ),
  );
}

async function savePost(ctx, p) {
  const v = (name) => ctx.$(`pf-${name}-${p.id}`);
  const body = {
    version: p.version,
    title: v("title").value,
    url: v("url").value.trim(),
    lang: v("lang").value,
    order: v("order").value,
    open: v("open").checked,
  };
  const keep = (saved) => {
    const row = { ...p, ...saved };
    posts.items = posts.items.map((x) => (x.id === p.id ? row : x));
    ctx.st.posts[p.id] = row;
    return row;
  };
  try {
    keep(await ctx.api("PATCH", `/posts/${encodeURIComponent(p.id)}`, body));
    posts.open = "";
    renderPosts(ctx);
    ctx.renderFilters();
    ctx.announce(ctx.t("postSaved"));
    ctx.$("post-" + p.id).querySelector("button").focus();
  } catch (err) {
    if (err.code === "version_conflict" && err.current) {
      keep(err.current);
      renderPosts(ctx);
      ctx.fail(ctx.t("postConflict"));
      ctx.$(`pf-title-${p.id}`).focus();
    } else ctx.report(err);
  }
}

// ------------------------------------------------------------------ data-subject erasure
const privacy = { confirm: "", result: null };

function renderPrivacy(ctx) {
  const { t, h } = ctx;
  const r = privacy.result;
  const count = (key, n) => h("li", null, t(key, { n }));
  fill(
    ctx.$("privacy"),
    h("h1", { id: "privacy-h", tabindex: "-1" }, t("forgetTitle")),
    h("p", null, t("forgetIntro")),
    h(
      "form",
      {
        id: "forget-form",
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          const email = ctx.$("forget-email").value.trim();
          if (!email) {
            ctx.$("forget-email").setAttribute("aria-invalid", "true");
            ctx.fail(t("forgetEmpty"));
            return ctx.$("forget-email").focus();
          }
          privacy.confirm = email;
          privacy.result = null;
          renderPrivacy(ctx);
          ctx.$("forget-confirm-h").focus();
        },
      },
      h("label", { for: "forget-email" }, t("forgetEmail")),
      h("input", { id: "forget-email", type: "email", autocomplete: "off", spellcheck: "false", value: privacy.confirm }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "danger", id: "forget-find" }, t("forgetFind"))),
    ),
    privacy.confirm
      ? h(
          "section",
          { class: "panel confirm", "aria-labelledby": "forget-confirm-h" },
          h("h2", { id: "forget-confirm-h", tabindex: "-1" }, t("forgetConfirmTitle", { s: privacy.confirm })),
          h("p", null, h("strong", null, t("forgetConfirmBody"))),
          h(
            "div",
            { class: "actions" },
            h("button", { type: "button", class: "danger", id: "forget-go", onclick: () => forget(ctx) }, t("forgetConfirm")),
            h(
              "button",
              {
                type: "button",
                onclick: () => {
                  privacy.confirm = "";
                  renderPrivacy(ctx);
                  ctx.$("forget-email").focus();
                },
              },
              t("cancel"),
            ),
          ),
        )
      : null,
    r
      ? h(
          "section",
          { id: "forget-result", class: "panel", "aria-labelledby": "forget-result-h" },
          h("h2", { id: "forget-result-h", tabindex: "-1" }, t(r.records_found || r.email_items_deleted || r.lookup_items_deleted ? "forgetDone" : "forgetNothing")),
          h(
            "ul",
            null,
            count("forgetFound", r.records_found),
            count("forgetEmails", r.email_items_deleted),
            count("forgetLookups", r.lookup_items_deleted),
            count("forgetDeleted", r.questions_deleted.length),
            count("forgetGone", r.already_gone.length),
          ),
          r.published_anonymised.length
            ? [
                h("p", null, t("forgetAnonymised", { n: r.published_anonymised.length })),
                h(
                  "ul",
                  { class: "plain" },
                  ...r.published_anonymised.map((a) =>
                    h(
                      "li",
                      null,
                      h(
                        "button",
                        { type: "button", onclick: () => ctx.openRecord(a.post_id, a.id) },
                        `${t("edit")}: ${ctx.postTitle(a.post_id)} · ${a.id}`,
                      ),
                    ),
                  ),
                ),
              ]
            : null,
        )
      : null,
  );
}

async function forget(ctx) {
  const email = privacy.confirm;
  ctx.announce(ctx.t("working"));
  try {
    privacy.result = await ctx.api("POST", "/privacy/forget", { email });
    privacy.confirm = ""; // the address leaves the page once the work is done
    renderPrivacy(ctx);
    ctx.$("forget-email").value = "";
    ctx.announce(ctx.t("forgetDone"));
    ctx.$("forget-result-h").focus();
  } catch (err) {
    ctx.report(err);
  }
}

// ------------------------------------------------------------------ the registry editor.js uses
export const VIEWS = {
  rejected: {
    show: (ctx) => (renderRejected(ctx), loadRejected(ctx, true)),
    render: renderRejected,
    forget: (ctx, id) => {
      rejected.items = rejected.items.filter((x) => x.id !== id);
      if (ctx.st.view === "rejected") renderRejected(ctx);
    },
  },
  gaps: { show: (ctx) => (renderGaps(ctx), loadGaps(ctx, true)), render: renderGaps },
  posts: { show: (ctx) => (renderPosts(ctx), loadPosts(ctx, true)), render: renderPosts },
  privacy: { show: renderPrivacy, render: renderPrivacy },
};
