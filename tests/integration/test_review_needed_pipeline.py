"""No silent "no article" (issue 12), through the real pipeline on SQLite and PostgreSQL:
mail that yields no article is put in front of an editor (``Message.review_needed``) when
it came from a known unit, from an address an editor attributed before, or with an
attachment not accounted as an article; a question from an unknown address is not."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.store.models import Message, SenderAddress
from factory import (
    ICT,
    Attach,
    DocSpec,
    article_text,
    make_docx,
    make_email,
    make_zip,
    mark_zip_encrypted,
)
from helpers import ingestor


def test_no_article_mail_needs_review_when_someone_may_have_sent_an_article(
    make_config: Any, tmp_path: Path
) -> None:
    ing = ingestor(make_config())
    with Session(ing.engine) as s:
        s.add(SenderAddress(address="canbo.sapa@gmail.com", unit="sa-pa", created_by="mai"))
        s.commit()
    title, paras = article_text(3)
    locked = mark_zip_encrypted(
        make_zip([("bai-viet.docx", make_docx(DocSpec(title=title, paragraphs=paras)))]),
        "bai-viet.docx",
    )
    when = datetime(2024, 5, 6, 8, 0, tzinfo=ICT)
    mails = {
        "unit": make_email(
            from_="UBND huyện Bát Xát <ubnd-batxat@laocai.gov.vn>",
            subject="Gửi bài",
            message_id="<unit@x>",
            text="Kính gửi Ban, xin gửi ạ.",
            date=when,
        ),
        "learned": make_email(
            from_="Cán bộ <CanBo.SaPa@gmail.com>",
            subject="Bài",
            message_id="<learned@x>",
            text="Em gửi ạ.",
            date=when,
        ),
        "locked": make_email(
            from_="Ai đó <aido@gmail.com>",
            subject="Gửi bài",
            message_id="<locked@x>",
            text="Gửi bài ạ.",
            attachments=[Attach("bai-viet.zip", locked, "application/zip")],
            date=when,
        ),
        # A unit's out-of-office reply to the Board's reminder: written by a machine, it
        # can hold no article, so it calls for nobody although its unit is known.
        "autoreply": make_email(
            from_="UBND huyện Bắc Hà <ubnd-bacha@laocai.gov.vn>",
            subject="Trả lời tự động: Đôn đốc gửi bài viết gương điển hình",
            message_id="<autoreply@x>",
            text="Tôi đang đi công tác đến hết tuần, sẽ trả lời khi về.",
            headers={"Auto-Submitted": "auto-replied"},
            date=when,
        ),
        "question": make_email(
            from_="Người hỏi <nguoihoi@gmail.com>",
            subject="Hỏi",
            message_id="<question@x>",
            text="Cho em hỏi hạn nộp bài quý này ạ?",
            date=when,
        ),
    }
    paths = []
    for name, raw in mails.items():
        p = tmp_path / f"{name}.eml"
        p.write_bytes(raw)
        paths.append(p)
    ing.import_from(FileImportSource(paths))
    with Session(ing.engine) as s:
        got = {m.message_id.split("@")[0]: m for m in s.execute(select(Message)).scalars()}
        for name in ("unit", "learned", "locked"):
            m = got[name]
            assert m.status in ("no-article", "failed") and m.review_needed, (name, m.reason)
            assert m.decided_at is None
        assert got["unit"].unit == "bat-xat"
        assert got["question"].status == "no-article" and not got["question"].review_needed
        auto = got["autoreply"]
        assert auto.unit == "bac-ha" and auto.status == "no-article", auto.reason
        assert auto.reason.startswith("not an article: auto") and not auto.review_needed
