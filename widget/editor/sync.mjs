// No build step: the editor view is served as-is. This copies the source files into the
// package folder the editor Lambda serves at /editor/ (functions/kysy/static/editor/).
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "..", "functions", "kysy", "static", "editor");
export const FILES = readdirSync(here).filter((f) => /\.(html|js|css)$/.test(f) && f !== "sync.mjs");
mkdirSync(out, { recursive: true });
for (const f of FILES) copyFileSync(join(here, f), join(out, f));
console.log(`copied ${FILES.join(", ")} -> ${out}`);
