// Bundle the dashboard's chart script (with Chart.js) into one offline file:
// bot/web/static/funnel.js. Same esbuild as the widget (web/widget/build.mjs).
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(resolve(here, "package.json"), "utf8"));
const outfile = process.env.FUNNEL_OUTFILE || resolve(here, "../../bot/web/static/funnel.js");

await build({
  entryPoints: [resolve(here, "src/funnel.js")],
  outfile,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2020", "chrome90", "firefox90", "safari15", "edge90"],
  minify: true,
  legalComments: "none",
  banner: { js: `/*! carrier-advisor-dashboard-charts v${pkg.version} | bundles Chart.js (MIT) */` },
  logLevel: "warning",
});
console.log(`built ${outfile} (v${pkg.version})`);
