"""Compile every translation catalog under locale/ (``*.po`` → ``*.mo``) with polib, so neither README command
needs GNU gettext on the machine. Run by scripts/setup.sh; prints one line per catalog."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        catalog = polib.pofile(str(po_path))
        catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.relative_to(ROOT)}: {len(catalog.translated_entries())} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
