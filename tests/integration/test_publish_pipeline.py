"""From a unit's email to the feed and the export folder, through the real command:
`dienhinh init`, `poll`, an editor's approval, `dienhinh publish` (and `--retry`)."""

from __future__ import annotations

import io
import json

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.core.config import load_config
from dienhinh.publish.atom import ATOM_NS, render_feed
from dienhinh.publish.queue import enqueue
from dienhinh.store.db import make_engine
from dienhinh.store.models import Article, Publication
from dienhinh.store.states import ArticleState, transition
from dienhinh.worker.cli import main
from factory import (
    DOCX_TYPE,
    Attach,
    DocImage,
    DocSpec,
    article_text,
    make_docx,
    make_email,
    make_jpeg,
)
from helpers import ENGINES, deliver

A = "{%s}" % ATOM_NS  # noqa: UP031


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def _mail() -> bytes:
    title, paras = article_text(11)
    doc = make_docx(
        DocSpec(
            title=title,
            paragraphs=paras,
            letterhead=("UBND HUYỆN BÁT XÁT",),
            images=[DocImage(make_jpeg(320, 240, seed=5), "Ảnh: Bà con thu hoạch thảo quả", 1)],
        )
    )
    return make_email(
        message_id="<pub-1@laocai.gov.vn>",
        attachments=[
            Attach("bài viết.docx", doc, DOCX_TYPE),
            Attach("ảnh lớn.jpg", make_jpeg(640, 480, seed=6), "image/jpeg"),
        ],
    )


def test_email_to_feed_and_export_folder_through_the_command(tmp_path, db_url):
    md = tmp_path / "maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    blocker = tmp_path / "export"
    blocker.write_text("a file where the export folder should be")
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[database]\nurl = "{db_url}"\n'
        f'[mailbox]\nurl = "maildir:{md}"\n[ingest]\nworkers = 1\n'
        '[publish]\ntargets = ["feed", "folder"]\nretry_backoff_seconds = 60\n'
        '[publish.folder]\npath = "export"\n',
        encoding="utf-8",
    )
    assert run("--config", str(cfg), "-q", "init")[0] == 0
    deliver(md, _mail())
    assert run("--config", str(cfg), "-q", "poll")[0] == 0

    config = load_config(cfg)
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    with Session(engine) as s:  # what the console does on "approve"
        (art,) = s.execute(select(Article)).scalars()
        assert len(art.images) == 2
        art.campaigns = ["nong-thon-moi", "du-lich"]
        transition(s, art, ArticleState.APPROVED, actor="editor:lan")
        enqueue(s, art, actor="editor:lan", targets=["feed", "folder"])
        s.commit()
        aid, title = art.id, art.title

    # the export folder cannot be made: visible, retried later, the article waits
    code, out = run("--config", str(cfg), "-q", "publish")
    assert code == 1
    assert f"published  publication 1 article {aid} -> feed" in out
    assert f"retrying   publication 2 article {aid} -> folder: attempt 1 failed" in out
    assert "export folder" in out and "publish: 1 published, 1 retrying, 0 failed" in out
    with Session(engine) as s:
        folder_pub = s.execute(select(Publication).where(Publication.target == "folder")).scalar()
        assert folder_pub.status == "queued" and "cannot write" in folder_pub.last_error
        assert s.get(Article, aid).status == ArticleState.APPROVED
        assert render_feed(s, config, base_url="http://x").count(b"<entry>") == 0

    # the operator fixes it and retries at once (without waiting for the backoff)
    blocker.unlink()
    code, out = run("--config", str(cfg), "-q", "publish", "--retry", str(folder_pub.id))
    assert code == 0, out
    assert f"article {aid} published" in out
    assert run("--config", str(cfg), "-q", "publish", "--retry", "999")[0] == 2

    (d,) = (tmp_path / "export").iterdir()
    assert d.name.startswith(f"{aid:06d}-")
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["title"] == title
    assert manifest["unit"] == {"code": "bat-xat", "name": "UBND huyện Bát Xát"}
    assert manifest["message_id"] == "pub-1@laocai.gov.vn"
    assert [c["code"] for c in manifest["campaigns"]] == ["nong-thon-moi", "du-lich"]
    assert "Ảnh: Bà con thu hoạch thảo quả" in [i["caption"] for i in manifest["images"]]
    assert sorted(p.name for p in (d / "images").iterdir()) == ["01.jpg", "02.jpg"]

    with Session(engine) as s:
        art = s.get(Article, aid)
        assert art.status == ArticleState.PUBLISHED and art.published_at is not None
        feed = etree.fromstring(render_feed(s, config, base_url="https://btdkt.example.vn"))
    (entry,) = feed.findall(A + "entry")
    assert entry.findtext(A + "title") == title
    assert entry.findtext(f"{A}author/{A}name") == "UBND huyện Bát Xát"
    assert [c.get("term") for c in entry.findall(A + "category")] == ["nong-thon-moi", "du-lich"]
    assert (
        entry.find(f"{A}link[@rel='enclosure']")
        .get("href")
        .startswith("https://btdkt.example.vn/feed/media/")
    )
