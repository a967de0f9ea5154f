"""The slow lane (ingest/slowlane.py) through a whole Maildir poll, on SQLite and PostgreSQL.

Why these tests exist: the unit tests of ``convert.py`` and ``ocr.py`` call the converters
directly. Here the same documents arrive by mail, so what is checked is the contract
between the stages: the fast path marks a Word 97 .doc ``needs-conversion`` and a scan
``needs-ocr`` at once, the slow lane picks them up *after* the fast path has committed,
a missing tool leaves the article waiting and visible, and the first poll (or
``reprocess``) after the tool is back finishes it. LibreOffice costs ~1 s a conversion
and Tesseract ~1-2 s a page, so each test converts or OCRs as few documents as it can.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import time
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from legacydocs import PARAGRAPHS as LEGACY_PARAGRAPHS
from legacydocs import TITLE as LEGACY_TITLE
from legacydocs import WORDS_WITH_U, legacy_rtf, soffice_save
from photokit import Page, char_accuracy, phone_photo, printed_page, scene_photo
from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.core.labels import reason_label
from dienhinh.core.text import fold, lead_and_body
from dienhinh.ingest import convert, slowlane
from dienhinh.ingest import ocr as ocr_module
from dienhinh.ingest.ocr import tesseract_available
from dienhinh.ingest.sources.maildir import MaildirSource
from dienhinh.store.models import Article, Asset, AuditLog, Message, Tag
from dienhinh.worker.cli import main as cli_main
from factory import (
    DOCX_TYPE,
    Attach,
    DocSpec,
    article_text,
    make_docx,
    make_email,
    make_pdf,
    to_tcvn3,
)
from helpers import articles, deliver, ingestor, messages, rows

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (libreoffice-writer-nogui) missing: run scripts/test-setup"
)
needs_tesseract = pytest.mark.skipif(
    not tesseract_available("vie"),
    reason="tesseract with Vietnamese (tesseract-ocr-vie) missing: run scripts/test-setup",
)

DOC_TYPE = "application/msword"
LETTERHEAD = "UBND HUYỆN MƯỜNG KHƯƠNG"
TITLE = "Chị Thào Thị Dợ ở xã Pha Long trồng chè shan tuyết để thoát nghèo"
PARAGRAPHS = [
    "Nhiều năm qua, chị Thào Thị Dợ được bà con trong thôn biết đến là người đi đầu trong "
    "việc trồng chè shan tuyết dưới tán rừng. Từ hai bàn tay trắng, gia đình đã vươn lên.",
    "Năm 2017, sau khi tham gia lớp tập huấn do xã tổ chức, chị mạnh dạn vay 40 triệu đồng "
    "vốn ưu đãi để mở rộng nương chè. Đến nay mỗi năm thu nhập đạt trên 150 triệu đồng.",
    "Không chỉ làm giàu cho bản thân, chị còn hướng dẫn cho 12 hộ trong thôn cùng làm theo, "
    "góp phần xây dựng nông thôn mới ở địa phương.",
]


# --- fixtures made here ------------------------------------------------------------------------


def _to_doc(docx: bytes, work: Path) -> bytes:
    """A Word 97 .doc converted by LibreOffice from ``docx`` (a private profile in ``work``)."""
    assert SOFFICE is not None
    (work / "in.docx").write_bytes(docx)
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
            str(work),
            str(work / "in.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (work / "in.doc").read_bytes()


@pytest.fixture(scope="module")
def doc_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """One Word 97 .doc for the module (a LibreOffice run costs 1-2 s)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (libreoffice-writer-nogui) missing: run scripts/test-setup")
    data = _to_doc(
        make_docx(DocSpec(title=TITLE, paragraphs=PARAGRAPHS, letterhead=(LETTERHEAD,))),
        tmp_path_factory.mktemp("mkdoc"),
    )
    assert data.startswith(convert.OLE2_MAGIC) and convert.detect_legacy_kind(data) == "doc"
    return data


def scan_pdf(title: str, paragraphs: list[str], dpi: int = 150) -> bytes:
    """A text PDF rasterised into an image-only PDF: a scan, no text layer."""
    src = pdfium.PdfDocument(make_pdf(title, paragraphs))
    pages = [src[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(src))]
    src.close()
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def _words(text: str) -> list[str]:
    return [w.strip(".,:;()") for w in unicodedata.normalize("NFC", text).casefold().split()]


