"""A chat copied into a mail: the piece a unit sent by Zalo, passed on to the Board's box.

Why: units send their month's piece to a Board officer's Zalo; she copies the chat into a
mail ("[09:14, 12/03/2020] Giàng Seo Pao - PNV Mường Khương: Chị ơi em gửi bài ạ", then the
piece, then her own "Chị nhận rồi nhé"). The piece is the first speaker's, not the
officer's, whose signature names the Board and the department it sits in (Sở Nội vụ),
which is no unit sending a piece here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dienhinh.classifiers.tagging import tag_outcome
from dienhinh.core.config import TaggingConfig
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.forward import chat_speaker, split_sections
from factory import article_text, make_email

ROOT = Path(__file__).resolve().parents[3]
TITLE, PARAS = article_text(31, 5)
SPEAKER = "Giàng Seo Pao - PNV Mường Khương"
OFFICER_SIGNATURE = "--\nVũ Thu Trang\nBan Thi đua - Khen thưởng, Sở Nội vụ Lào Cai\n0983.xxx.xxx"


def _chat(stamp: str = "[09:{m:02d}, 12/03/2020] {who}: ") -> list[str]:
    lines = [
        stamp.format(m=14, who=SPEAKER) + "Chị Trang ơi em gửi bài tháng 3 ạ",
        stamp.format(m=15, who=SPEAKER) + "[Hình ảnh]",
        stamp.format(m=21, who=SPEAKER),
        TITLE,
        "",
        *(p + "\n" for p in PARAS),
        stamp.format(m=22, who="Vũ Thu Trang") + "Chị nhận rồi nhé em",
    ]
    return "\n".join(lines).split("\n")


@pytest.fixture(scope="module")
def tagging(tmp_path_factory: pytest.TempPathFactory) -> TaggingConfig:
    return TaggingConfig(
        units_file=ROOT / "units.toml",
        campaigns_file=ROOT / "campaigns.toml",
        model_file=tmp_path_factory.mktemp("model") / "absent.pkl",
    )


@pytest.mark.parametrize(
    "stamp",
    ["[09:{m:02d}, 12/03/2020] {who}: ", "[12/03/2020, 09:{m:02d}:05] {who}: "],
)
def test_a_chat_is_a_forward_from_its_first_speaker(stamp: str) -> None:
    note = ["Chị Ngọc ơi, em chuyển bài anh Pao gửi qua Zalo sáng nay ạ.", ""]
    own, chat = split_sections([*note, *_chat(stamp)], max_depth=5)
    assert own.lines == note
    assert chat.origin is not None and chat.origin.from_name == SPEAKER
    assert chat.origin.via == "chat"
    text = "\n".join(chat.lines)
    # the speaker's words without their stamps, no picture placeholder, not the reply
    assert "Chị Trang ơi em gửi bài tháng 3 ạ" in text and TITLE in text
    assert "[Hình ảnh]" not in text and "nhận rồi" not in text and "09:" not in text


def test_one_bracketed_line_is_no_chat() -> None:
    lines = ["[Bản sửa, 12/03/2020] Ghi chú: đã sửa tên xã", "", TITLE, *PARAS]
    assert len(split_sections(lines, max_depth=5)) == 1
    assert chat_speaker("[Nhạc hiệu]") is None


def test_the_piece_counts_for_the_chats_unit_not_the_officers_department(
    ctx: ExtractContext, tagging: TaggingConfig
) -> None:
    body = "\n".join(
        [
            "Chị Ngọc ơi, em chuyển bài anh Pao gửi qua Zalo sáng nay ạ.",
            "",
            *_chat(),
            "",
            OFFICER_SIGNATURE,
        ]
    )
    out = extract_message(
        make_email(
            from_="Vũ Thu Trang <vuthutrang.tdkt@gmail.com>", subject="Fwd: bài tháng 3", text=body
        ),
        ctx,
    )
    [art] = out.articles
    assert art.title == TITLE and art.text.split("\n\n") == PARAS
    assert [o.from_name for o in out.forwarded_from] == [SPEAKER]
    tags = tag_outcome(out, tagging)
    assert tags.unit is not None and tags.unit.value == "muong-khuong", tags.unit
    assert not any(e.get("value") == "Sở Nội vụ" for e in tags.unit.evidence)


def test_the_boards_own_tally_names_no_unit(ctx: ExtractContext, tagging: TaggingConfig) -> None:
    """A Board specialist's tally to the Board's box, signed "Chuyên viên Ban Thi đua - Khen
    thưởng" over "Sở Nội vụ tỉnh Lào Cai": the Board sends no pieces; its department, on
    the signature's next line, is not the sender (it would stand "chưa rõ" in the report
    until an editor confirmed the mail)."""
    body = (
        "Kính gửi: đ/c Phó Trưởng ban\n\nEm tổng hợp số bài các đơn vị gửi về hộp thư Ban "
        "trong tháng 01/2020:\n1. UBND huyện Bảo Yên: nhận 1, đã đăng 1\n2. Sở Y tế: nhận "
        "0, đã đăng 0\n\nNguyễn Đức Thành\nChuyên viên Ban Thi đua - Khen thưởng\nSở Nội vụ "
        "tỉnh Lào Cai\n"
    )
    out = extract_message(
        make_email(
            from_="Nguyễn Đức Thành <thanhnd.snv@laocai.gov.vn>", subject="Tổng hợp", text=body
        ),
        ctx,
    )
    assert out.status == "no-article"
    tags = tag_outcome(out, tagging)
    assert tags.unit is None, tags.unit
