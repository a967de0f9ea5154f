"""Photos of a printed article become an `image-scan` article read by OCR."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from dienhinh.core.text import fold
from dienhinh.ingest.sources.maildir import MaildirSource
from factory import Attach, article_text, make_email, make_jpeg, make_page_photo
from helpers import articles, deliver, ingestor, messages, rows


def _tesseract_vie() -> bool:
    if shutil.which("tesseract") is None:
        return False
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "vie" in out.stdout.split()


needs_ocr = pytest.mark.skipif(
    not _tesseract_vie(),
    reason="Tesseract with Vietnamese is not installed: run scripts/test-setup",
)


@needs_ocr
def test_photographed_pages_are_ocred_into_an_article(make_config):
    title, paras = article_text(21, 4)
    raw = make_email(
        message_id="<scan@laocai.gov.vn>",
        subject="Gửi bài viết (bản chụp)",
        text="Kính gửi Ban Thi đua, đơn vị gửi bản chụp bài viết.\n",
        attachments=[
            Attach("trang1.jpg", make_page_photo(title, paras[:2]), "image/jpeg"),
            Attach("trang2.jpg", make_page_photo("", paras[2:]), "image/jpeg"),
        ],
    )
    config = make_config()
    deliver(config.mailbox.url.path, raw)
    ing = ingestor(config)
    report = ing.poll(MaildirSource.from_config(config.mailbox))
    assert report.ok and report.ocred == 1
    (art,) = articles(ing)
    assert art.source == "image-scan" and art.status == "pending-review"
    assert "ocr" in art.flags
    words = fold(" ".join(paras)).split()
    got = set(fold(art.text).split())
    assert sum(w in got for w in words) / len(words) >= 0.75


def test_pages_wait_for_ocr_and_ordinary_photos_are_not_articles(make_config, monkeypatch):
    import dienhinh.ingest.ocr as ocr

    monkeypatch.setattr(ocr, "tesseract_available", lambda languages="vie": False)
    title, paras = article_text(22, 2)
    config = make_config()
    md = config.mailbox.url.path
    deliver(
        md,
        make_email(
            message_id="<page@x>",
            subject="Bài viết",
            text="Gửi bài.\n",
            attachments=[Attach("p1.jpg", make_page_photo(title, paras), "image/jpeg")],
        ),
    )
    deliver(
        md,
        make_email(
            message_id="<people@x>",
            subject="Ảnh hoạt động",
            text="Gửi ảnh.\n",
            attachments=[Attach("a.jpg", make_jpeg(640, 480, seed=3), "image/jpeg")],
        ),
    )
    ing = ingestor(config)
    ing.poll(MaildirSource.from_config(config.mailbox))
    by_id = {m.message_id: m for m in messages(ing)}
    assert by_id["people@x"].status == "no-article"
    (art,) = articles(ing)
    assert art.source == "image-scan" and art.status == "needs-ocr"
    from dienhinh.store.models import Asset

    assert [a.filename for a in rows(ing, Asset) if a.article_pk == art.id] == ["p1.jpg"]
