// Kysy Q&A widget, first view: the list of published answers, its styles and JSON-LD. Built by
// ../build.mjs into functions/kysy/static/widget/kysy.js (the file blogs embed). The page's language's
// strings come as a small second file (kysy.<lang>.<hash>.js) fetched beside the API request; search and
// the ask form (more.js, kysy-more.<lang>.<hash>.js) load when the reader reaches or touches them, or
// when the browser is idle. Dependency-free.
// Rule: no innerHTML anywhere. Every user/editor string reaches the DOM as a Text node (Element.append
// with strings) or an attribute we validated (hrefs come from render.js's http/https/mailto rules).
// The answer rendering rules live once, beside the editor view that loads them unbundled.
import { dom, formatDate, html, parse } from "../../functions/kysy/static/editor/kysy-render.js";

/* global __CSS__, __VERSION__, __LANGS__, __DEFAULT__ */
const W = window;
const D = document;
const SHOW = 5; // answers shown before "Show all"
const K = (W.Kysy ||= { version: __VERSION__, s: {}, m: {} });

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

// The other files sit beside this script; each is fetched once per page (as a classic script: no CORS).
const base = D.currentScript?.src || location.href;
const got = {};
const fetchScript = (name) =>
  (got[name] ||= new Promise((ok, no) => D.head.append(h("script", { src: new URL(name, base), onload: ok, onerror: no }))));

// Post id fallback: last non-empty path segment of the canonical URL (else this page's URL), slugified.
const postFromUrl = () => {
  const c = D.querySelector('link[rel="canonical"]');
  const seg = new URL(c?.href || location.href, location.href).pathname.split("/").filter(Boolean).pop() || "";
  return (
    decodeURIComponent(seg)
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "index"
  );
};

