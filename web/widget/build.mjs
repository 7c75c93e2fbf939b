// Bundle src/ (with socket.io-client) into one self-contained file: bot/web/static/widget.js.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(resolve(here, "package.json"), "utf8"));
const outfile = process.env.WIDGET_OUTFILE || resolve(here, "../../bot/web/static/widget.js");

await build({
  entryPoints: [resolve(here, "src/index.js")],
  outfile,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2020", "chrome90", "firefox90", "safari15", "edge90"],
  minify: true,
  legalComments: "none",
  loader: { ".css": "text" },
  define: { __WIDGET_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: `/*! carrier-advisor-widget v${pkg.version} | bundles socket.io-client (MIT) */` },
  logLevel: "warning",
});
console.log(`built ${outfile} (v${pkg.version})`);
