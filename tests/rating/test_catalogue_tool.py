"""Installing an official sheet (the command of services/rating/catalogue/README.md) without touching code."""

from __future__ import annotations

import json
import shutil

from services.rating.domain.catalogue import SHIPPED, load_catalogue
from services.rating.entrypoints.catalogue_tool import main


def copy_of_catalogue(tmp_path):
    folder = tmp_path / "1048+781"
    shutil.copytree(SHIPPED, folder)
    return folder


def official_set_07(tmp_path, **change):
    sheet = json.loads((SHIPPED / "sheets" / "set-01.json").read_text(encoding="utf-8"))
    sheet.update(product_set=7, provisional=False, source="official appendix", **change)
    path = tmp_path / "official-07.json"
    path.write_text(json.dumps(sheet, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_official_sheet_that_adds_up_replaces_the_provisional_one(tmp_path, capsys):
    folder = copy_of_catalogue(tmp_path)
    assert main(["install", str(official_set_07(tmp_path)), "--catalogue", str(folder)]) == 0
    sheet = load_catalogue(folder).sheet(7)
    assert not sheet.provisional and "A1.6" in sheet.criteria
    assert "24 provisional" in capsys.readouterr().out


def test_an_official_sheet_that_does_not_add_up_is_refused_and_nothing_is_written(tmp_path, capsys):
    folder = copy_of_catalogue(tmp_path)
    before = (folder / "sheets" / "set-07.json").read_text(encoding="utf-8")
    bad = official_set_07(tmp_path)
    data = json.loads(bad.read_text(encoding="utf-8"))
    data["parts"][1]["max"] = 30
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert main(["install", str(bad), "--catalogue", str(folder)]) == 1
    assert "set-07 part B: maximum 30, the regime fixes 25" in capsys.readouterr().err
    assert (folder / "sheets" / "set-07.json").read_text(encoding="utf-8") == before


def test_check_reports_the_shipped_catalogue(capsys):
    assert main(["check"]) == 0
    assert "26 sheets adding up, 25 provisional" in capsys.readouterr().out
