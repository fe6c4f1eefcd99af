// Kysy widget, second chunk: search (instant local matches, then the server's ranking) and the ask
// form. Built per language into kysy-more.<lang>.<hash>.js; the first view (kysy.js) loads it when the
// reader reaches or touches search or the form, or when the browser is idle, and calls it with the
// widget's shared state `x`. Same rule as the first view: no innerHTML, user text only as Text nodes.

/* global __T2__, __CSS2__, __LANG__ */
const D = document;
const T2 = __T2__;

// ---- local matching: case/diacritic-insensitive, word prefixes, crude fi/en suffix stripping ----
// fold() keeps string length, so match offsets map straight back onto the original text.
const fold = (s) => s.replace(/[^]/g, (c) => c.normalize("NFD")[0].toLowerCase()[0]);
const WORD = /[\p{L}\p{N}]+/gu;
const words = (s) => fold(s || "").match(WORD) || [];
const stem = (w) => (w.length > 4 ? w.replace(/(sta|ssa|lla|lta|ksi|ing|es|ed|en|ja|a|s|n|t)$/, "") : w);
const terms = (q) => [...new Set(words(q).map(stem))];
const hit = (ws, t) => ws.some((w) => w.startsWith(t));
// AND search (every term must match; question hits weigh more), or with `or` the "may already be
// answered" variant: at least two (or all) of the terms in common.
const rank = (items, ts, or) =>
  items
    .map((it) => {
      const q = (it.wq ||= words(it.question));
      const a = (it.wa ||= words(it.answer));
      let s = 0;
      let n = 0;
      for (const t of ts) {
        const v = hit(q, t) * 3 + hit(a, t);
        if (!v && !or) return;
        s += v;
        n += !!v;
      }
      return n >= Math.min(2, ts.length) && [s, it];
    })
    .filter(Boolean)
    .sort((a, b) => b[0] - a[0])
    .map((r) => r[1]);

// The server's highlight ranges name the matched words (in the question and the answer excerpt);
// the marker highlights those words wherever they appear, so answers rendered as paragraphs, lists
// and links are marked too. Locally, words that start with a query term are marked.
const served = (hits) => {
  const set = new Set();
  for (const it of hits)
    for (const g of it.highlights || []) {
      const text = Array.from(g.field == "question" ? it.question : it.snippet || "");
      set.add(fold(text.slice(g.start, g.end).join("")));
    }
  return set;
};

