// How an answer's text becomes paragraphs, lists and links: the ONE set of rules, written here for the
// widget (widget/build.mjs bundles this file) and the editor preview (which loads it as it is), and in
// functions/kysy/service/render.py for the HTML fragment. Both are checked against the shared vectors
// in tests/vectors/rich_text.json; the rules are listed in render.py's docstring.
// Structure: [{p: inline} | {ul: [inline]} | {ol: [inline], start?}], inline = [string | {a, t}].
// Nothing here parses HTML: dom() builds elements and Text nodes, html() escapes every piece.

export const REL = "nofollow noopener ugc";
const ITEM = /^[ \t]*(?:([-*])|([1-9][0-9]{0,8})[.)])[ \t]+([^ \t][^]*)$/;
// [text](http/https/mailto address), or a bare http(s) address: any run of characters but spaces and
// <>, where parentheses must pair up, that does not end in sentence punctuation.
const LINKS =
  /\[([^\]\n]+)\]\(((?:https?:\/\/|mailto:)(?:[^\s()<>]|\([^\s()<>]*\))+)\)|(https?:\/\/(?:[^\s()<>]|\([^\s()<>]*\))*(?:[^\s()<>.,;:!?'"’”»\]}*_]|\([^\s()<>]*\)))/g;
const trim = (s) => s.replace(/^[ \t]+|[ \t]+$/g, "");

export const inline = (text) => {
  const out = [];
  let pos = 0;
  for (const m of text.matchAll(LINKS)) {
    if (m.index > pos) out.push(text.slice(pos, m.index));
    out.push({ a: m[2] || m[3], t: m[1] || m[3] });
    pos = m.index + m[0].length;
  }
  if (pos < text.length) out.push(text.slice(pos));
  return out;
};

export const parse = (text) => {
  const blocks = [];
  let cur = null; // the paragraph or list the next line may continue
  for (const raw of (text || "").replace(/\r\n?/g, "\n").split("\n")) {
    const line = trim(raw);
    const item = ITEM.exec(raw);
    if (!line) cur = null;
    else if (item) {
      const kind = item[1] ? "ul" : "ol";
      if (!cur || !cur[kind]) {
        blocks.push((cur = { [kind]: [] }));
        if (kind == "ol" && +item[2] != 1) cur.start = +item[2];
      }
      cur[kind].push(inline(trim(item[3])));
    } else if (cur && cur.p) cur.p += "\n" + line;
    else blocks.push((cur = { p: line }));
  }
  for (const b of blocks) if (b.p) b.p = inline(b.p);
  return blocks;
};

// Elements for the blocks. h(tag, attrs, ...kids) builds an element; mark(string) returns the string's
// pieces (Text strings and <mark> elements) for search highlights. Line breaks stay "\n" in Text nodes
// (the widget's and the preview's CSS show them with white-space: pre-line).
export const dom = (blocks, h, mark = (s) => [s]) => {
  const kids = (xs) => xs.flatMap((x) => (x.a ? [h("a", { href: x.a, rel: REL }, ...mark(x.t))] : mark(x)));
  return blocks.map((b) =>
    b.p
      ? h("p", 0, ...kids(b.p))
      : h(b.ul ? "ul" : "ol", { start: b.start }, ...(b.ul || b.ol).map((i) => h("li", 0, ...kids(i)))),
  );
};

// The same blocks as an HTML string for JSON-LD; byte for byte render.py's rich_html().
const esc = (s) => s.replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt() + ";");
const inHtml = (xs) =>
  xs.map((x) => (x.a ? `<a href="${esc(x.a)}" rel="${REL}">${esc(x.t)}</a>` : esc(x).replace(/\n/g, "<br>"))).join("");
export const html = (blocks) =>
  blocks
    .map((b) => {
      if (b.p) return `<p>${inHtml(b.p)}</p>`;
      const k = b.ul ? "ul" : "ol";
      return `<${k}${b.start ? ` start="${b.start}"` : ""}>${(b.ul || b.ol).map((i) => `<li>${inHtml(i)}</li>`).join("")}</${k}>`;
    })
    .join("");

// A date as readers see it: Intl with the language's locale and options from the registry
// (kysy/i18n/<lang>.json "date"), in the viewer's time zone. The widget and the editor preview both
// call this, so the preview shows dates exactly as the widget does in the same browser.
// One formatter per locale: creating an Intl.DateTimeFormat costs milliseconds, formatting microseconds.
const formats = {};
export const formatDate = (iso, f) =>
  (formats[f.locale] ||= new Intl.DateTimeFormat(f.locale, f.options)).format(new Date(iso));
