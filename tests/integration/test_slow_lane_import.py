"""End to end with the real LibreOffice: `dienhinh import` of a mail folder whose documents
wait for conversion, then the slow lane as import/poll run it (issue 12, "nothing silent").

Why: the slow lane's bookkeeping was tested with stand-ins for LibreOffice
(test_slow_lane_account.py) and the converter alone (unit tests); here the whole path runs
as a user runs it, on documents made by LibreOffice itself (.doc, .rtf, .odt, .ott), a
Strict OOXML .docx, a truncated .docx, a password-protected .doc, and official documents
sent as .doc (a giấy mời alone, a công văn beside the article it sends). After the slow
lane no attachment is left ``waiting``: each is an article, an official document, a cover
letter or refused with the reason, and each message's state and reason say so. With a
slow-lane budget too small for the folder, the import says how many articles still wait,
the waiting messages say which document they wait for, and the next poll finishes them.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from dienhinh.worker import jobs
from dienhinh.worker.cli import main
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email
from helpers import ENGINES

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (libreoffice-writer-nogui) missing: run scripts/test-setup",
    ),
]

DOC, RTF, ODT = "application/msword", "application/rtf", "application/vnd.oasis.opendocument.text"
OTT = "application/vnd.oasis.opendocument.text-template"
LETTERHEAD = ("UBND HUYỆN BÁT XÁT",)
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def _invitation() -> bytes:
    return make_docx(
        DocSpec(
            title="GIẤY MỜI",
            title_style="upper",
            letterhead=(*LETTERHEAD, *MOTTO, "Số: 45/GM-UBND"),
            paragraphs=[
                "Về việc dự hội nghị tổng kết phong trào thi đua năm 2024",
                "Kính mời: Đại diện lãnh đạo các phòng, ban chuyên môn huyện.",
                "Thời gian: 8 giờ 00, ngày 12 tháng 12 năm 2024.",
                "Địa điểm: Hội trường UBND huyện Bát Xát.",
                "Nơi nhận:",
                "- Như trên;",
                "- Lưu VT.",
            ],
        )
    )


def _dispatch() -> bytes:
    return make_docx(
        DocSpec(
            title="V/v gửi bài viết gương điển hình tiên tiến",
            title_style="bold",
            letterhead=(*LETTERHEAD, *MOTTO, "Số: 1234/UBND-VP"),
            paragraphs=[
                "Kính gửi: Ban Thi đua - Khen thưởng tỉnh Lào Cai.",
                "Thực hiện hướng dẫn của Ban, UBND huyện Bát Xát gửi kèm bài viết về gương "
                "điển hình tiên tiến năm 2024.",
                "Nơi nhận:",
                "- Như trên;",
                "- Lưu VT.",
                "TM. ỦY BAN NHÂN DÂN",
            ],
        )
    )


def _strict(data: bytes) -> bytes:
    """The same .docx with Strict OOXML namespaces (Word's "Strict Open XML")."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in src.infolist():
            body = src.read(item)
            if item.filename.endswith((".xml", ".rels")):
                body = body.replace(
                    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                    b"http://purl.oclc.org/ooxml/wordprocessingml/main",
                ).replace(
                    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                    b"http://purl.oclc.org/ooxml/officeDocument/relationships",
                )
            zf.writestr(item, body)
    return buf.getvalue()


def _cut_inside(data: bytes) -> bytes:
    """A .docx cut in the middle of word/document.xml's packed bytes."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    return data[: info.header_offset + 30 + len(info.filename) + info.compress_size // 2]


def _encrypted(doc: bytes) -> bytes:
    """A Word 97 .doc with the FIB's fEncrypted bit set, as Word writes a password-protected
    one. The FIB opens the WordDocument stream, so it starts a sector: found here by its
    magic (wIdent 0xA5EC) at a 512-byte boundary, not by the reader under test."""
    at = next(i for i in range(512, len(doc), 512) if doc[i : i + 2] == b"\xec\xa5")
    out = bytearray(doc)
    out[at + 11] |= 0x01  # flags at offset 10, little-endian: 0x0100 is fEncrypted
    return bytes(out)


def _soffice(sources: dict[str, bytes], target: str, work: Path) -> dict[str, bytes]:
    """``sources`` (name -> .docx bytes) saved by LibreOffice as ``target`` (one run)."""
    assert SOFFICE is not None
    work.mkdir(parents=True, exist_ok=True)
    for name, data in sources.items():
        (work / f"{name}.docx").write_bytes(data)
    filters = {"doc": "doc:MS Word 97", "rtf": "rtf", "odt": "odt", "ott": "ott"}
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            filters[target],
            "--outdir",
            str(work / target),
            *(str(work / f"{name}.docx") for name in sources),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {name: (work / target / f"{name}.{target}").read_bytes() for name in sources}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A folder of unit mail (one file per message), and what each message must become."""
    work = tmp_path_factory.mktemp("docs")
    arts = {f"a{i}": article_text(900 + i) for i in range(6)}
    docx = {
        k: make_docx(DocSpec(title=t, paragraphs=p, letterhead=LETTERHEAD))
        for k, (t, p) in arts.items()
    }
    docs = _soffice(
        {"a0": docx["a0"], "gm": _invitation(), "cv": _dispatch(), "a5": docx["a5"]}, "doc", work
    )
    rtf = _soffice({"a1": docx["a1"]}, "rtf", work)["a1"]
    odt = _soffice({"a2": docx["a2"]}, "odt", work)["a2"]
    ott = _soffice({"a3": docx["a3"]}, "ott", work)["a3"]
    t4, p4 = article_text(950)
    beside = make_docx(DocSpec(title=t4, paragraphs=p4))
    mails = {
        "doc": [Attach("bai-viet.doc", docs["a0"], DOC)],
        "rtf": [Attach("bai-viet.rtf", rtf, RTF)],
        "odt": [Attach("bai-viet.odt", odt, ODT)],
        # a template, named and declared as one: read as the .odt it is
        "ott": [Attach("mau-bai.ott", ott, OTT)],
        "strict": [Attach("bai-strict.docx", _strict(docx["a4"]), DOCX_TYPE)],
        # cut inside its text: LibreOffice's turn, which fails
        "cut": [Attach("bai-cut.docx", _cut_inside(docx["a4"]), DOCX_TYPE)],
        # cut after its text (the end of the package lost in transit): read from what came
        "cutlate": [Attach("bai-cut-cuoi.docx", docx["a4"][: len(docx["a4"]) * 2 // 3], DOCX_TYPE)],
        "locked": [Attach("bai-khoa.doc", _encrypted(docs["a5"]), DOC)],
        "invitation": [Attach("giay-moi.doc", docs["gm"], DOC)],
        "dispatch": [
            Attach("cong-van.doc", docs["cv"], DOC),
            Attach("bai.docx", beside, DOCX_TYPE),
        ],
    }
    mail_dir = work / "thu"
    mail_dir.mkdir()
    for key, atts in mails.items():
        raw = make_email(
            message_id=f"<{key}@laocai.gov.vn>", subject=f"Gửi bài {key}", attachments=atts
        )
        (mail_dir / f"{key}.eml").write_bytes(raw)
    titles = {
        "doc": arts["a0"][0],
        "rtf": arts["a1"][0],
        "odt": arts["a2"][0],
        "ott": arts["a3"][0],
    }
    titles |= {"strict": arts["a4"][0], "cutlate": arts["a4"][0], "dispatch": t4}
    return {"dir": mail_dir, "titles": titles, "arts": arts}


def _config(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "inbox" / "new").mkdir(parents=True)
    (tmp_path / "inbox" / "cur").mkdir()
    p = tmp_path / "config.toml"
    p.write_text(
        f'[paths]\ndata_dir = "var"\n[database]\nurl = "sqlite:///{tmp_path / "db.sqlite3"}"\n'
        f'[mailbox]\nurl = "maildir://{tmp_path / "inbox"}"\n[ingest]\nworkers = 1\n{extra}',
        encoding="utf-8",
    )
    return p


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def _export(cfg: Path, what: str) -> dict[str, Any]:
    code, out = run("--config", str(cfg), "-q", "export", what)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    if what == "messages":
        return {r["message_id"].split("@")[0]: r for r in rows}
    by: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r["message_id"].split("@")[0], []).append(r)
    return by


def _check_final(cfg: Path, folder: dict[str, Any]) -> None:
    msgs = _export(cfg, "messages")
    arts = _export(cfg, "articles")
    outcomes = {k: [(a["name"], a["outcome"]) for a in m["attachments"]] for k, m in msgs.items()}
    assert not [k for k, o in outcomes.items() if any(x == "waiting" for _, x in o)], outcomes
    for key in ("doc", "rtf", "odt", "ott", "strict", "cutlate"):
        m = msgs[key]
        assert (m["status"], m["reason"], m["articles"]) == ("ingested", None, 1), (key, m)
        assert [o for _, o in outcomes[key]] == ["article"], (key, outcomes[key])
        [a] = arts[key]
        assert (
            a["status"] in ("pending-review", "duplicate") and a["title"] == folder["titles"][key]
        )
        assert len(a["text"]) > 600, (key, a["text"])  # the whole article, not a fragment
    assert [a["source"] for a in arts["ott"]] == ["odt"]
    # A truncated .docx: LibreOffice tried it and could not; refused with its reason.
    cut = msgs["cut"]
    assert cut["status"] == "failed"
    assert cut["reason"].startswith("no readable article: bai-cut.docx: conversion failed: ")
    assert "LibreOffice could not read this .docx" in cut["reason"]
    [(name, outcome, reason)] = [(a["name"], a["outcome"], a["reason"]) for a in cut["attachments"]]
    assert (name, outcome) == ("bai-cut.docx", "refused") and reason.startswith("unreadable: ")
    # A password-protected .doc: refused at extraction, LibreOffice never asked.
    locked = msgs["locked"]
    assert locked["status"] == "failed" and "bai-khoa.doc" in locked["reason"]
    [att] = locked["attachments"]
    assert att["outcome"] == "refused"
    assert att["reason"] == "encrypted: bai-khoa.doc: password-protected .doc"
    # A giấy mời sent as .doc: an official document, no article, no quota.
    inv = msgs["invitation"]
    assert (inv["status"], inv["articles"]) == ("no-article", 0)
    assert inv["reason"] == (
        "not an article: official document (invitation: giay-moi.doc, Số 45/GM-UBND)"
    )
    assert [(a["outcome"], a["reason"]) for a in inv["attachments"]] == [
        ("official-document", "official-document: giấy mời, Số 45/GM-UBND")
    ]
    assert "invitation" not in arts
    # A công văn sent as .doc beside the article: the article's cover letter.
    disp = msgs["dispatch"]
    assert (disp["status"], disp["reason"], disp["articles"]) == ("ingested", None, 1)
    assert [(a["name"], a["outcome"], a["reason"]) for a in disp["attachments"]] == [
        ("cong-van.doc", "cover-letter", "cover-letter: công văn, Số 1234/UBND-VP"),
        ("bai.docx", "article", None),
    ]
    assert [a["title"] for a in arts["dispatch"]] == [folder["titles"]["dispatch"]]


def test_import_converts_every_waiting_document_and_every_state_is_true(
    tmp_path: Path, folder: dict[str, Any]
) -> None:
    """GIVEN the folder WHEN `dienhinh import` runs with the default budget THEN the
    slow lane reads every waiting document within the import, nothing is left waiting,
    and every message and attachment ends in a true state (see _check_final); the import
    exits 1 (two messages failed) and its summary counts the conversions."""
    cfg = _config(tmp_path)
    assert run("--config", str(cfg), "init")[0] == 0
    code, out = run("--config", str(cfg), "-q", "import", str(folder["dir"]))
    assert code == 1, out
    assert "fetched 10," in out and "failed 2," in out and "converted 7" in out, out
    assert "waiting" not in out
    _check_final(cfg, folder)


def test_import_out_of_time_says_what_waits_and_the_next_poll_finishes(
    tmp_path: Path, folder: dict[str, Any]
) -> None:
    """GIVEN a slow-lane budget of 1 s WHEN the folder is imported THEN the import says
    how many articles still wait, each waiting message is `ingested` with a reason naming
    the document it waits for (never a bare "ingested"), its attachment `waiting`; WHEN
    the worker's scheduled poll job runs (nothing new in the mailbox) until nothing waits
    THEN every state is the same as with a budget large enough (see _check_final)."""
    cfg = _config(tmp_path, "slow_lane_budget_seconds = 1\n")
    assert run("--config", str(cfg), "init")[0] == 0
    code, out = run("--config", str(cfg), "-q", "import", str(folder["dir"]))
    assert code == 1, out
    # How many conversions fit in 1 s depends on the machine: at least one is left.
    left = re.search(r", waiting (\d+)\n", out)
    assert left is not None and int(left[1]) >= 1, out
    assert f"{left[1]} article(s) still wait for conversion or OCR" in out
    msgs = _export(cfg, "messages")
    waiting = {
        k: m for k, m in msgs.items() if any(a["outcome"] == "waiting" for a in m["attachments"])
    }
    assert len(waiting) == int(left[1])
    for m in waiting.values():
        assert m["status"] == "ingested"
        names = [a["name"] for a in m["attachments"] if a["outcome"] == "waiting"]
        assert m["reason"] == f"waiting: {names[0]} (needs-conversion)", m
    # The worker's jobs, as `dienhinh worker` runs them: its scheduled poll (nothing new
    # in the mailbox) runs the slow lane within its budget, and so does the daily run.
    ctx = _job_context(cfg)
    for _ in range(10):
        result = jobs.poll(ctx)
        assert result.status == "ok" and result.fetched == 0, result
        if _waiting_articles(ctx) == 0:
            break
    else:
        pytest.fail(f"still waiting after 10 worker polls: {_waiting_articles(ctx)}")
    assert jobs.daily(ctx).status == "ok"  # nothing left: the daily slow lane is a no-op
    _check_final(cfg, folder)
    code, out = run("--config", str(cfg), "-q", "poll")
    assert "waiting" not in out and "converted" not in out, out


def _job_context(cfg: Path) -> jobs.JobContext:
    from dienhinh.core.config import load_config
    from dienhinh.store.db import make_engine
    from dienhinh.worker.settings import load

    config = load_config(cfg)
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    return jobs.JobContext(config=config, settings=load(config), engine=engine, holder="t:1:x")


def _waiting_articles(ctx: jobs.JobContext) -> int:
    from sqlalchemy import func, select

    from dienhinh.store.models import Article

    with ctx.sessions() as s:
        return s.execute(
            select(func.count(Article.id)).where(
                Article.status.in_(("needs-conversion", "needs-ocr"))
            )
        ).scalar_one()
