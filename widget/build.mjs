// Build: src/kysy.js + src/kysy.css + src/strings.js -> functions/kysy/static/widget/kysy.js
// (one minified file, CSS inlined). The reader Lambda serves it at /widget/kysy.js; the built file is
// committed so the Python package (and `sam build`) needs no Node.
// Usage: npm ci && node build.mjs
import { build, transform } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

const LIMIT = 5120; // gzip -9 budget for everything the first view downloads
const here = new URL(".", import.meta.url).pathname;
const outDir = here + "../functions/kysy/static/widget/";
const pkg = JSON.parse(readFileSync(here + "package.json", "utf8"));
const css = (await transform(readFileSync(here + "src/kysy.css", "utf8"), { loader: "css", minify: true })).code
  .trim()
  .replace(/([:,]) /g, "$1"); // esbuild keeps the spaces inside custom-property values

mkdirSync(outDir, { recursive: true });
const out = await build({
  entryPoints: [here + "src/kysy.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2021", "chrome91", "firefox90", "safari15"],
  charset: "utf8",
  legalComments: "none",
  define: { __CSS__: JSON.stringify(css), __VERSION__: JSON.stringify(pkg.version) },
  write: false,
});
const code = out.outputFiles[0].text;
const banner = `/*! Kysy ${pkg.version} | MIT */\n`;
const file = banner + code;
writeFileSync(outDir + "kysy.js", file);
const gz = gzipSync(Buffer.from(file), { level: 9 }).length;
console.log(`kysy.js  ${Buffer.byteLength(file)} B raw, ${gz} B gzip -9 (budget ${LIMIT})`);
if (gz > LIMIT) {
  console.error("over the size budget");
  process.exit(1);
}
