"""A correction ("bản sửa") of consolekit's plain-text article, for the tests of the lead
model and of revisions (HTTP and browser): ingest links it to the original by itself."""

from __future__ import annotations

from datetime import datetime

from factory import ICT, article_text, make_email

TEXT_SEED = 13  # consolekit's plain-text mail is article_text(13)


def revision_mail() -> tuple[bytes, list[str], str]:
    """A sentence added to the lead, words changed in the second paragraph, the last
    paragraph dropped, a new title. Returns the mail, the revision's paragraphs and its
    title."""
    title, paras = article_text(TEXT_SEED)
    new = list(paras)
    new[0] = new[0] + " Bổ sung: gia đình vừa được tỉnh khen thưởng."
    new[1] = new[1].replace("mạnh dạn", "quyết định", 1)
    del new[-1]
    new_title = title + " (bản sửa)"
    raw = make_email(
        from_="Huyện đoàn Bắc Hà <huyendoan-bacha@laocai.gov.vn>",
        subject="Bản sửa: " + title,
        message_id="<text-2@laocai.gov.vn>",
        date=datetime(2024, 3, 6, 9, 0, tzinfo=ICT),
        text=new_title + "\n\n" + "\n\n".join(new) + "\n",
    )
    return raw, new, new_title
