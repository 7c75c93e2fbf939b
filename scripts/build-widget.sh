#!/usr/bin/env bash
# Build the website chat widget: web/widget/src -> bot/web/static/widget.js (one offline file),
# and the dashboard charts: web/dashboard/src -> bot/web/static/funnel.js.
# Idempotent: `npm ci` only when package-lock.json changed, esbuild only when a source is newer
# than the bundle. Needs Node >= 18 and the npm registry (or a warm npm cache) for the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
widget=web/widget
out=bot/web/static/widget.js

if ! command -v npm >/dev/null 2>&1; then
  if [ -f "$out" ]; then
    echo "==> npm not found; keeping the existing $out" >&2
    exit 0
  fi
  echo "error: npm (Node >= 18) is needed to build $out" >&2
  exit 1
fi

# node_modules/.package-lock.json is written by npm after a successful install.
if [ ! -f "$widget/node_modules/.package-lock.json" ] || [ "$widget/package-lock.json" -nt "$widget/node_modules/.package-lock.json" ]; then
  echo "==> installing widget build dependencies (npm ci)"
  # --ignore-scripts: esbuild ships its binary as an optional dependency; no install script is needed.
  (cd "$widget" && npm ci --no-audit --no-fund --prefer-offline --ignore-scripts --loglevel=error)
fi

stale=0
if [ ! -f "$out" ]; then
  stale=1
elif [ -n "$(find "$widget/src" "$widget/build.mjs" "$widget/package.json" "$widget/package-lock.json" -newer "$out" -print -quit)" ]; then
  stale=1
fi
if [ "$stale" = 1 ]; then
  echo "==> building $out"
  (cd "$widget" && node build.mjs)
else
  echo "==> $out is up to date"
fi

# Second entry: the dashboard's funnel charts (web/dashboard: Chart.js -> bot/web/static/funnel.js),
# under the same rules (npm ci only when its lock changed, esbuild only when a source is newer).
charts=web/dashboard
charts_out=bot/web/static/funnel.js
if [ ! -f "$charts/node_modules/.package-lock.json" ] || [ "$charts/package-lock.json" -nt "$charts/node_modules/.package-lock.json" ]; then
  echo "==> installing dashboard chart build dependencies (npm ci)"
  (cd "$charts" && npm ci --no-audit --no-fund --prefer-offline --ignore-scripts --loglevel=error)
fi
if [ ! -f "$charts_out" ] || [ -n "$(find "$charts/src" "$charts/build.mjs" "$charts/package.json" "$charts/package-lock.json" -newer "$charts_out" -print -quit)" ]; then
  echo "==> building $charts_out"
  (cd "$charts" && node build.mjs)
else
  echo "==> $charts_out is up to date"
fi
