// Builds the front-end assets into build/static/ (served by Django's staticfiles):
//   uslugi/css/uslugi.css      GOV.UK Frontend compiled with our settings (system fonts, brand)
//   uslugi/js/app.mjs          our module: starts GOV.UK Frontend's components
//   uslugi/images/             our own images (favicon)
//   govuk/                     GOV.UK Frontend's ES module and assets (never the fonts)
//   vendor/htmx.min.js         htmx
// Run with `npm run build` (the Makefile does it after `npm ci`). Needs no network.
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const govuk = join(modules, "govuk-frontend", "dist", "govuk");
const out = join(root, "build", "static");

async function copy(from, to) {
  await mkdir(dirname(to), { recursive: true });
  await cp(from, to, { recursive: true });
}

async function buildCss() {
  const result = await sass.compileAsync(join(root, "frontend", "scss", "uslugi.scss"), {
    loadPaths: [join(modules, "govuk-frontend", "dist")],
    style: "compressed",
    sourceMap: false,
    // Deprecation notices from GOV.UK Frontend's own Sass are theirs to fix, not ours.
    quietDeps: true,
  });
  if (/GDS Transport|\.woff2?\b/.test(result.css)) {
    throw new Error("uslugi.css refers to the GDS Transport font, which Uslugi may not use");
  }
  const target = join(out, "uslugi", "css", "uslugi.css");
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, result.css);
}

async function copyAssets() {
  await copy(join(govuk, "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
  await copy(
    join(govuk, "govuk-frontend.min.js.map"),
    join(out, "govuk", "govuk-frontend.min.js.map"),
  );
  // Images and manifest only: the fonts are GDS Transport, licensed for GOV.UK alone.
  await copy(join(govuk, "assets", "images"), join(out, "govuk", "assets", "images"));
  await copy(join(govuk, "assets", "manifest.json"), join(out, "govuk", "assets", "manifest.json"));
  await copy(join(modules, "htmx.org", "dist", "htmx.min.js"), join(out, "vendor", "htmx.min.js"));
  await copy(join(root, "frontend", "js", "app.mjs"), join(out, "uslugi", "js", "app.mjs"));
  await copy(join(root, "frontend", "images"), join(out, "uslugi", "images"));
}

// Start clean so files removed from the sources do not linger in build/.
await rm(join(out, "govuk"), { recursive: true, force: true });
await rm(join(out, "uslugi"), { recursive: true, force: true });
await rm(join(out, "vendor"), { recursive: true, force: true });
await Promise.all([buildCss(), copyAssets()]);
