#!/usr/bin/env bash
# Vendors Guichet's pinned front-end libraries from the npm registry into static/vendor/.
# Nothing is loaded from a CDN at run time. Re-run after changing a version below, then commit.
set -euo pipefail
cd "$(dirname "$0")/.."

BOOTSTRAP=5.3.9
BOOTSTRAP_ICONS=1.13.2
HTMX=2.0.11
FULLCALENDAR=6.1.21
# The admin only: the French/English tabs of translated fields (django-modeltranslation).
JQUERY_UI=1.14.2
# axe-core: the accessibility engine the browser tests run on the portal (tests/e2e), never
# served to a page.
AXE_CORE=4.14.1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --ignore-scripts --save-exact \
    "bootstrap@$BOOTSTRAP" "bootstrap-icons@$BOOTSTRAP_ICONS" "htmx.org@$HTMX" \
    "fullcalendar@$FULLCALENDAR" "@fullcalendar/core@$FULLCALENDAR" \
    "jquery-ui@$JQUERY_UI" "axe-core@$AXE_CORE" >/dev/null
)
nm="$work/node_modules"
dest=static/vendor
rm -rf "$dest"
mkdir -p "$dest/bootstrap/css" "$dest/bootstrap/js" "$dest/bootstrap-icons/fonts" "$dest/htmx" "$dest/fullcalendar/locales" "$dest/jquery-ui" "$dest/axe-core"
cp "$nm/bootstrap/dist/css/bootstrap.min.css" "$nm/bootstrap/dist/css/bootstrap.min.css.map" "$dest/bootstrap/css/"
cp "$nm/bootstrap/dist/js/bootstrap.bundle.min.js" "$nm/bootstrap/dist/js/bootstrap.bundle.min.js.map" "$dest/bootstrap/js/"
cp "$nm/bootstrap/LICENSE" "$dest/bootstrap/"
cp "$nm/bootstrap-icons/font/bootstrap-icons.min.css" "$dest/bootstrap-icons/"
cp "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff2" "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff" "$dest/bootstrap-icons/fonts/"
cp "$nm/bootstrap-icons/LICENSE" "$dest/bootstrap-icons/"
cp "$nm/htmx.org/dist/htmx.min.js" "$dest/htmx/"
cp "$nm/htmx.org/LICENSE" "$dest/htmx/"
# FullCalendar's standard bundle (day, week, month, list, drag and drop) and its French locale
# (English is built in). It adds its CSS through a <style> carrying the page's CSP nonce.
cp "$nm/fullcalendar/index.global.min.js" "$dest/fullcalendar/"
cp "$nm/@fullcalendar/core/locales/fr.global.min.js" "$dest/fullcalendar/locales/"
cp "$nm/fullcalendar/LICENSE.md" "$dest/fullcalendar/"
# jQuery UI's bundle, run on the admin's own jQuery (settings.JQUERY_UI_URL).
cp "$nm/jquery-ui/dist/jquery-ui.min.js" "$nm/jquery-ui/LICENSE.txt" "$dest/jquery-ui/"
cp "$nm/axe-core/axe.min.js" "$nm/axe-core/LICENSE" "$dest/axe-core/"
cat > "$dest/VERSIONS" <<TXT
bootstrap $BOOTSTRAP
bootstrap-icons $BOOTSTRAP_ICONS
htmx.org $HTMX
fullcalendar $FULLCALENDAR
jquery-ui $JQUERY_UI
axe-core $AXE_CORE
TXT
echo "vendored into $dest:"; cat "$dest/VERSIONS"
