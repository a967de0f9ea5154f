"""JSON contract, CSV for Excel, the terminal table and the [report] configuration."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from test_report_xlsx import make_rows

from dienhinh.core.config import config_from_mapping
from dienhinh.core.errors import ConfigError
from dienhinh.report import config as report_config
from dienhinh.report.compliance import ComplianceReport
from dienhinh.report.render import CSV_FIELDS, write_csv, write_json, write_table

CONTRACT_KEYS = [
    "unit",
    "period",
    "required",
    "received",
    "approved",
    "published",
    "met",
    "unresolved",
]


def test_json_is_exactly_the_contract():
    rows = make_rows()
    out = io.StringIO()
    write_json(rows, out)
    doc = json.loads(out.getvalue())
    assert isinstance(doc, list) and len(doc) == len(rows) == 28
    assert all(list(o) == CONTRACT_KEYS for o in doc)
    assert doc[0] == {
        "unit": "bac-ha",
        "period": "2018-01",
        "required": 1,
        "received": 2,
        "approved": 1,
        "published": 0,
        "met": True,
        "unresolved": 0,
    }
    q = next(o for o in doc if o["unit"] == "so-y-te" and o["period"] == "2018-Q3")
    assert q == {
        "unit": "so-y-te",
        "period": "2018-Q3",
        "required": 1,
        "received": 0,
        "approved": 0,
        "published": 0,
        "met": False,
        "unresolved": 0,
    }
    assert all(type(o["met"]) is bool and type(o["received"]) is int for o in doc)


def test_csv_has_a_bom_and_reads_back_with_vietnamese_names():
    rows = make_rows()
    out = io.StringIO(newline="")
    write_csv(rows, out)
    data = out.getvalue().encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")  # what makes Excel read UTF-8
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames) == CSV_FIELDS
    lines = list(reader)
    assert len(lines) == 28
    assert lines[0]["unit_name"] == "UBND huyện Bắc Hà"
    assert (lines[0]["received"], lines[0]["met"], lines[0]["future"]) == ("2", "true", "false")
    assert lines[-1]["period"] == "2018-12" and lines[-1]["future"] == "true"
    assert b"\r\n" in data


def test_table_shows_each_cadence_and_the_unattributed_note():
    report = ComplianceReport(year=2018, rows=make_rows(), unattributed=3)
    out = io.StringIO()
    write_table(report, out)
    text = out.getvalue()
    assert "năm 2018" in text
    assert "UBND huyện Bắc Hà" in text and "Sở Y tế" in text
    assert "T12" in text and "QIV" in text
    assert "Các huyện, thành phố" in text
    assert "3 bài chưa xác định đơn vị" in text
    assert "\x1b[" not in text  # no colour codes when not on a terminal
    bac_ha = next(line for line in text.splitlines() if "Bắc Hà" in line)
    assert "4/5" in bac_ha  # four of the five months due met (June is running)
    assert " 0! " in bac_ha and " 2 " in bac_ha  # missed periods marked without colours
    assert " 0~ " in bac_ha  # June: running, not marked missed
    assert "~: đang thực hiện" in text


def _config(report: dict | None = None):
    data = {"mailbox": {"url": "maildir:///tmp/none"}}
    if report is not None:
        data["report"] = report
    return config_from_mapping(data)


def test_report_config_defaults_and_values():
    assert report_config.load(_config()) == report_config.ReportConfig(1, 1, False)
    cfg = report_config.load(
        _config({"monthly_minimum": 2, "quarterly_minimum": 3, "count_failed": True})
    )
    assert (cfg.minimum("monthly"), cfg.minimum("quarterly"), cfg.count_failed) == (2, 3, True)


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"monthly_minmum": 1}, "report.monthly_minmum"),
        ({"monthly_minimum": "1"}, "report.monthly_minimum"),
        ({"quarterly_minimum": True}, "report.quarterly_minimum"),
        ({"quarterly_minimum": -1}, "report.quarterly_minimum"),
        ({"count_failed": 1}, "report.count_failed"),
    ],
)
def test_report_config_errors_name_the_key(section, key):
    with pytest.raises(ConfigError) as err:
        report_config.load(_config(section))
    assert err.value.key == key


def test_rows_know_their_bounds():
    row = make_rows(now=datetime(2018, 1, 1, tzinfo=UTC))[0]
    assert row.start.isoformat() == "2018-01-01T00:00:00+07:00"
    assert row.end.isoformat() == "2018-02-01T00:00:00+07:00"
