// DOM building without innerHTML: every editor/reader string becomes a Text node.
// Answers render with the widget's own rules: kysy-render.js is the file the widget build bundles.
import { dom, formatDate, parse } from "./kysy-render.js";
import { DATES, DEFAULT } from "./strings.js";

const D = document;

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

// The answer exactly as the widget renders it: paragraphs, lists and links (CSS: white-space pre-line).
export const answerBody = (text) => dom(parse(text), h);

// A date exactly as the widget shows it to readers of a post in `lang` (same helper, same formats).
export const readerDate = (iso, lang) => formatDate(iso, DATES[lang] || DATES[DEFAULT]);

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
