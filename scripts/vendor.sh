#!/usr/bin/env bash
# Refresh htxso/static/vendor from the pinned npm packages in package.json / package-lock.json.
# The copied files are committed: `make demo` needs neither npm nor the network.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts
dest=htxso/static/vendor
rm -rf "$dest" && mkdir -p "$dest/bootstrap" "$dest/htmx" "$dest/echarts"
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map "$dest/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map "$dest/bootstrap/"
cp node_modules/bootstrap/LICENSE "$dest/bootstrap/LICENSE"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
cp node_modules/htmx.org/LICENSE "$dest/htmx/LICENSE"
# ECharts: a custom build of only the charts and components the pages use
# (scripts/echarts-htxso.js), bundled by esbuild from the pinned package; about 70 % of the full
# build. It keeps the full build's file name so the pages need no change.
node_modules/.bin/esbuild scripts/echarts-htxso.js --bundle --minify --format=iife --target=es2018 \
  --legal-comments=none --log-level=warning --outfile="$dest/echarts/echarts.min.js"
cp node_modules/echarts/LICENSE "$dest/echarts/"
if [ -f node_modules/echarts/NOTICE ]; then cp node_modules/echarts/NOTICE "$dest/echarts/"; fi
# echarts.min.js bundles zrender (BSD-3-Clause) and parts of d3 (BSD-3-Clause): keep their notices too.
cp node_modules/zrender/LICENSE "$dest/echarts/LICENSE-zrender"
if [ -f node_modules/echarts/licenses/LICENSE-d3 ]; then cp node_modules/echarts/licenses/LICENSE-d3 "$dest/echarts/"; fi
# axe-core (MPL-2.0) is for the browser tests only (they inject it into each page; no page loads
# it): it lives beside them, not in static/, and keeps its licence files.
axe=htxso/core/tests/vendor/axe-core
rm -rf "$axe" && mkdir -p "$axe"
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE "$axe/"
if [ -f node_modules/axe-core/LICENSE-3RD-PARTY.txt ]; then cp node_modules/axe-core/LICENSE-3RD-PARTY.txt "$axe/"; fi
node -e "const p=require('./node_modules/axe-core/package.json');console.log(p.name+' '+p.version)" > "$axe/VERSION"
# Pre-compressed copies beside the big files: WhiteNoise sends them to browsers that accept gzip,
# on `make demo`'s server too (in production collectstatic compresses everything again).
for f in bootstrap/bootstrap.min.css bootstrap/bootstrap.bundle.min.js htmx/htmx.min.js echarts/echarts.min.js; do
  gzip -9 -n -c "$dest/$f" > "$dest/$f.gz"
done
for pkg in bootstrap htmx.org echarts zrender; do
  node -e "const p=require('./node_modules/$pkg/package.json');console.log(p.name+' '+p.version)"
done > "$dest/VERSIONS"
