"""Labelled fixture sets of our own, scored end to end by `dienhinh eval`.

Written here (not taken from ../shared). The small set below reuses one article: units
shown by address, letterhead, signature and forward, a personal address with nothing to
go on, noise and a resend. The larger set (tests/fixtures/eval/build.py, forty emails of
different writers, every unit group and campaign) measures the taggers on writing they
were not tuned for; its figures are printed into the test log. The figures asserted are
floors the product must keep, not a benchmark."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fixtures.eval.build import build

from dienhinh.worker.cli import main
from factory import DOCX_TYPE, Attach, DocSpec, make_docx, make_email, make_forward_email

ARTICLE = [
    "Những năm qua, gia đình anh Lý Văn Sình ở thôn Nậm Sài luôn đi đầu trong phong trào "
    "phát triển kinh tế, thoát nghèo bền vững.",
    "Từ năm 2015, anh mạnh dạn vay vốn ngân hàng chính sách để trồng thảo quả dưới tán rừng "
    "và nuôi lợn đen, mỗi năm thu nhập trên 200 triệu đồng.",
    "Anh còn hướng dẫn cho mười hai hộ nghèo trong thôn cùng làm theo, góp phần xây dựng "
    "nông thôn mới ở địa phương.",
]


def _docx(title: str, paras: list[str], letterhead=()) -> bytes:
    return make_docx(DocSpec(title=title, paragraphs=paras, letterhead=letterhead))


def _paras(n: int) -> list[str]:
    return [p.replace("Nậm Sài", f"Nậm Sài {n}") + f" (bài số {n})." for p in ARTICLE]


def _cases() -> list[tuple[str, bytes, dict]]:
    out = []

    def label(name, unit, *, relevant=True, dup=None, paras=None):
        arts = (
            []
            if not relevant
            else [
                {
                    "campaigns": ["nong-thon-moi"],
                    "subject": "ho-gia-dinh",
                    "kind": "dien-hinh-tien-tien",
                    "key_phrase": " ".join(paras[1].split()[:9]),
                }
            ]
        )
        return {
            "file": name,
            "relevant": relevant,
            "unit": unit,
            "duplicate_of": dup,
            "articles": arts,
        }

    p1 = _paras(1)
    out.append(
        (
            "01-address.eml",
            make_email(
                from_="UBND huyện Bát Xát <ubnd-batxat@laocai.gov.vn>",
                message_id="<f1@laocai.gov.vn>",
                attachments=[
                    Attach("bai.docx", _docx("Gia đình anh Lý Văn Sình thoát nghèo", p1), DOCX_TYPE)
                ],
            ),
            label("01-address.eml", "bat-xat", paras=p1),
        )
    )
    p2 = _paras(2)
    out.append(
        (
            "02-letterhead.eml",
            make_email(
                from_="Nguyễn Thu <thu.nguyen.lc@gmail.com>",
                message_id="<f2@gmail.com>",
                subject="gui bai",
                text="Gửi anh chị bài viết ạ.\n",
                attachments=[
                    Attach(
                        "bai.docx",
                        _docx("Gia đình anh Sình làm giàu", p2, ("UBND TỈNH LÀO CAI", "SỞ Y TẾ")),
                        DOCX_TYPE,
                    )
                ],
            ),
            label("02-letterhead.eml", "so-y-te", paras=p2),
        )
    )
    p3 = _paras(3)
    out.append(
        (
            "03-signature.eml",
            make_email(
                from_="Hà <ha.bt@yahoo.com>",
                message_id="<f3@yahoo.com>",
                subject="Bài viết",
                text="Kính gửi Ban Thi đua - Khen thưởng,\n\nXin gửi bài viết.\n\n"
                "-- \nNguyễn Thị Hà\nPhòng Nội vụ huyện Bảo Thắng\n",
                attachments=[Attach("bai.docx", _docx("Hộ anh Sình vươn lên", p3), DOCX_TYPE)],
            ),
            label("03-signature.eml", "bao-thang", paras=p3),
        )
    )
    p4 = _paras(4)
    inner = make_email(
        from_="UBND huyện Si Ma Cai <ubnd-simacai@laocai.gov.vn>",
        to="vanthu@gmail.com",
        message_id="<f4-inner@laocai.gov.vn>",
        subject="Bài điển hình",
        text="Gửi bài.\n",
        attachments=[Attach("bai.docx", _docx("Anh Sình thoát nghèo", p4), DOCX_TYPE)],
    )
    out.append(
        (
            "04-forward.eml",
            make_forward_email(
                inner, note="Chuyển tiếp bài của đơn vị.", from_=b"Van thu <vanthu@gmail.com>"
            ),
            label("04-forward.eml", "si-ma-cai", paras=p4),
        )
    )
    p5 = _paras(5)
    out.append(
        (
            "05-nothing.eml",
            make_email(
                from_="An <an.123@gmail.com>",
                message_id="<f5@gmail.com>",
                subject="bai viet",
                text="Gửi bài.\n",
                attachments=[Attach("bai.docx", _docx("Anh Sình và cây thảo quả", p5), DOCX_TYPE)],
            ),
            label("05-nothing.eml", None, paras=p5),
        )
    )
    out.append(
        (
            "06-question.eml",
            make_email(
                from_="B <b.lc@gmail.com>",
                message_id="<f6@gmail.com>",
                subject="Hỏi hạn nộp",
                text="Cho em hỏi hạn nộp bài quý này ạ?\n",
            ),
            label("06-question.eml", None, relevant=False),
        )
    )
    out.append(
        (
            "07-resend.eml",
            make_email(
                from_="UBND huyện Bát Xát <ubnd-batxat@laocai.gov.vn>",
                message_id="<f7@laocai.gov.vn>",
                subject="Gửi lại bài",
                attachments=[
                    Attach("bai.docx", _docx("Gia đình anh Lý Văn Sình thoát nghèo", p1), DOCX_TYPE)
                ],
            ),
            label("07-resend.eml", "bat-xat", dup="01-address.eml", paras=p1),
        )
    )
    return out


def _eval(tmp_path: Path, labels: Path, folder: Path) -> dict:
    """`dienhinh eval LABELS DIR --json` through the real command, on a fresh data dir."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[mailbox]\nurl = "maildir://{tmp_path}/md"\n'
        "[ingest]\nworkers = 1\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    code = main(["--config", str(cfg), "-q", "eval", str(labels), str(folder), "--json"], out=out)
    assert code == 0
    return json.loads(out.getvalue())


