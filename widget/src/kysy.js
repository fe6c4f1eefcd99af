// Kysy Q&A widget. Dependency-free; built by ../build.mjs into ../dist/kysy.js.
// Rule: no innerHTML anywhere. Every user/editor string reaches the DOM as a Text node
// (Element.append with strings) or an attribute we validated.
import { STRINGS } from "./strings.js";

/* global __CSS__, __VERSION__ */
const W = window;
const D = document;
const SHOW = 5; // items shown before "Show all"
const LINK = /\[([^\]\n]+)\]\(((?:https?:\/\/|mailto:)[^\s()]+)\)/g;

// ---- tiny DOM helper: h("a", {href}, "text", node) -------------------------------------
const h = (tag, attrs, ...kids) => {
  const el = D.createElement(tag);
  for (const k in attrs) {
    const v = attrs[k];
    if (v?.call) el.addEventListener(k.slice(2), v);
    else if (v) el.setAttribute(k, v);
  }
  el.append(...kids);
  return el;
};

// ---- text search: case/diacritic-insensitive, prefix words, crude suffix stripping ----
// fold() keeps string length, so match offsets map straight back onto the original text.
const fold = (s) => s.replace(/[^]/g, (c) => c.normalize("NFD")[0].toLowerCase()[0]);
const WORD = /[\p{L}\p{N}]+/gu;
const words = (s) => fold(s || "").match(WORD) || [];
const stem = (w) =>
  w.length > 4 ? w.replace(/(sta|ssa|lla|lta|ksi|ing|es|ed|en|ja|a|s|n|t)$/, "") : w;
const terms = (q) => [...new Set(words(q).map(stem))];
const hit = (ws, t) => ws.some((w) => w.startsWith(t));
const prep = (it) => (it.w ||= [words(it.question), words(it.answer)]);
// AND search (every term must match; question hits weigh more), or with `or` the
// "may already be answered" variant: at least two (or all) of the terms in common.
const rank = (items, ts, or) =>
  items
    .map((it) => {
      const [q, a] = prep(it);
      let s = 0;
      let n = 0;
      for (const t of ts) {
        const x = hit(q, t) * 3 + hit(a, t);
        if (!x && !or) return;
        s += x;
        n += !!x;
      }
      return n >= Math.min(2, ts.length) && [s, it];
    })
    .filter(Boolean)
    .sort((x, y) => y[0] - x[0])
    .map((x) => x[1]);

// Text with matched words wrapped in <mark> (built from Text nodes, never parsed).
const marked = (text, ts) => {
  if (!ts || !ts.length) return [text];
  const out = [];
  const f = fold(text);
  let last = 0;
  for (const m of f.matchAll(WORD)) {
    if (ts.some((t) => m[0].startsWith(t))) {
      out.push(text.slice(last, m.index), h("mark", 0, text.slice(m.index, (last = m.index + m[0].length))));
    }
  }
  out.push(text.slice(last));
  return out;
};

// Answer body: blank-line separated paragraphs, [text](http/https/mailto) links only.
const body = (text, ts) =>
  (text || "").split(/\n\s*\n/).map((para) => {
    const p = h("p");
    let last = 0;
    for (const m of para.matchAll(LINK)) {
      p.append(
        ...marked(para.slice(last, m.index), ts),
        h("a", { href: m[2], rel: "nofollow noopener ugc" }, ...marked(m[1], ts)),
      );
      last = m.index + m[0].length;
    }
    p.append(...marked(para.slice(last), ts));
    p.style.whiteSpace = "pre-line";
    return p;
  });

// randomUUID needs a secure context; every blob: URL ends in a random v4 UUID.
const uuid = () => crypto.randomUUID?.() || URL.createObjectURL(new Blob()).slice(-36);

const slug = (s) =>
  fold(decodeURIComponent(s))
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

// Post id fallback: last non-empty path segment of the canonical URL (else this page's URL).
const postFromUrl = () => {
  const c = D.querySelector('link[rel="canonical"]');
  const path = new URL(c?.href || location.href, location.href).pathname;
  return slug(path.split("/").filter(Boolean).pop() || "index") || "index";
};

// Draft storage; localStorage may be missing or throw (privacy modes): then no drafts.
const store = (k, v) => {
  try {
    if (!v) return JSON.parse(localStorage[k]);
    localStorage[k] = JSON.stringify(v);
  } catch {}
};