def recall(expected: str, got: str) -> float:
    """Share of the expected words found in ``got`` (OCR is not exact)."""
    want, have = _words(expected), set(_words(got))
    return sum(w in have for w in want) / len(want)


def _doc_mail(doc: bytes, mid: str, name: str = "bai-viet.doc", **kw: object) -> bytes:
    return make_email(message_id=mid, attachments=[Attach(name, doc, DOC_TYPE)], **kw)


def _source(config):
    return MaildirSource.from_config(config.mailbox)


def _hide_converters(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without LibreOffice, antiword and catdoc."""
    monkeypatch.setattr(convert, "available_converters", lambda: [])
    real_which = shutil.which
    hidden = {"soffice", "libreoffice", "antiword", "catdoc"}
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if name in hidden else real_which(name, *a, **k)
    )


def _hide_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(
        ocr_module.shutil,
        "which",
        lambda name, *a, **k: None if name == "tesseract" else real_which(name, *a, **k),
    )


def _assert_doc_article(art: Article) -> None:
    assert art.status == "pending-review", (art.status, art.error)
    assert art.source == "doc"
    assert "converted" in art.flags
    assert art.error is None
    assert fold(art.title) == fold(TITLE)
    whole = lead_and_body(art.lead, art.text)  # the body does not repeat the lead
    for para in PARAGRAPHS:
        assert fold(para) in fold(whole)
    assert LETTERHEAD not in whole  # the letterhead is not article text
    assert unicodedata.is_normalized("NFC", whole)


def _export_articles(tmp_path: Path, config) -> list[dict]:
    """`dienhinh export articles` against the test's database and data folder."""
    cfg = tmp_path / "cli.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "{config.data_dir}"\n[database]\nurl = "{config.database.url}"\n'
        f'[mailbox]\nurl = "maildir://{config.mailbox.url.path}"\n[ingest]\nworkers = 1\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    assert cli_main(["--config", str(cfg), "-q", "export", "articles"], out=out) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


# --- .doc through LibreOffice -------------------------------------------------------------------


@needs_soffice
def test_doc_attachment_is_converted_after_the_fast_path(make_config, doc_bytes):
    """GIVEN a mail with a Word 97 .doc WHEN polled THEN the article is pending-review,
    source "doc", flagged "converted", with the document's text; the raw bytes are kept."""
    config = make_config()
    raw = _doc_mail(doc_bytes, "<doc1@laocai.gov.vn>")
    deliver(config.mailbox.url.path, raw)
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.ok and report.converted == 1 and report.failed == 0
    (msg,) = messages(ing)
    assert msg.status == "ingested"
    assert ing.raw_blobs.read(msg.sha256) == raw
    (art,) = articles(ing)
    _assert_doc_article(art)
    assert art.origin == "bai-viet.doc"
    assert ing.blobs.read(art.document_sha256) == doc_bytes  # the .doc itself is kept


@needs_soffice
@pytest.mark.parametrize("resume", ["next-poll", "reprocess"])
def test_doc_waits_without_a_converter_then_converts(
    make_config, doc_bytes, monkeypatch, tmp_path, resume
):
    """GIVEN no converter installed WHEN a .doc arrives THEN its article waits in
    needs-conversion, visible in `export articles`; WHEN the converter is back THEN the
    next poll (nothing new in the mailbox) or `reprocess` converts it."""
    config = make_config()
    deliver(config.mailbox.url.path, _doc_mail(doc_bytes, "<doc2@laocai.gov.vn>"))
    ing = ingestor(config)
    with monkeypatch.context() as m:
        _hide_converters(m)
        report = ing.poll(_source(config))
        assert report.ok and report.converted == 0
        (art,) = articles(ing)
        assert art.status == "needs-conversion" and art.text == ""
        assert art.source == "doc"
        assert art.error and "conversion" in art.error
        assert messages(ing)[0].status == "ingested"
        exported = _export_articles(tmp_path, config)
        assert [(a["status"], a["source"]) for a in exported] == [("needs-conversion", "doc")]
        assert exported[0]["message_id"] == "doc2@laocai.gov.vn"
        # Still no converter: another poll leaves it waiting, untouched.
        assert ing.poll(_source(config)).converted == 0
        assert articles(ing)[0].status == "needs-conversion"

    if resume == "next-poll":
        report = ing.poll(_source(config))
        assert report.fetched == 0
    else:
        report = ing.reprocess([messages(ing)[0].id])
    assert report.converted == 1
    (art,) = articles(ing)
    _assert_doc_article(art)
    assert _export_articles(tmp_path, config)[0]["status"] == "pending-review"


@needs_soffice
@pytest.mark.parametrize("editor_first", [False, True])
def test_unit_named_only_in_the_converted_letterhead(
    make_config, doc_bytes, monkeypatch, editor_first
):
    """GIVEN a personal Gmail with a bare note, the unit named only in the .doc's
    letterhead ("UBND HUYỆN MƯỜNG KHƯƠNG") WHEN the document waits for a converter THEN
    the message has no unit; WHEN the slow lane converts it THEN the message and its
    article carry the unit, with a unit tag and a slow-lane audit row saying why -- unless
    an editor chose a unit meanwhile, which stays."""
    config = make_config()
    raw = _doc_mail(
        doc_bytes,
        "<doc-unit@gmail.com>",
        from_="Thu Hà <thuha1990@gmail.com>",
        subject="gui bai",
        text="Em gửi bài ạ.\n",
    )
    deliver(config.mailbox.url.path, raw)
    ing = ingestor(config)
    with monkeypatch.context() as m:
        _hide_converters(m)
        assert ing.poll(_source(config)).converted == 0
    (msg,) = messages(ing)
    assert msg.unit is None and "no convincing evidence" in msg.flags
    if editor_first:
        with Session(ing.engine) as s:
            s.get(Message, msg.id).unit = "bat-xat"
            s.commit()
    assert ing.poll(_source(config)).converted == 1
    (msg,) = messages(ing)
    (art,) = articles(ing)
    audits = [a for a in rows(ing, AuditLog) if a.action == "assign-unit"]
    if editor_first:
        assert msg.unit == "bat-xat" and not audits
        return
    assert msg.unit == "muong-khuong" and art.unit == "muong-khuong"
    assert msg.unit_confidence is not None
    unit_tags = [t for t in rows(ing, Tag) if t.field == "unit"]
    assert [(t.article_id, t.value) for t in unit_tags] == [(None, "muong-khuong")]
    assert any(e.get("kind") == "letterhead" for e in unit_tags[0].evidence)
    (audit,) = audits
    assert audit.actor == "slow-lane" and audit.object_id == msg.id
    assert audit.after["unit"] == "muong-khuong" and audit.before["unit"] is None
    assert reason_label(audit.reason) == "văn bản đã chuyển đổi nêu đơn vị gửi"
    # the article's reasons are the new tagging's: no "no unit" left from the fast path
    assert "no convincing evidence" not in (art.meta or {}).get("review_reasons", [])
    assert art.flagged == bool((art.meta or {}).get("review_reasons"))


@needs_soffice
def test_corrupt_doc_fails_alone(make_config, doc_bytes):
    """GIVEN a damaged .doc beside a good .docx, and a second good message WHEN polled
    THEN the .doc's article is failed with an error, the .docx article and the other
    message go on."""
    config = make_config()
    md = config.mailbox.url.path
    # A real .doc whose Word stream is overwritten with noise past its first sector.
    broken = bytearray(doc_bytes)
    for i in range(1536, len(broken) - 512):
        broken[i] = (i * 7 + 13) % 256
    broken = bytes(broken)
    title, paras = article_text(301)
    good = make_docx(DocSpec(title=title, paragraphs=paras))
    raw = make_email(
        message_id="<bad-doc@laocai.gov.vn>",
        attachments=[Attach("hong.doc", broken, DOC_TYPE), Attach("bai-tot.docx", good, DOCX_TYPE)],
    )
    deliver(md, raw)
    other = _doc_mail(doc_bytes, "<good-doc@laocai.gov.vn>")
    deliver(md, other)
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.ok
    by_mid = {m.message_id: m for m in messages(ing)}
    assert ing.raw_blobs.read(by_mid["bad-doc@laocai.gov.vn"].sha256) == raw
    assert by_mid["bad-doc@laocai.gov.vn"].status == "ingested"
    assert by_mid["good-doc@laocai.gov.vn"].status == "ingested"
    arts = {a.origin: a for a in articles(ing)}
    assert arts["hong.doc"].status == "failed", (
        arts["hong.doc"].status,
        arts["hong.doc"].text[:200],
    )
    assert arts["hong.doc"].error and "conversion failed" in arts["hong.doc"].error
    assert arts["bai-tot.docx"].status == "pending-review"
    _assert_doc_article(arts["bai-viet.doc"])


@needs_soffice
def test_slow_lane_budget_leaves_the_rest_for_the_next_poll(make_config, doc_bytes, monkeypatch):
    """GIVEN three .doc mails, a 1 s slow-lane budget and conversions that take longer
    WHEN polled THEN the fast path's work is committed before any conversion starts, one
    .doc is converted per poll, and the others wait visibly for the next poll."""
    config = make_config(ingest={"slow_lane_budget_seconds": 1})
    md = config.mailbox.url.path
    for i in range(3):
        deliver(
            md,
            _doc_mail(
                doc_bytes, f"<budget{i}@laocai.gov.vn>", name=f"bai{i}.doc", subject=f"Bài viết {i}"
            ),
        )
    title, paras = article_text(302)
    deliver(
        md,
        make_email(
            message_id="<fast@laocai.gov.vn>",
            attachments=[
                Attach("bai.docx", make_docx(DocSpec(title=title, paragraphs=paras)), DOCX_TYPE)
            ],
        ),
    )
    ing = ingestor(config)
    real = convert.convert_legacy
    seen_before_conversion: list[list[tuple[str, str]]] = []

    def slow_convert(*args, **kwargs):
        # What another reader of the database sees while the slow lane works.
        with ing.sessions() as s:
            seen_before_conversion.append(
                [
                    (a.source, a.status)
                    for a in s.execute(select(Article).order_by(Article.id)).scalars()
                ]
            )
        time.sleep(1.1)
        return real(*args, **kwargs)

    monkeypatch.setattr(convert, "convert_legacy", slow_convert)
    first = ing.poll(_source(config))
    assert first.ok and first.fetched == 4 and first.converted == 1
    # The .docx article was committed (pending-review) before the first conversion began.
    assert ("docx", "pending-review") in seen_before_conversion[0]
    assert sorted(s for _, s in seen_before_conversion[0]).count("needs-conversion") == 3
    statuses = [a.status for a in articles(ing) if a.source == "doc"]
    assert sorted(statuses) == ["needs-conversion", "needs-conversion", "pending-review"]

    second = ing.poll(_source(config))
    assert second.fetched == 0 and second.converted == 1
    third = ing.poll(_source(config))
    assert third.converted == 1
    docs = [a for a in articles(ing) if a.source == "doc"]
    # The same .doc sent three times: once converted, the copies are found to be duplicates
    # of the first (oldest first: converted in the order they arrived).
    assert [a.status for a in docs] == ["pending-review", "duplicate", "duplicate"]
    assert all("converted" in a.flags and a.text for a in docs)


# --- scanned PDF through Tesseract --------------------------------------------------------------


@needs_tesseract
def test_scanned_pdf_is_ocred(make_config):
    """GIVEN an image-only PDF WHEN polled THEN the article is pending-review, source
    "pdf-scan", flagged "ocr", with the page's text."""
    config = make_config()
    title, paras = article_text(311)
    scan = scan_pdf(title, paras)
    raw = make_email(
        message_id="<scan1@laocai.gov.vn>",
        attachments=[Attach("bai-scan.pdf", scan, "application/pdf")],
    )
    deliver(config.mailbox.url.path, raw)
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.ok and report.ocred == 1
    (msg,) = messages(ing)
    assert msg.status == "ingested" and ing.raw_blobs.read(msg.sha256) == raw
    # Waiting for OCR was a state, never an error: nothing reads "lỗi" on the message.
    assert msg.error is None and msg.reason is None
    (art,) = articles(ing)
    assert art.status == "pending-review", (art.status, art.error)
    assert art.source == "pdf-scan" and "ocr" in art.flags
    assert recall(title, art.title) >= 0.8
    assert recall(" ".join(paras), lead_and_body(art.lead, art.text)) >= 0.8
    assert unicodedata.is_normalized("NFC", art.text)
    # Every outcome but article and photo carries its reason.
    found = _attachment_rows(ing)
    assert (found["bai-scan.pdf"].used_as, found["bai-scan.pdf"].error) == (
        "ocr-page",
        slowlane.OCR_SCAN_REASON,
    )


@needs_tesseract
def test_a_scan_of_part_of_the_messages_document_is_a_copy_of_it(make_config):
    """GIVEN a .docx and, beside it, a scan of its last paragraphs (the signed page) WHEN
    the scan is read THEN it is a duplicate of the docx's article in the same message,
    saying so in words (it was a second article to review); a scan of another text in the
    same message stays an article."""
    config = make_config()
    title, paras = article_text(312, 8)
    other_title, other = article_text(313, 3)
    raw = make_email(
        message_id="<signed1@laocai.gov.vn>",
        attachments=[
            Attach("bai.docx", make_docx(DocSpec(title=title, paragraphs=paras)), DOCX_TYPE),
            Attach("trang-ky.pdf", scan_pdf(paras[5], paras[6:]), "application/pdf"),
            Attach("bai-khac.pdf", scan_pdf(other_title, other), "application/pdf"),
        ],
    )
    deliver(config.mailbox.url.path, raw)
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.ok and report.ocred == 2
    by_origin = {a.origin: a for a in articles(ing)}
    docx, signed, other_scan = (by_origin[n] for n in ("bai.docx", "trang-ky.pdf", "bai-khac.pdf"))
    assert docx.status == "pending-review" and other_scan.status == "pending-review"
    assert signed.status == "duplicate" and signed.duplicate_of_id == docx.id
    reason = signed.meta["duplicate_reason"]
    assert reason.startswith(f"copy of part of article {docx.id} of the same message")
    assert reason_label(reason).startswith(f"bản sao một phần của bài #{docx.id} trong cùng thư")


@needs_tesseract
def test_scanned_pdf_waits_without_tesseract_then_is_ocred(make_config, monkeypatch, tmp_path):
    """GIVEN no Tesseract WHEN a scan arrives THEN its article waits in needs-ocr (visible
    in the export); the first poll with Tesseract back reads it."""
    config = make_config()
    title, paras = article_text(312)
    deliver(
        config.mailbox.url.path,
        make_email(
            message_id="<scan2@laocai.gov.vn>",
            attachments=[Attach("scan.pdf", scan_pdf(title, paras), "application/pdf")],
        ),
    )
    ing = ingestor(config)
    with monkeypatch.context() as m:
        _hide_tesseract(m)
        report = ing.poll(_source(config))
        assert report.ok and report.ocred == 0
        (art,) = articles(ing)
        assert art.status == "needs-ocr" and art.text == ""
        assert [a["status"] for a in _export_articles(tmp_path, config)] == ["needs-ocr"]
    report = ing.poll(_source(config))
    assert report.fetched == 0 and report.ocred == 1
    (art,) = articles(ing)
    assert art.status == "pending-review" and art.source == "pdf-scan" and "ocr" in art.flags
    assert recall(" ".join(paras), lead_and_body(art.lead, art.text)) >= 0.8


# --- photographed pages through Tesseract -------------------------------------------------------


def _photographed_mail(mid: str) -> tuple[bytes, list[Page]]:
    """An article printed on two pages and photographed with a phone (page 1 sideways,
    page 2 upside down, both crooked), attached page 2 first, with a photo of the
    people the article is about; the body only says what was sent."""
    pages = [printed_page(401 + i, paragraphs=4, title=i == 0, number=i + 1) for i in range(2)]
    p1 = phone_photo(pages[0].image, seed=1, rotate=90, skew=-3.0, light=0.45)
    p2 = phone_photo(pages[1].image, seed=2, rotate=180, skew=2.0, light=0.3)
    raw = make_email(
        message_id=mid,
        subject="Bài viết gương điển hình",
        text="Kính gửi Ban Thi đua - Khen thưởng, đơn vị gửi ảnh chụp bài viết.\n",
        attachments=[
            Attach("IMG_2.jpg", p2, "image/jpeg"),
            Attach("nhan-vat.jpg", scene_photo(7), "image/jpeg"),
            Attach("IMG_1.jpg", p1, "image/jpeg"),
        ],
    )
    return raw, pages


def _attachment_rows(ing) -> dict[str, Asset]:
    return {a.filename: a for a in rows(ing, Asset) if a.article_pk is None}


@needs_tesseract
def test_photographed_pages_become_one_article_read_by_ocr(make_config):
    """GIVEN phone photos of a printed article (turned, crooked, attached out of order)
    and a photo of people WHEN polled THEN the pages are one `image-scan` article flagged
    "ocr", page 1 first, its Vietnamese text read (character accuracy >= 0.95); each page
    ends `ocr-page` and the photo of people stays a photo."""
    config = make_config()
    raw, pages = _photographed_mail("<photos1@laocai.gov.vn>")
    deliver(config.mailbox.url.path, raw)
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.ok and report.ocred == 1
    (art,) = articles(ing)
    assert (art.source, art.status) == ("image-scan", "pending-review"), art.error
    assert "ocr" in art.flags
    assert art.origin == "IMG_1.jpg, IMG_2.jpg"
    text = f"{art.title}\n{lead_and_body(art.lead, art.text)}"
    expected = "\n".join(p.text for p in pages)
    assert char_accuracy(expected, text) >= 0.95
    ends = [fold(text).index(fold(p.paragraphs[-1][-30:])) for p in pages]
    assert ends == sorted(ends)  # page 1 first, though attached second
    found = _attachment_rows(ing)
    assert {n: (a.used_as, a.error) for n, a in found.items()} == {
        "IMG_1.jpg": ("ocr-page", slowlane.OCR_PAGE_REASON),
        "IMG_2.jpg": ("ocr-page", slowlane.OCR_PAGE_REASON),
        "nhan-vat.jpg": ("photo", None),
    }


@needs_tesseract
def test_a_sparse_last_page_the_page_test_passes_over_is_read_with_the_others(make_config):
    """GIVEN a printed article photographed on two pages whose second holds one closing
    paragraph (too little print for the cheap page test, so extraction keeps it beside the
    article as a photo), and a photo of people WHEN polled THEN OCR tries both photos,
    keeps the sparse page as page 2 of the article (its text at the end, its attachment
    `ocr-page`, no longer an illustration) and the photo of people stays a photo."""
    from dienhinh.ingest.ocr import looks_like_text_page

    config = make_config()
    first = printed_page(411, paragraphs=4, title=True, number=1)
    last = printed_page(412, paragraphs=1, title=False, number=2)
    p1 = phone_photo(first.image, seed=3, rotate=0, skew=-2.0, light=0.35)
    p2 = phone_photo(last.image, seed=4, rotate=0, skew=1.0, light=0.3)
    assert looks_like_text_page(p1) and not looks_like_text_page(p2)  # the case at hand
    deliver(
        config.mailbox.url.path,
        make_email(
            message_id="<photos-sparse@laocai.gov.vn>",
            subject="Bài viết gương điển hình",
            text="Đơn vị gửi ảnh chụp bài viết (2 trang).\n",
            attachments=[
                Attach("trang-1.jpg", p1, "image/jpeg"),
                Attach("trang-2.jpg", p2, "image/jpeg"),
                Attach("nhan-vat.jpg", scene_photo(8), "image/jpeg"),
            ],
        ),
    )
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.ok and report.ocred == 1
    (art,) = articles(ing)
    assert (art.source, art.status) == ("image-scan", "pending-review"), art.error
    whole = f"{art.title}\n{lead_and_body(art.lead, art.text)}"
    text = fold(whole)
    assert char_accuracy(first.text + "\n" + last.text, whole) >= 0.95
    assert text.index(fold(first.paragraphs[-1][-30:])) < text.index(
        fold(last.paragraphs[-1][-30:])
    )
    found = _attachment_rows(ing)
    assert {n: a.used_as for n, a in found.items()} == {
        "trang-1.jpg": "ocr-page",
        "trang-2.jpg": "ocr-page",
        "nhan-vat.jpg": "photo",
    }
    roles = {a.filename: a.role for a in rows(ing, Asset) if a.article_pk == art.id}
    assert roles == {"trang-1.jpg": "document", "trang-2.jpg": "document", "nhan-vat.jpg": "photo"}


@needs_tesseract
def test_pages_ocr_finds_no_text_on_are_refused(make_config, monkeypatch):
    """GIVEN photographed pages on which OCR finds no text (Tesseract answers with an
    empty page) WHEN polled THEN the article fails with the reason and each page's
    attachment is refused "unreadable: OCR found no text"."""
    config = make_config()
    raw, _ = _photographed_mail("<photos2@laocai.gov.vn>")
    deliver(config.mailbox.url.path, raw)
    ing = ingestor(config)
    real = ocr_module._tesseract

    def empty_page(image, ctx, label, args=None):
        out = real(image, ctx, label, args)
        return out if args else out.splitlines()[0] + "\n"  # the TSV header, no words

    monkeypatch.setattr(ocr_module, "_tesseract", empty_page)
    report = ing.poll(_source(config))
    assert report.failed == 1
    (art,) = articles(ing)
    assert art.status == "failed" and "OCR found no text" in (art.error or "")
    found = _attachment_rows(ing)
    assert found["IMG_1.jpg"].used_as == found["IMG_2.jpg"].used_as == "refused"
    assert found["IMG_1.jpg"].error == "unreadable: OCR found no text"
    assert found["nhan-vat.jpg"].used_as == "photo"


# --- a TCVN3 .doc through LibreOffice -------------------------------------------------------------


@needs_soffice
def test_tcvn3_doc_keeps_every_u_through_the_slow_lane(make_config, tmp_path):
    """GIVEN a Word 97 .doc typed in .VnTime ("ư" is the soft hyphen's code 0xAD) sent by
    mail WHEN the slow lane converts it THEN "Phương", "trưởng", "được", "người" arrive whole
    (they came out "Phơng", "trởng", "đợc", "ngời")."""
    config = make_config()
    doc = soffice_save(legacy_rtf(to_tcvn3, ".VnTime", ".VnTimeH"), "doc", tmp_path)
    deliver(config.mailbox.url.path, _doc_mail(doc, "<tcvn3doc@laocai.gov.vn>"))
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.ok and report.converted == 1
    (art,) = articles(ing)
    assert art.status == "pending-review", art.error
    assert "legacy-encoding:tcvn3" in art.flags
    assert art.title == LEGACY_TITLE.upper()
    whole = lead_and_body(art.lead, art.text)  # the body does not repeat the lead
    assert whole.split("\n\n") == LEGACY_PARAGRAPHS
    for word in WORDS_WITH_U:
        assert word.casefold() in whole.casefold()


@needs_tesseract
def test_photographed_pages_wait_without_tesseract_then_are_read(make_config, monkeypatch):
    """GIVEN no Tesseract WHEN photographed pages arrive THEN each page waits (outcome
    `waiting`, with the reason) in an image-scan article in needs-ocr, the photo of people
    is already a photo; the first poll with Tesseract reads the pages."""
    config = make_config()
    raw, _ = _photographed_mail("<photos3@laocai.gov.vn>")
    deliver(config.mailbox.url.path, raw)
    ing = ingestor(config)
    with monkeypatch.context() as m:
        _hide_tesseract(m)
        report = ing.poll(_source(config))
        assert report.ok and report.ocred == 0
        (art,) = articles(ing)
        assert (art.source, art.status) == ("image-scan", "needs-ocr")
        found = _attachment_rows(ing)
        assert {n: a.used_as for n, a in found.items()} == {
            "IMG_1.jpg": "waiting",
            "IMG_2.jpg": "waiting",
            "nhan-vat.jpg": "photo",
        }
        assert found["IMG_1.jpg"].error.startswith("waiting: ")
    report = ing.poll(_source(config))
    assert report.ocred == 1
    assert {n: a.used_as for n, a in _attachment_rows(ing).items()} == {
        "IMG_1.jpg": "ocr-page",
        "IMG_2.jpg": "ocr-page",
        "nhan-vat.jpg": "photo",
    }