def test_own_labelled_set_scores(tmp_path: Path):
    folder = tmp_path / "set"
    folder.mkdir()
    labels = []
    for name, raw, lab in _cases():
        (folder / name).write_bytes(raw)
        labels.append(lab)
    (tmp_path / "labels.json").write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    r = _eval(tmp_path, tmp_path / "labels.json", folder)
    assert r["unit_errors"] == [] and r["unit_accuracy"] == 1.0
    assert r["noise_precision"] == 1.0 and r["noise_recall"] == 1.0
    assert r["duplicates_found"] == 1 and r["key_phrase_recall"] == 1.0
    assert r["campaign_macro_f1"] >= 0.85


# Regression guards for the forty-email set, measured on 2026-11-25 with the seed model
# (no retrained model) and set a little below what the product then achieved: unit
# 0.972 (35/36), campaign micro-F1 0.866, macro-F1 0.834, subject 0.917, kind 0.944,
# noise precision/recall 1.0, duplicates 2/2, key phrases 1.0. They are NOT targets:
# raise them when the taggers improve, never lower them to make a change pass.
FLOORS = {
    "unit_accuracy": 0.94,
    "campaign_micro_f1": 0.83,
    "campaign_macro_f1": 0.80,
    "subject_accuracy": 0.88,
    "kind_accuracy": 0.91,
    "noise_precision": 1.0,
    "noise_recall": 1.0,
    "key_phrase_recall": 1.0,
}


def _table(r: dict) -> str:
    rows = [
        ("emails (relevant)", f"{r['emails']} ({r['relevant']})"),
        ("unit accuracy", f"{r['unit_accuracy']:.3f} ({r['unit_correct']}/{r['relevant']})"),
        ("campaign micro-F1", f"{r['campaign_micro_f1']:.3f}"),
        ("campaign macro-F1", f"{r['campaign_macro_f1']:.3f}"),
        ("subject accuracy", f"{r['subject_accuracy']:.3f}"),
        ("kind accuracy", f"{r['kind_accuracy']:.3f}"),
        ("noise precision / recall", f"{r['noise_precision']:.3f} / {r['noise_recall']:.3f}"),
        ("duplicates found", f"{r['duplicates_found']}/{r['duplicates_labelled']}"),
        ("key-phrase recall", f"{r['key_phrase_recall']:.3f}"),
        ("articles matched", f"{r['articles_matched']}/{r['articles_labelled']}"),
    ]
    lines = [f"{k:<26}{v}" for k, v in rows]
    lines += [
        f"  unit: {e['file']}: expected {e['expected']}, got {e['got']}" for e in r["unit_errors"]
    ]
    return "\n".join(lines)


def test_forty_email_set_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """GIVEN forty emails of many writers (every unit group, every campaign, all subject
    types and kinds; letterheads, signatures, abbreviations, forwards, HTML and text bodies,
    no diacritics, TCVN3, PDF, sub-units, an unverified official sender, noise, a resend
    and a corrected version) WHEN `dienhinh eval` scores them THEN no figure falls below
    its floor, and a message nobody can attribute is never given a unit."""
    labels = build(tmp_path / "set")
    r = _eval(tmp_path, labels, tmp_path / "set")
    with capsys.disabled():  # the figures belong in the CI log, pass or fail
        print("\n[eval: tests/fixtures/eval, 40 emails]\n" + _table(r))
    assert r["emails"] == 40 and r["missing_emails"] == []
    low = {k: (r[k], floor) for k, floor in FLOORS.items() if r[k] < floor}
    assert not low, f"below the regression floor (got, floor): {low}"
    assert r["articles_matched"] == r["articles_labelled"] == 36
    assert r["duplicates_found"] == r["duplicates_labelled"] == 2
    guessed = [e for e in r["unit_errors"] if e["expected"] is None]
    assert not guessed, f"a unit was guessed without evidence: {guessed}"


def test_forty_email_set_is_deterministic(tmp_path: Path):
    """Two builds write the same bytes: figures move only when the product does."""
    a, b = build(tmp_path / "a").parent, build(tmp_path / "b").parent
    names = sorted(p.name for p in a.iterdir())
    assert len(names) == 41  # forty emails and labels.json
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in names)