// ---- the widget ------------------------------------------------------------------------
async function mount(host) {
  if (host.k) return;
  host.k = 1;
  const attr = (n) => host.getAttribute(n) || "";
  const want = (attr("lang") || D.documentElement.lang).toLowerCase().split("-")[0];
  const lang = __LANGS__[want] ? want : __DEFAULT__;
  const [strings, more] = __LANGS__[lang];
  const api = attr("api").replace(/\/+$/, "");
  const post = attr("post") || postFromUrl();
  const P = encodeURIComponent(post);
  const order = attr("order");
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
  // Always revalidate (ETag -> 304 when nothing changed): a reader who reloads sees a new answer at once.
  const fetchList = () =>
    call("/v1/posts/" + P + "/questions?limit=50" + (/^(newest|oldest)$/.test(order) ? "&order=" + order : ""), {
      cache: "no-cache",
    });
  let pending = fetchList(); // in parallel with the strings
  pending.catch(() => 0);
  Intl.DateTimeFormat(lang); // loads the locale's date data (tens of ms) while the network works

  const root = host.attachShadow({ mode: "open" });
  root.append(h("style", 0, __CSS__));
  host.classList.add("ld"); // reserves the list's height while loading: the page does not jump
  try {
    await fetchScript(`kysy.${lang}.${strings}.js`);
  } catch {
    return; // without its texts the widget stays an empty box; the page is untouched
  }
  const T = K.s[lang];
  let chunk;

  // The shared state and parts the second chunk (more.js) works with.
  const x = { h, post, P, call, T, root, items: [], open: false }; // open: "show all" expanded
  const say = (x.say = (text, cls = "") => {
    status.textContent = text;
    status.className = "m " + cls;
  });
  const need = (x.need = () =>
    (chunk ||= fetchScript(`kysy-more.${lang}.${more}.js`).then(
      () => K.m[lang](x),
      () => {
        delete got[`kysy-more.${lang}.${more}.js`];
        chunk = 0; // try again on the next touch
      },
    )));

  const status = h("p", { role: "status", class: "m" });
  const retry = h("button", { type: "button", hidden: true, onclick: () => load() }, T.retry);
  const list = (x.list = h("ul", { id: "l", class: "l" }));
  const toggle = h("button", {
    type: "button",
    "aria-controls": "l",
    hidden: true,
    onclick: () => {
      x.open = !x.open;
      draw();
    },
  });
  const q = (x.q = h("input", { id: "q", type: "search", oninput: need }));
  const wide = (x.wide = h(
    "button",
    {
      type: "button",
      "aria-pressed": "false",
      onclick: () => wide.setAttribute("aria-pressed", wide.getAttribute("aria-pressed") != "true"),
    },
    T.allPosts,
  ));
  const slot = (x.slot = h("div", { class: "slot" }));

  // Search highlights come from the second chunk (x.mk); before that, text is text.
  const mk = (s) => (x.mk ? x.mk(s) : [s]);
  // Asker and date; the second chunk adds the post a search result comes from (x.from).
  const meta = (it, d = it.answered_at || it.asked_at) => [
    [it.asker_name, d && formatDate(d, T.date)].filter(Boolean).join(" · "),
    ...(x.from?.(it) || []),
  ];
  // A Q&A pair as <li><details><summary>question</summary>answer + meta</details></li>
  const card = (x.card = (it, idp, m = mk) =>
    h(
      "li",
      { id: idp && "kysy-" + it.id },
      h(
        "details",
        0,
        h("summary", 0, ...m(it.question)),
        h("div", { class: "a" }, ...dom((it.b ||= parse(it.answer)), h, m), h("p", { class: "m" }, ...meta(it))),
      ),
    ));

  const draw = (x.draw = () => {
    const all = x.shown || x.items;
    list.replaceChildren(...(x.shown || x.open ? all : all.slice(0, SHOW)).map((it) => card(it, !x.shown)));
    toggle.hidden = x.shown || x.items.length <= SHOW;
    toggle.setAttribute("aria-expanded", x.open);
    toggle.textContent = x.open ? T.less : T.all.replace("{n}", x.items.length + (x.cursor ? "+" : ""));
    if (!x.shown) say(x.items.length ? "" : T.empty);
  });

  // schema.org FAQPage for the published pairs: answers as the same HTML the fragment serves.
  const ld = () =>
    x.items.length &&
    D.head.append(
      h(
        "script",
        { type: "application/ld+json" },
        JSON.stringify({
          "@context": "https://schema.org",
          "@type": "FAQPage",
          mainEntity: x.items.map((it) => ({
            "@type": "Question",
            name: it.question,
            acceptedAnswer: { "@type": "Answer", text: html((it.b ||= parse(it.answer))) },
          })),
        }).replace(/</g, "\\u003c"),
      ),
    );

  async function load() {
    retry.hidden = true;
    say(T.loading, "busy");
    try {
      const d = await (pending || fetchList());
      x.items = d.items;
      x.cursor = d.next_cursor;
      x.closed = d.post && !d.post.open;
      draw();
      setTimeout(ld); // in a task of its own: the list paints first, the JSON-LD follows
      x.loaded?.();
      (W.requestIdleCallback || setTimeout)(need); // then search and the form, while nobody waits
    } catch {
      say(T.fail, "er");
      retry.hidden = false;
    }
    pending = 0;
    host.classList.remove("ld");
  }

  root.append(
    h(
      "section",
      { "aria-labelledby": "t" },
      h("h2", { id: "t" }, T.title),
      h("div", { role: "search", onfocusin: need, onpointerdown: need }, h("label", { for: "q" }, T.search), q, wide),
      status,
      retry,
      list,
      toggle,
      slot,
    ),
  );
  // The form loads when the reader scrolls to it; a draft left here earlier, or a link to one answer
  // (#kysy-<id>, opened by the second chunk), loads it at once.
  new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && need()).observe(slot);
  try {
    (location.hash.startsWith("#kysy-") || JSON.parse(localStorage["kysy-draft:" + post]).q) && need();
  } catch {}
  load();
}

// ---- bootstrapping -----------------------------------------------------------------------
if (!K.boot) {
  K.boot = 1;
  const script = D.currentScript;
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
    for (const k of ["api", "post", "lang", "theme", "order"]) s.dataset[k] && el.setAttribute(k, s.dataset[k]);
    const slot = D.querySelector("[data-kysy]");
    slot ? slot.append(el) : s.after(el);
  };
  D.readyState == "loading" ? D.addEventListener("DOMContentLoaded", go) : go();
}
