"""`dienhinh report compliance` end to end: formats, filters and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from test_report_compliance import UNIT_ORDER, UNITS_TOML, Board, at

from dienhinh.report.xlsx import SHEET_SUMMARY
from dienhinh.store.db import make_engine
from dienhinh.worker.cli import main
from helpers import ENGINES

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


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


@pytest.fixture
def cfg(tmp_path: Path, db_url: str) -> str:
    """A configured, initialised database holding a few 2018 articles."""
    (tmp_path / "units.toml").write_text(UNITS_TOML, encoding="utf-8")
    maildir = tmp_path / "maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "var"\n[database]\nurl = "{db_url}"\n'
        f'[mailbox]\nurl = "maildir://{maildir}"\n[tagging]\nunits_file = "units.toml"\n'
        "[report]\nmonthly_minimum = 1\nquarterly_minimum = 2\n",
        encoding="utf-8",
    )
    assert run("--config", str(path), "-q", "init")[0] == 0
    engine = make_engine(db_url)
    ENGINES.append(engine)
    with Session(engine) as s:
        b = Board(s)
        b.article("bac-ha", at(2018, 4, 1, 5), "published")  # April, though March in UTC
        b.article("so-noi-vu", at(2018, 2, 1), "approved")
        b.article("so-noi-vu", at(2018, 3, 1))
        b.article("sa-pa", at(2018, 5, 1), "rejected")
        s.commit()
    return str(path)


def test_json_contract(cfg):
    code, out = run("--config", cfg, "report", "compliance", "--year", "2018", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert len(doc) == 12 + 4 + 4 + 12
    assert all(list(o) == CONTRACT_KEYS for o in doc)
    assert list(dict.fromkeys(o["unit"] for o in doc)) == UNIT_ORDER
    by = {(o["unit"], o["period"]): o for o in doc}
    assert by[("bac-ha", "2018-04")] == {
        "unit": "bac-ha",
        "period": "2018-04",
        "required": 1,
        "received": 1,
        "approved": 1,
        "published": 1,
        "met": True,
        "unresolved": 0,
    }
    assert by[("bac-ha", "2018-03")]["received"] == 0
    assert by[("so-noi-vu", "2018-Q1")] == {
        "unit": "so-noi-vu",
        "period": "2018-Q1",
        "required": 2,
        "received": 2,
        "approved": 1,
        "published": 0,
        "met": True,
        "unresolved": 0,
    }
    assert by[("sa-pa", "2018-05")]["received"] == 0 and not by[("sa-pa", "2018-05")]["met"]
    assert by[("hoi-nong-dan", "2018-Q4")]["met"] is False


def test_unit_filter(cfg):
    code, out = run(
        "--config", cfg, "report", "compliance", "--year", "2018", "--format", "json",
        "--unit", "so-noi-vu",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert [o["period"] for o in doc] == ["2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4"]
    assert {o["unit"] for o in doc} == {"so-noi-vu"}


def test_table_is_the_default(cfg):
    code, out = run("--config", cfg, "report", "compliance", "--year", "2018")
    assert code == 0
    assert "UBND huyện Bắc Hà" in out and "Hội Nông dân tỉnh" in out
    assert "chỉ tiêu: 2 bài/quý" in out


def test_csv_and_xlsx_files(cfg, tmp_path):
    csv_path, xlsx_path = tmp_path / "bc.csv", tmp_path / "bc.xlsx"
    assert run("--config", cfg, "report", "compliance", "--year", "2018", "--format", "csv",
               "-o", str(csv_path))[0] == 0  # fmt: skip
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(lines) == 32
    so = next(x for x in lines if x["unit"] == "so-noi-vu" and x["period"] == "2018-Q1")
    assert (so["received"], so["required"], so["unit_name"]) == ("2", "2", "Sở Nội vụ")

    assert run("--config", cfg, "report", "compliance", "--year", "2018", "--format", "xlsx",
               "-o", str(xlsx_path))[0] == 0  # fmt: skip
    ws = load_workbook(xlsx_path)[SHEET_SUMMARY]
    assert "NĂM 2018" in ws["A4"].value
    names = {ws.cell(row=i, column=2).value: i for i in range(1, ws.max_row + 1)}
    assert ws.cell(row=names["UBND huyện Bắc Hà"], column=7).value == 1  # April (column G)
    assert ws.cell(row=names["TỔNG CỘNG"], column=16).value == 3


def test_exit_codes(cfg, tmp_path, capsys):
    # Not a number: argparse's usage error.
    with pytest.raises(SystemExit) as exit_:
        run("--config", cfg, "report", "compliance", "--year", "abc")
    assert exit_.value.code == 2
    # Missing --year.
    with pytest.raises(SystemExit) as exit_:
        run("--config", cfg, "report", "compliance")
    assert exit_.value.code == 2
    capsys.readouterr()

    assert run("--config", cfg, "report", "compliance", "--year", "18")[0] == 2
    assert "--year: year 18 is outside 2000..2100" in capsys.readouterr().err

    code, out = run("--config", cfg, "report", "compliance", "--year", "2018", "--unit", "bao-yen")
    err = capsys.readouterr().err
    assert code == 2 and out == ""
    assert "unknown unit code 'bao-yen'" in err and "bac-ha" in err

    assert (
        run("--config", cfg, "report", "compliance", "--year", "2018", "--format", "xlsx")[0] == 2
    )
    assert "needs -o FILE.xlsx" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exit_:
        run("--config", cfg, "report", "compliance", "--year", "2018", "--format", "pdf")
    assert exit_.value.code == 2


def test_bad_report_config_exits_2(cfg, capsys):
    path = Path(cfg)
    path.write_text(path.read_text(encoding="utf-8") + "count_failed = 1\n", encoding="utf-8")
    assert run("--config", cfg, "report", "compliance", "--year", "2018")[0] == 2
    assert "report.count_failed" in capsys.readouterr().err


def test_before_init_says_what_to_do(tmp_path, capsys):
    (tmp_path / "m" / "new").mkdir(parents=True)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "none.sqlite3"}"\n'
        f'[mailbox]\nurl = "maildir://{tmp_path / "m"}"\n',
        encoding="utf-8",
    )
    assert run("--config", str(path), "report", "compliance", "--year", "2018")[0] == 2
    assert "dienhinh init" in capsys.readouterr().err
