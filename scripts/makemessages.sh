#!/usr/bin/env bash
# Refresh the translation catalogs (locale/zh_Hant, locale/sv) from the code and templates, the one way CI checks:
# `bash scripts/makemessages.sh --check` fails when that would change a catalog (beyond its creation date).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemessages -l zh_Hant -l sv --no-obsolete --no-location -v 0 \
  --ignore=.venv --ignore=node_modules --ignore=static --ignore=staticfiles --ignore=bench --ignore=tests
if [ "${1:-}" = "--check" ]; then
  if ! git diff --quiet -I '^"POT-Creation-Date: ' -- locale; then
    git --no-pager diff --stat -I '^"POT-Creation-Date: ' -- locale
    echo "the catalogs are not up to date: run bash scripts/makemessages.sh, translate, commit" >&2
    exit 1
  fi
  git checkout -- locale  # only the creation date moved
fi
