// DOM building without innerHTML: every editor/reader string becomes a Text node.
const D = document;
// Same link rule as the widget (widget/src/kysy.js): [text](http/https/mailto) only.
const LINK = /\[([^\]\n]+)\]\(((?:https?:\/\/|mailto:)[^\s()]+)\)/g;

// h("a", {href, onclick}, "text", node): attributes via setAttribute, children via append.
export const h = (tag, attrs, ...kids) => {
  const el = D.createElement(tag);
  for (const k in attrs || {}) {
    const v = attrs[k];
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else if (v !== false && v != null) el.setAttribute(k, String(v));
  }
  el.append(...kids.flat().filter((k) => k != null && k !== false));
  return el;
};

// The answer exactly as the widget renders it: blank-line separated <p>s, whitespace pre-line.
export const answerBody = (text) =>
  (text || "").split(/\n\s*\n/).map((para) => {
    const p = h("p");
    let last = 0;
    for (const m of para.matchAll(LINK)) {
      p.append(para.slice(last, m.index), h("a", { href: m[2], rel: "nofollow noopener ugc" }, m[1]));
      last = m.index + m[0].length;
    }
    p.append(para.slice(last));
    p.style.whiteSpace = "pre-line";
    return p;
  });

// Text with <mark>s at [start, end) ranges given in code points (the API counts like Python).
export const marked = (text, ranges) => {
  const cps = Array.from(text || "");
  const out = [];
  let last = 0;
  for (const { start, end } of [...(ranges || [])].sort((a, b) => a.start - b.start)) {
    if (start < last || end <= start || end > cps.length) continue;
    out.push(cps.slice(last, start).join(""), h("mark", null, cps.slice(start, end).join("")));
    last = end;
  }
  out.push(cps.slice(last).join(""));
  return out;
};
