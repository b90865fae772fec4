#!/usr/bin/env bash
# End-to-end in a real browser: serve on a model this test trains, and headless Chromium driven
# by Selenium (Debian's chromium, chromium-driver, python3-selenium; tools/test.sh installs them)
# through tests/e2e/support/browser_session.py: four favourites typed and picked (keyboard and
# mouse), answers by key and button, the info panel, "more like this", the liked list, starting
# over, a session kept under a name then resumed with the Resume button (nothing answered comes
# back); any JavaScript console error fails. On failure the screenshot is kept in the build folder
# (test-output/browser-failure.png). Usage: browser.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"
# shellcheck source=tests/e2e/support/serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/serve.sh"

for need in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$need" ] || fail "$need is missing: apt-get install chromium chromium-driver (tools/test.sh does)"
done
"$PY" -c "import selenium" 2> /dev/null || fail "python3-selenium is missing (tools/test.sh installs it)"

small_model 6

"$PY" "$SRC/tests/e2e/support/catalog_movies.py" artifacts processed ids.json

OUTPUT=$(dirname "$BIN")/test-output
mkdir -p "$OUTPUT"
rm -f "$OUTPUT/browser-failure.png"
start_serve browser --quiet
"$PY" "$SRC/tests/e2e/support/browser_session.py" "$URL" ids.json \
  "$OUTPUT/browser-failure.png" || fail "the browser session failed (screenshot: $OUTPUT/browser-failure.png)"
stop_serve browser
echo "browser e2e: ok"
