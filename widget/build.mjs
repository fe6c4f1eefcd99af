// Build the widget into functions/kysy/static/widget/ (committed; the reader Lambda serves it, so the
// Python package and `sam build` need no Node), and the editor view's generated files.
//
//   kysy.js                        first view: list, styles, JSON-LD, loader (the file blogs embed)
//   kysy.<lang>.<hash>.js          the first view's strings for one language (fetched beside the API call)
//   kysy-more.<lang>.<hash>.js     second chunk: search and the ask form, with that language's strings
//   manifest.json                  which files make the first view and the total, per language
//   ../editor/strings.js           the editor view's strings and date formats from the language registry
//
// Strings come from the language registry functions/kysy/i18n/ (languages.json + <lang>.json).
// Fails when the first view (kysy.js + one language's strings) or the total (+ the second chunk) of
// any language is over its gzip -9 budget.
// Usage: npm ci && node build.mjs
import { build, transform } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

export const FIRST_VIEW_BUDGET = 4096;
export const TOTAL_BUDGET = 9216;
// Strings the first view shows; every other widget string ships with the second chunk.
const FIRST_KEYS = ["title", "search", "allPosts", "all", "less", "loading", "fail", "retry", "empty"];
const TARGET = ["es2021", "chrome91", "firefox90", "safari15"];

const here = new URL(".", import.meta.url).pathname;
const pkgDir = here + "../functions/kysy/";
const outDir = pkgDir + "static/widget/";
const editorDir = pkgDir + "static/editor/";
const pkg = JSON.parse(readFileSync(here + "package.json", "utf8"));
const json = (path) => JSON.parse(readFileSync(path, "utf8"));

// ---- the language registry ----------------------------------------------------------------
const registry = json(pkgDir + "i18n/languages.json");
const langs = Object.keys(registry.languages);
const files = Object.fromEntries(langs.map((l) => [l, json(`${pkgDir}i18n/${l}.json`)]));
const section = (lang, name) => ({ ...files[registry.default][name], ...files[lang][name] }); // default fills gaps
for (const l of langs) {
  const missing = Object.keys(files[registry.default].widget).filter((k) => !(k in files[l].widget));
  if (missing.length) console.warn(`${l}: widget strings missing (English shown): ${missing.join(", ")}`);
}

const css = async (file) =>
  (await transform(readFileSync(here + "src/" + file, "utf8"), { loader: "css", minify: true })).code
    .trim()
    .replace(/([:,]) /g, "$1"); // esbuild keeps the spaces inside custom-property values
const hash = (text) => createHash("sha256").update(text).digest("hex").slice(0, 10);
const gz = (text) => gzipSync(Buffer.from(text), { level: 9 }).length;
const bundle = async (options) =>
  (
    await build({
      bundle: true,
      minify: true,
      format: "iife",
      target: TARGET,
      charset: "utf8",
      legalComments: "none",
      write: false,
      ...options,
    })
  ).outputFiles[0].text;

mkdirSync(outDir, { recursive: true });
const written = new Set(["kysy.js", "manifest.json"]);
const put = (name, text) => {
  writeFileSync(outDir + name, text);
  written.add(name);
  return name;
};

// ---- per language: first-view strings and the second chunk ----------------------------------
const css2 = await css("more.css");
const perLang = {};
const manifest = { version: pkg.version, budgets: { first_view: FIRST_VIEW_BUDGET, total: TOTAL_BUDGET }, languages: {} };
for (const l of langs) {
  const widget = section(l, "widget");
  const first = Object.fromEntries(FIRST_KEYS.map((k) => [k, widget[k]]));
  first.date = files[l].date;
  const rest = Object.fromEntries(Object.entries(widget).filter(([k]) => !FIRST_KEYS.includes(k)));
  const strings = `Kysy.s[${JSON.stringify(l)}]=${JSON.stringify(first)};\n`;
  const more = await bundle({
    stdin: {
      contents: `import f from "./more.js"; window.Kysy.m[${JSON.stringify(l)}] = f;`,
      resolveDir: here + "src",
    },
    define: { __T2__: JSON.stringify(rest), __CSS2__: JSON.stringify(css2) },
  });
  const sName = put(`kysy.${l}.${hash(strings)}.js`, strings);
  const mName = put(`kysy-more.${l}.${hash(more)}.js`, more);
  perLang[l] = [sName.split(".")[2], mName.split(".")[2]];
  manifest.languages[l] = { first_view: ["kysy.js", sName], second_chunk: [mName] };
}

// ---- the first view --------------------------------------------------------------------------
const code = await bundle({
  entryPoints: [here + "src/kysy.js"],
  define: {
    __CSS__: JSON.stringify(await css("kysy.css")),
    __VERSION__: JSON.stringify(pkg.version),
    __LANGS__: JSON.stringify(perLang),
    __DEFAULT__: JSON.stringify(registry.default),
  },
});
const main = `/*! Kysy ${pkg.version} | MIT */\n` + code;
writeFileSync(outDir + "kysy.js", main);
writeFileSync(outDir + "manifest.json", JSON.stringify(manifest, null, 2) + "\n");
for (const name of readdirSync(outDir)) if (!written.has(name)) rmSync(outDir + name); // stale hashed files

// ---- the editor view: the registry's strings (the rendering rules it shares are bundled above) ---
const editorStrings = Object.fromEntries(langs.map((l) => [l, files[l].editor]));
const dates = Object.fromEntries(langs.map((l) => [l, files[l].date]));
writeFileSync(
  editorDir + "strings.js",
  "// GENERATED by widget/build.mjs from the language registry functions/kysy/i18n/: edit those files.\n" +
    "// Editor view strings per language (keys a language lacks fall back to DEFAULT's) and date formats.\n" +
    `export const DEFAULT = ${JSON.stringify(registry.default)};\n` +
    `export const LANGS = ${JSON.stringify(registry.languages, null, 2)};\n` +
    `export const DATES = ${JSON.stringify(dates, null, 2)};\n` +
    `export const STRINGS = ${JSON.stringify(editorStrings, null, 2)};\n`,
);

// ---- sizes -------------------------------------------------------------------------------------
let over = false;
for (const l of langs) {
  const m = manifest.languages[l];
  const sizes = (names) => names.reduce((n, f) => n + gz(readFileSync(outDir + f, "utf8")), 0);
  const first = sizes(m.first_view);
  const total = first + sizes(m.second_chunk);
  console.log(
    `${l}: first view ${first} B gzip -9 (budget ${FIRST_VIEW_BUDGET}), total ${total} B (budget ${TOTAL_BUDGET})`,
  );
  over ||= first > FIRST_VIEW_BUDGET || total > TOTAL_BUDGET;
}
if (over) {
  console.error("over the size budget");
  process.exit(1);
}