// ---- the widget ------------------------------------------------------------------------
function mount(host) {
  if (host.k) return;
  host.k = 1;
  const attr = (n) => host.getAttribute(n);
  const lang = /^fi/i.test(attr("lang") || D.documentElement.lang) ? "fi" : "en";
  const T = STRINGS[lang];
  const t = (k, n) => T[k].replace("{n}", n);
  const api = (attr("api") || "").replace(/\/+$/, "");
  const post = attr("post") || postFromUrl();
  const P = encodeURIComponent(post);
  const key = "kysy-draft:" + post;
  const date = new Intl.DateTimeFormat(lang, { dateStyle: "long" });

  const call = async (path, opt) => {
    let r;
    try {
      r = await fetch(api + path, opt);
    } catch {
      throw { code: "net" };
    }
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw j.error || {};
    return j;
  };

  let items = [];
  let cursor = null;
  let open = false; // "show all" expanded
  let everywhere = false; // "search all posts"
  let shown = null; // search results, or null when not searching
  let ts = null;
  let ctl;
  let timer;

  const root = host.attachShadow({ mode: "open" });
  const sheet = h("style", 0, __CSS__);
  const status = h("p", { role: "status", class: "m" });
  const retry = h("button", { type: "button", hidden: true, onclick: () => load() }, T.retry);
  const list = h("ul", { id: "l" });
  const toggle = h("button", { type: "button", "aria-controls": "l", hidden: true, onclick: () => {
    open = !open;
    draw();
  } });
  const q = h("input", { id: "q", type: "search", oninput: () => find() });
  const wide = h("button", { type: "button", "aria-pressed": "false", onclick: () => {
    wide.setAttribute("aria-pressed", (everywhere = !everywhere));
    find();
  } }, T.allPosts);

  // A Q&A pair as <li><details><summary>question</summary>answer + meta</details></li>
  const card = (it, marks, idp, d) =>
    h(
      "li",
      { id: idp && "kysy-" + it.id },
      h(
        "details",
        0,
        h("summary", 0, ...marked(it.question, marks)),
        h(
          "div",
          0,
          ...body(it.answer, marks),
          h(
            "p",
            { class: "m" },
            [it.asker_name, (d = it.answered_at || it.asked_at) && date.format(new Date(d)), it.post_id != post && it.post_id]
              .filter(Boolean)
              .join(" · "),
          ),
        ),
      ),
    );

  function draw() {
    const all = shown || items;
    const cut = shown || open ? all : all.slice(0, SHOW);
    list.replaceChildren(...cut.map((it) => card(it, ts, !shown)));
    toggle.hidden = shown || items.length <= SHOW;
    toggle.setAttribute("aria-expanded", open);
    toggle.textContent = open ? T.less : t("all", items.length + (cursor ? "+" : ""));
    status.textContent = shown ? t(shown.length ? "results" : "none", shown.length) : items.length ? "" : T.empty;
  }

  function find() {
    const v = q.value.trim();
    clearTimeout(timer);
    ctl?.abort();
    ts = v ? terms(v) : null;
    shown = v ? rank(items, ts) : null;
    draw();
    if (v && (cursor || everywhere))
      timer = setTimeout(async () => {
        ctl = new AbortController();
        try {
          const r = await call(
            "/v1/search?limit=20&q=" + encodeURIComponent(v) + (everywhere ? "" : "&post_id=" + P),
            { signal: ctl.signal },
          );
          shown = r.items;
          draw();
        } catch {} // keep the instant local results
      }, 250);
  }

  // Deep link #kysy-<id>: expand, open and scroll to that answer.
  const jump = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id.startsWith("kysy-")) return;
    const i = items.findIndex((it) => "kysy-" + it.id == id);
    if (i < 0) return;
    if (shown) (q.value = ""), find();
    if (i >= SHOW && !open) (open = true), draw();
    const li = root.getElementById(id);
    li.firstChild.open = true;
    li.scrollIntoView({ block: "start" });
    li.firstChild.firstChild.focus({ preventScroll: true });
  };

  async function load() {
    retry.hidden = true;
    host.classList.add("ld");
    status.textContent = T.loading;
    try {
      const d = await call("/v1/posts/" + P + "/questions?limit=50");
      items = d.items;
      cursor = d.next_cursor;
      if (d.post && !d.post.open) (form.hidden = true), (closed.hidden = false);
      ld();
      find();
      jump();
    } catch {
      status.textContent = T.fail;
      retry.hidden = false;
    }
    host.classList.remove("ld");
  }

  // schema.org FAQPage for the published pairs (JSON.stringify, never string-built markup).
  const ld = () =>
    items.length &&
      D.head.append(
        h(
          "script",
          { type: "application/ld+json" },
          JSON.stringify({
            "@context": "https://schema.org",
            "@type": "FAQPage",
            mainEntity: items.map((it) => ({
              "@type": "Question",
              name: it.question,
              acceptedAnswer: { "@type": "Answer", text: it.answer.replace(LINK, "$1 ($2)") },
            })),
          }).replace(/</g, "\\u003c"),
        ),
      );

  // ---- ask form -------------------------------------------------------------------------
  const field = (tag, name, label, extra) => [h("label", { for: name }, label), h(tag, { id: name, name, ...extra })];
  const [ql, qa] = field("textarea", "kq", T.q, { rows: 4, maxlength: 2000, required: true });
  const [nl, na] = field("input", "kn", T.name, { autocomplete: "name", maxlength: 80 });
  const [el, ea] = field("input", "ke", T.email, { type: "email", autocomplete: "email", "aria-describedby": "kc" });
  const trap = h("input", { name: "website", tabindex: "-1", autocomplete: "off" });
  const fmsg = h("p", { role: "status" });
  const sug = h("div", { class: "s", hidden: true, "aria-live": "polite" });
  const send = h("button", { class: "p" }, T.send);
  const closed = h("p", { hidden: true }, T.closed);
  let draft = store(key) || {};

  const suggest = () => {
    const v = qa.value.trim();
    const ts = terms(v).filter((x) => x.length > 3);
    const list = v.length > 9 ? rank(items, ts, 1).slice(0, 3) : [];
    sug.replaceChildren(h("p", { class: "m" }, T.similar), h("ul", 0, ...list.map((it) => card(it, ts, 0))));
    sug.hidden = !list.length;
  };

  const form = h(
    "form",
    {
      novalidate: true,
      oninput: (e) => {
        if (e.target == trap) return;
        const d = { q: qa.value, n: na.value, e: ea.value };
        // A changed question is a new request: only an unchanged retry reuses the key.
        if (draft.q == d.q) d.k = draft.k;
        store(key, (draft = d));
        e.target.removeAttribute("aria-invalid");
        if (e.target == qa) suggest();
      },
      onsubmit: async (e) => {
        e.preventDefault();
        const question = qa.value.trim();
        const name = na.value.trim();
        const email = ea.value.trim();
        const bad =
          question.length < 3 ? [qa, "short"]
          : question.length > 2000 ? [qa, "long"]
          : !ea.checkValidity() ? [ea, "badEmail"]
          : 0;
        if (bad) {
          bad[0].setAttribute("aria-invalid", "true");
          bad[0].focus();
          fmsg.textContent = T[bad[1]];
          return;
        }
        draft.k ||= uuid();
        store(key, draft);
        send.disabled = true;
        fmsg.textContent = "…";
        try {
          await call("/v1/posts/" + P + "/questions", {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": draft.k },
            body: JSON.stringify({ question, name: name || undefined, email: email || undefined, website: trap.value }),
          });
          form.reset();
          store(key, (draft = { q: "" }));
          sug.hidden = true;
          fmsg.textContent = T.sent;
        } catch (err) {
          const c = { payload_too_large: "long", post_closed: "closed", unavailable: "net" }[err.code] || err.code;
          fmsg.textContent = T[c] || err.message || T.net;
          if (c == "closed") form.hidden = true, closed.hidden = false;
        }
        send.disabled = false;
      },
    },
    h("h3", 0, T.ask),
    ql,
    qa,
    sug,
    nl,
    na,
    el,
    ea,
    h("p", { id: "kc", class: "m" }, T.consent),
    h("div", { class: "h", "aria-hidden": "true" }, h("label", 0, "Website", trap)),
    send,
    fmsg,
  );
  qa.value = draft.q || "";
  na.value = draft.n || "";
  ea.value = draft.e || "";

  root.append(
    sheet,
    h(
      "section",
      { "aria-labelledby": "t" },
      h("h2", { id: "t" }, T.title),
      h("div", { role: "search" }, h("label", { for: "q" }, T.search), q, wide),
      status,
      retry,
      list,
      toggle,
      form,
      closed,
    ),
  );
  W.addEventListener("hashchange", jump);
  load();
}

// ---- bootstrapping -----------------------------------------------------------------------
if (!W.Kysy) {
  const script = D.currentScript;
  W.Kysy = { version: __VERSION__ };
  customElements.define(
    "kysy-qa",
    class extends HTMLElement {
      connectedCallback() {
        mount(this);
      }
    },
  );
  const go = () => {
    const s = script || D.querySelector("script[data-api][src*=kysy]");
    if (!s?.dataset.api) return;
    const el = D.createElement("kysy-qa");
    for (const k of ["api", "post", "lang", "theme"]) s.dataset[k] && el.setAttribute(k, s.dataset[k]);
    const slot = D.querySelector("[data-kysy]");
    slot ? slot.append(el) : s.after(el);
  };
  D.readyState == "loading" ? D.addEventListener("DOMContentLoaded", go) : go();
}
