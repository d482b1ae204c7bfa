#!/usr/bin/env bash
# Open an eval HTML report in a real headless browser (Debian's `chromium` package),
# fail on any console error, and save a screenshot of the page to look at.
#   scripts/check_html_report.sh RUN.json [SCREENSHOT.png]
set -euo pipefail
run=${1:?usage: check_html_report.sh RUN.json [SCREENSHOT.png]}
shot=${2:-report.png}
command -v chromium >/dev/null || { echo "needs chromium (apt-get install chromium)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rewriter=${REWRITER:-rewriter}
"$rewriter" eval report "$run" --format html --out "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0 \
  --user-data-dir="$work/profile" --window-size=1280,2400 --screenshot="$shot" "file://$work/report.html" \
  2>"$work/console.log" >/dev/null
if grep -E "CONSOLE|Uncaught|Failed to load resource|net::ERR" "$work/console.log"; then
  echo "console errors in the report (above)" >&2
  exit 1
fi
[ -s "$shot" ] || { echo "no screenshot was written" >&2; exit 1; }
echo "no console errors; screenshot: $shot"
