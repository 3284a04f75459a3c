"""What the subscriber prints: Vietnamese district names from the reference data, the table, JSON lines; and the
command line's own refusals (one source, the feed's key, Kafka security settings that cannot work)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from ocop.cli import app
from ocop.subscribe.display import Snapshot, district_names
from ocop.subscribe.errors import SubscribeError
from ocop.subscribe.kafka import Security


def test_district_names_come_from_the_projects_reference_data_with_diacritics() -> None:
    names = district_names(None)
    assert names["380"] == "Thành phố Thanh Hóa" and names["394"] == "Huyện Yên Định" and len(names) == 27


def test_district_names_may_be_a_plain_object_and_a_bad_file_is_a_clear_error(tmp_path: Path) -> None:
    plain = tmp_path / "names.json"
    plain.write_text(json.dumps({"412": "Huyện Quỳnh Lưu"}), encoding="utf-8")
    assert district_names(plain) == {"412": "Huyện Quỳnh Lưu"}
    with pytest.raises(SubscribeError, match="cannot read district names"):
        district_names(tmp_path / "missing.json")


def test_the_table_and_the_json_line_count_by_district_and_star() -> None:
    snapshot = Snapshot({"380": Counter({3: 2, 5: 1}), None: Counter({4: 1})}, "feed http://m/v1/feed", 42, 40)
    line = json.loads(snapshot.json_line({"380": "Thành phố Thanh Hóa"}))
    assert line["districts"] == [
        {"district_code": "380", "district": "Thành phố Thanh Hóa", "stars": {"3": 2, "4": 0, "5": 1}, "total": 3},
        {"district_code": None, "district": None, "stars": {"3": 0, "4": 1, "5": 0}, "total": 1}]
    assert (line["position"], line["events_applied"], line["stars"], line["total"]) == (
        42, 40, {"3": 2, "4": 1, "5": 1}, 4)
    console = Console(width=120, record=True)
    console.print(snapshot.table({"380": "Thành phố Thanh Hóa"}))
    text = console.export_text()
    assert "Thành phố Thanh Hóa" in text and "Toàn tỉnh" in text and "huyện chưa rõ" in text


@pytest.mark.parametrize(("args", "says"), [
    ([], "give either --feed URL"),
    (["--feed", "http://m", "--kafka", "k:9092"], "give either --feed URL"),
    (["--feed", "http://m"], "the feed needs the key"),
])
def test_the_command_asks_for_one_source_and_the_feeds_key(args: list[str], says: str) -> None:
    result = CliRunner().invoke(app, ["subscribe", *args], env={"OCOP_FEED_KEY": ""})
    assert result.exit_code == 2 and says in result.output


@pytest.mark.parametrize(("security", "says"), [
    (Security("SASL_SCRAM"), "--security-protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"),
    (Security("SASL_SSL", username="subscriber-nghe-an", password="x"), "SASL_SSL needs --sasl-mechanism"),
    (Security("SASL_PLAINTEXT", "SCRAM-SHA-512", "subscriber-nghe-an"), "needs --sasl-username and --sasl-password"),
    (Security("PLAINTEXT", "SCRAM-SHA-512", "subscriber-nghe-an", "x"), "need a SASL --security-protocol"),
    (Security("SSL", cafile="/nonexistent/ca.pem"), "cannot use --ssl-cafile /nonexistent/ca.pem"),
])
def test_kafka_security_that_cannot_work_is_refused_naming_the_option(security: Security, says: str) -> None:
    with pytest.raises(SubscribeError, match=says):
        security.options()


def test_scram_settings_reach_the_client() -> None:
    options = Security("SASL_PLAINTEXT", "SCRAM-SHA-512", "subscriber-nghe-an", "bí mật").options()
    assert options == {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
                       "sasl_plain_username": "subscriber-nghe-an", "sasl_plain_password": "bí mật"}