export default (x) => {
  if (x.ready) return;
  x.ready = 1;
  const { h, T, q, wide, list, say, root } = x;
  root.append(h("style", 0, __CSS2__));

  // A search result from another post names it, with a link to it when the post has an address.
  x.from = (it, u = it.post_url) =>
    it.post_id &&
    it.post_id != x.post && [
      (it.asker_name || it.answered_at ? " · " : "") + T2.from + " ",
      /^https?:\/\//.test(u) ? h("a", { href: u + "#kysy-" + it.id }, it.post_title || it.post_id) : it.post_title || it.post_id,
    ];

  // Deep link #kysy-<id>: expand, open and scroll to that answer (after the list is loaded).
  const jump = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    const i = x.items.findIndex((it) => "kysy-" + it.id == id);
    if (i < 0) return;
    if (x.shown) x.clear();
    if (i >= 5 && !x.open) (x.open = true), x.draw();
    const li = root.getElementById(id);
    li.firstChild.open = true;
    li.scrollIntoView({ block: "start" });
    li.firstChild.firstChild.focus({ preventScroll: true });
  };
  addEventListener("hashchange", jump);

  // Text pieces with matched words in <mark> (built from Text nodes, never parsed).
  const marker = (ok) => (text) => {
    const out = [];
    const f = fold(text);
    let last = 0;
    for (const m of f.matchAll(WORD))
      if (ok(m[0])) out.push(text.slice(last, m.index), h("mark", 0, text.slice(m.index, (last = m.index + m[0].length))));
    out.push(text.slice(last));
    return out;
  };
  const prefixes = (ts) => marker((w) => ts.some((t) => w.startsWith(t)));

  // ---- search: instant local results, then the server's ranking for this post (or all posts) ----
  const cache = {};
  let timer;
  let ctl;
  // What readers could not find: the search the reader settled on (the server's ranking shown), reported
  // once per page view when it is cleared or the page is left with nothing opened. Only the text and the
  // outcome go to the server (text/plain: no CORS preflight; keepalive: it survives the page closing).
  let last;
  const sent = {};
  const report = () => {
    if (last && !last.o && !sent[last.v]) {
      sent[last.v] = 1;
      x.call("/v1/posts/" + x.P + "/gaps", {
        method: "POST",
        keepalive: true,
        body: JSON.stringify({ q: last.v, kind: last.n ? "not_opened" : "no_results" }),
      }).catch(() => 0);
    }
    last = 0;
  };
  list.addEventListener("click", (e) => last && e.target.closest("summary,a") && (last.o = 1));
  addEventListener("pagehide", report);
  D.addEventListener("visibilitychange", () => D.hidden && report());
  const show = (items, mk, text, cls) => {
    x.shown = items;
    x.mk = mk;
    list.removeAttribute("aria-busy");
    x.draw();
    say(text || T2[items.length ? "results" : "none"].replace("{n}", items.length), cls);
  };
  const find = (x.find = () => {
    const v = q.value.trim().slice(0, 200);
    const all = wide.getAttribute("aria-pressed") == "true";
    const key = (all ? "*" : "") + v;
    clearTimeout(timer);
    ctl?.abort();
    if (!v) {
      report();
      x.shown = x.mk = null;
      list.removeAttribute("aria-busy");
      return x.draw();
    }
    const ts = terms(v);
    const local = rank(x.items, ts); // this post's; "all posts" gets the others from the server
    // The server's ranking first; local matches it did not return (e.g. typed without ä/ö) after it.
    const merged = (hits) => {
      const ids = new Set(hits.map((it) => it.id));
      const all = [...hits, ...local.filter((it) => !ids.has(it.id))];
      last = { v, n: all.length };
      return show(all, marker((w) => hits.w.has(w) || ts.some((t) => w.startsWith(t))));
    };
    if (cache[key]) return merged(cache[key]);
    if (ts.join("").length < 2) return show(local, prefixes(ts)); // one letter: local only
    // Never "no results" while the server may still find some: say we are searching.
    x.shown = local;
    x.mk = prefixes(ts);
    list.setAttribute("aria-busy", "true");
    x.draw();
    say(T2.searching, "busy");
    const c = (ctl = new AbortController());
    timer = setTimeout(async () => {
      try {
        const r = await x.call(
          "/v1/search?live=1&limit=20&q=" + encodeURIComponent(v) + (all ? "" : "&post_id=" + x.P),
          { signal: c.signal },
        );
        r.items.w = served(r.items);
        merged((cache[key] = r.items));
      } catch (e) {
        // Keep the instant local results, with a quiet note.
        if (!c.signal.aborted)
          show(
            local,
            prefixes(ts),
            (local.length ? T2.results.replace("{n}", local.length) + ". " : T2.none + " ") + T2.quick,
            "note",
          );
      }
    }, 200);
  });
  x.clear = () => {
    q.value = "";
    find();
  };
  q.addEventListener("input", find);
  wide.addEventListener("click", find);

  // ---- ask form --------------------------------------------------------------------------
  const key = "kysy-draft:" + x.post;
  // Draft storage; localStorage may be missing or throw (privacy modes): then no drafts.
  // A draft holds the question, the name and the idempotency key: never an email address.
  const store = (v) => {
    try {
      if (!v) return JSON.parse(localStorage[key]);
      localStorage[key] = JSON.stringify(v);
    } catch {}
  };
  // randomUUID needs a secure context; every blob: URL ends in a random v4 UUID.
  const uuid = () => crypto.randomUUID?.() || URL.createObjectURL(new Blob()).slice(-36);
  const field = (tag, id, label, extra) => [h("label", { for: id }, label), h(tag, { id, name: id, ...extra })];
  const [ql, qa] = field("textarea", "kq", T2.q, { rows: 4, maxlength: 2000, required: true });
  const [nl, na] = field("input", "kn", T2.name, { autocomplete: "name", maxlength: 80 });
  const [el, ea] = field("input", "ke", T2.email, { type: "email", autocomplete: "email", "aria-describedby": "kc" });
  const box = h("input", { type: "checkbox", id: "kw", "aria-controls": "kx", onchange: () => toggle(1) });
  const emailRow = h("div", { id: "kx", hidden: true }, el, ea, h("p", { id: "kc", class: "m" }, T2.consent));
  const toggle = (focus) => {
    emailRow.hidden = !box.checked;
    if (!box.checked) ea.value = "";
    else if (focus) ea.focus();
  };
  const trap = h("input", { name: "website", tabindex: "-1", autocomplete: "off" });
  const fmsg = h("p", { role: "status", class: "m" });
  const ferr = h("p", { role: "alert" });
  // Pending and success go to the status line, errors to the alert: each looks and is announced its way.
  const tell = (text, cls) => {
    const er = cls == "er";
    fmsg.textContent = er ? "" : text;
    fmsg.className = er ? "m" : "m " + cls;
    ferr.textContent = er ? text : "";
    ferr.className = er ? "er" : "";
  };
  const sug = h("div", { class: "s", hidden: true, "aria-live": "polite" });
  const send = h("button", { class: "p" }, T2.send);
  let draft = store() || {};
  if (draft.e) store((draft = { q: draft.q, n: draft.n, k: draft.k })); // drafts of older versions held the email

  const suggest = () => {
    const v = qa.value.trim();
    const ts = terms(v).filter((t) => t.length > 3);
    const found = v.length > 9 ? rank(x.items, ts, 1).slice(0, 3) : [];
    sug.replaceChildren(h("p", { class: "m" }, T2.similar), h("ul", { class: "l" }, ...found.map((it) => x.card(it, 0, prefixes(ts)))));
    sug.hidden = !found.length;
  };

  const form = h(
    "form",
    {
      novalidate: true,
      oninput: (e) => {
        if (e.target == trap || e.target == ea || e.target == box) return;
        const d = { q: qa.value, n: na.value };
        // A changed question is a new request: only an unchanged retry reuses the key.
        if (draft.q == d.q) d.k = draft.k;
        store((draft = d));
        e.target.removeAttribute("aria-invalid");
        if (e.target == qa) suggest();
      },
      onsubmit: async (e) => {
        e.preventDefault();
        const question = qa.value.trim();
        const name = na.value.trim();
        const email = box.checked ? ea.value.trim() : "";
        const bad =
          question.length < 3 ? [qa, "short"]
          : question.length > 2000 ? [qa, "long"]
          : box.checked && (!email || !ea.checkValidity()) ? [ea, "badEmail"]
          : 0;
        if (bad) {
          bad[0].setAttribute("aria-invalid", "true");
          bad[0].focus();
          return tell(T2[bad[1]], "er");
        }
        draft.k ||= uuid();
        store(draft);
        send.disabled = true;
        tell(T2.sending, "busy");
        try {
          await x.call("/v1/posts/" + x.P + "/questions", {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": draft.k },
            body: JSON.stringify({
              question,
              name: name || undefined,
              email: email || undefined,
              notify: box.checked,
              website: trap.value,
            }),
          });
          form.reset();
          toggle();
          store((draft = { q: "" }));
          sug.hidden = true;
          tell(T2.sent, "ok");
        } catch (err) {
          const c = { payload_too_large: "long", post_closed: "closed", unavailable: "net" }[err.code] || err.code;
          tell(T2[c] || T[c] || err.message || T2.net, "er");
          if (c == "closed") x.closed = 1, x.loaded();
        }
        send.disabled = false;
      },
    },
    h("h3", 0, T2.ask),
    ql,
    qa,
    sug,
    nl,
    na,
    h("div", { class: "c" }, box, h("label", { for: "kw" }, T2.notify)),
    emailRow,
    h("div", { class: "h", "aria-hidden": "true" }, h("label", 0, "Website", trap)),
    send,
    fmsg,
    ferr,
  );
  qa.value = draft.q || "";
  na.value = draft.n || "";
  // Called now and whenever the list (re)loads: the form or the "closed" note, search, deep link.
  (x.loaded = () => {
    x.slot.replaceChildren(x.closed ? h("p", 0, T2.closed) : form);
    x.slot.className = "";
    if (q.value) find();
    jump();
  })();
};
