"""Command to check a catalogue folder and to install an official sheet without touching code.

    python -m services.rating.entrypoints.catalogue_tool check   [--catalogue FOLDER]
    python -m services.rating.entrypoints.catalogue_tool install SHEET.json [--catalogue FOLDER]

``install`` validates the whole catalogue with the new sheet in place of the provisional one and writes
``sheets/set-NN.json`` only if it adds up; otherwise it prints the refusal (naming the entry) and exits 1.
This module is the command's thin I/O shell; the checks are ``parse_catalogue``'s.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from services.rating.domain.catalogue import (
    SHIPPED,
    Catalogue,
    parse_catalogue,
    read_catalogue_files,
)
from services.rating.domain.errors import CatalogueError
from services.rating.domain.sheets import sheet_entry


def install_sheet(folder: Path, sheet_file: Path) -> Path:
    """Write the sheet into the catalogue folder if the catalogue still adds up with it; return the written path."""
    sheet = json.loads(sheet_file.read_text(encoding="utf-8"))
    raw = read_catalogue_files(folder)
    number = sheet.get("product_set")
    raw["sheets"] = [s for s in raw["sheets"] if s.get("product_set") != number] + [sheet]
    parse_catalogue(raw)
    target = folder / "sheets" / f"{sheet_entry(int(number))}.json"
    target.write_text(json.dumps(sheet, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


def _summary(catalogue: Catalogue) -> str:
    provisional = [n for n, s in sorted(catalogue.sheets.items()) if s.provisional]
    return (f"catalogue {catalogue.regime} {catalogue.version}: {len(catalogue.sheets)} sheets adding up, "
            f"{len(provisional)} provisional ({', '.join(map(str, provisional)) or 'none'})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.rating.entrypoints.catalogue_tool")
    parser.add_argument("action", choices=("check", "install"))
    parser.add_argument("sheet", nargs="?", type=Path, help="the official sheet (JSON) to install")
    parser.add_argument("--catalogue", type=Path, default=SHIPPED, help="catalogue folder (default: the shipped 1048+781)")
    args = parser.parse_args(argv)
    try:
        if args.action == "install":
            if args.sheet is None:
                parser.error("install needs the sheet file")
            print(f"installed {install_sheet(args.catalogue, args.sheet)}")
        print(_summary(parse_catalogue(read_catalogue_files(args.catalogue))))
    except CatalogueError as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
