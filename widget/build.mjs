// Build: src/kysy.js + src/kysy.css + src/strings.js -> dist/kysy.js (one minified file, CSS inlined).
// Usage: npm ci && node build.mjs        (dist/ is committed so the Python package needs no Node)
import { build, transform } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

const LIMIT = 5120; // gzip -9 budget for everything the first view downloads
const here = new URL(".", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(here + "package.json", "utf8"));
const css = (await transform(readFileSync(here + "src/kysy.css", "utf8"), { loader: "css", minify: true })).code
  .trim()
  .replace(/([:,]) /g, "$1"); // esbuild keeps the spaces inside custom-property values

mkdirSync(here + "dist", { recursive: true });
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
writeFileSync(here + "dist/kysy.js", file);
const gz = gzipSync(Buffer.from(file), { level: 9 }).length;
console.log(`dist/kysy.js  ${Buffer.byteLength(file)} B raw, ${gz} B gzip -9 (budget ${LIMIT})`);
if (gz > LIMIT) {
  console.error("over the size budget");
  process.exit(1);
}
