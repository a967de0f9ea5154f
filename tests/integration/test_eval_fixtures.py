"""A labelled fixture set of our own, scored end to end by `dienhinh eval`.

Written here (not taken from ../shared): units shown by address, letterhead, signature
and forward, a personal address with nothing to go on, noise and a resend. The figures
are floors the product must keep, not a benchmark."""

from __future__ import annotations

import io
import json
from pathlib import Path

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


def test_own_labelled_set_scores(tmp_path: Path):
    folder = tmp_path / "set"
    folder.mkdir()
    labels = []
    for name, raw, lab in _cases():
        (folder / name).write_bytes(raw)
        labels.append(lab)
    (tmp_path / "labels.json").write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[mailbox]\nurl = "maildir://{tmp_path}/md"\n'
        "[ingest]\nworkers = 1\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    code = main(
        ["--config", str(cfg), "-q", "eval", str(tmp_path / "labels.json"), str(folder), "--json"],
        out=out,
    )
    assert code == 0
    r = json.loads(out.getvalue())
    assert r["unit_errors"] == [] and r["unit_accuracy"] == 1.0
    assert r["noise_precision"] == 1.0 and r["noise_recall"] == 1.0
    assert r["duplicates_found"] == 1 and r["key_phrase_recall"] == 1.0
    assert r["campaign_macro_f1"] >= 0.85
