"""The criteria catalogue of one regime (bộ tiêu chí, e.g. ``1048+781``): classification, sheets, bands, minimums.

``parse_catalogue`` is pure (parsed JSON in, ``Catalogue`` out, refused with a message naming the entry when it
does not add up); ``load_catalogue`` only reads the folder's files. Format: services/rating/catalogue/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.rating.domain.bands import BandTable, parse_bands
from services.rating.domain.errors import CatalogueError, RatingError
from services.rating.domain.levels import Levels, parse_levels
from services.rating.domain.minimums import MinimumRule, Minimums, parse_minimums
from services.rating.domain.sheets import Sheet, need, parse_sheet, sheet_entry

SHIPPED = Path(__file__).resolve().parent.parent / "catalogue" / "1048+781"


@dataclass(frozen=True)
class ProductSet:
    """Bộ sản phẩm: one of the 26 sets; it decides the scoring sheet."""

    number: int
    sector: str
    group: int
    name_vi: str
    name_en: str
    lead_ministry: str


@dataclass(frozen=True)
class Catalogue:
    regime: str
    version: str
    part_maxima: Mapping[str, int]
    sectors: Mapping[str, str]
    product_sets: Mapping[int, ProductSet]
    sheets: Mapping[int, Sheet]
    bands: BandTable
    minimum_rules: Minimums
    levels: Levels

    def sheet(self, product_set: int) -> Sheet:
        if product_set not in self.sheets:
            raise RatingError(f"product set {product_set} does not exist in regime {self.regime}", field="product_set")
        return self.sheets[product_set]

    def band(self, mean: Any) -> int:
        return self.bands.band(mean)

    def minimums(self, stars: int, product_set: int, *, include_unverified: bool = False) -> tuple[MinimumRule, ...]:
        return self.minimum_rules.for_star(stars, product_set, include_unverified=include_unverified)


def _product_sets(raw: Mapping[str, Any]) -> dict[int, ProductSet]:
    sectors = {s["id"] for s in need(raw, "sectors", "classification")}
    groups = {g["id"]: g for g in need(raw, "groups", "classification")}
    sets: dict[int, ProductSet] = {}
    for s in need(raw, "product_sets", "classification"):
        number = int(need(s, "number", "classification product set"))
        entry = f"classification product set {number}"
        group = groups.get(need(s, "group", entry))
        if group is None or group.get("sector") not in sectors or number in sets:
            raise CatalogueError(f"{entry}: repeated, or its group/sector is unknown", field=entry)
        sets[number] = ProductSet(number, group["sector"], group["id"], need(s, "name_vi", entry),
                                  s.get("name_en", ""), need(s, "lead_ministry", entry))
    return sets


def _sheets(raws: list[Mapping[str, Any]], sets: Mapping[int, ProductSet], maxima: Mapping[str, int]) -> dict[int, Sheet]:
    sheets: dict[int, Sheet] = {}
    for sheet in (parse_sheet(r, maxima) for r in raws):
        if sheet.product_set not in sets or sheet.product_set in sheets:
            raise CatalogueError(f"{sheet.entry}: no such product set, or a second sheet for it", field=sheet.entry)
        sheets[sheet.product_set] = sheet
    missing = [sheet_entry(n) for n in sorted(set(sets) - set(sheets))]
    if missing:
        raise CatalogueError(f"no sheet for {', '.join(missing)}", field=missing[0])
    return sheets


def _same_regime(raw: Mapping[str, Any], regime: str) -> None:
    for name in ("classification", "bands", "minimums", "sheets"):
        parts = raw[name] if name == "sheets" else [raw[name]]
        for part in parts:
            if part.get("regime", regime) != regime:
                raise CatalogueError(f"{name}: regime {part.get('regime')!r} in a {regime!r} catalogue", field=name)


def parse_catalogue(raw: Mapping[str, Any]) -> Catalogue:
    """``raw`` holds the parsed files: catalogue (manifest), classification, bands, minimums, sheets (a list)."""
    for key in ("catalogue", "classification", "bands", "minimums", "sheets"):
        need(raw, key, "catalogue folder")
    manifest = raw["catalogue"]
    regime = str(need(manifest, "regime", "catalogue"))
    _same_regime(raw, regime)
    maxima = {str(p["id"]): int(p["max"]) for p in need(manifest, "parts", "catalogue")}
    total = int(need(manifest, "total", "catalogue"))
    if sum(maxima.values()) != total:
        raise CatalogueError(f"catalogue: part maxima add up to {sum(maxima.values())}, not the total {total}",
                             field="catalogue")
    sets = _product_sets(raw["classification"])
    sheets = _sheets(list(raw["sheets"]), sets, maxima)
    bands = parse_bands(raw["bands"], total)
    stars = {b.stars for b in bands.bands}
    minimums = parse_minimums(raw["minimums"], sheets, stars)
    levels = parse_levels(need(manifest, "levels", "catalogue"), stars, total)
    sectors = {s["id"]: s["name_vi"] for s in raw["classification"]["sectors"]}
    return Catalogue(regime, str(manifest.get("version", "")), maxima, sectors, sets, sheets, bands, minimums, levels)


def read_catalogue_files(folder: Path) -> dict[str, Any]:
    """The folder's JSON files as parsed data (the only I/O); sheets are every ``sheets/*.json``."""
    def read(path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8"))

    raw: dict[str, Any] = {name: read(folder / f"{name}.json") for name in ("catalogue", "classification", "bands", "minimums")}
    raw["sheets"] = [read(p) for p in sorted((folder / "sheets").glob("*.json"))]
    return raw


def load_catalogue(path: Path | str = SHIPPED) -> Catalogue:
    return parse_catalogue(read_catalogue_files(Path(path)))
