"""Tagging through the whole pipeline: units with evidence, flags, learning from editors,
the unverified-sender rule and retraining, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from dienhinh.worker.cli import main
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email
from helpers import deliver


@pytest.fixture
def cli(tmp_path: Path, db_url: str):
    md = tmp_path / "maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[database]\nurl = "{db_url}"\n'
        f'[mailbox]\nurl = "maildir://{md}"\n[ingest]\nworkers = 1\n',
        encoding="utf-8",
    )

    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        return main(["--config", str(cfg), "-q", *argv], out=out), out.getvalue()

    assert run("init")[0] == 0
    run.maildir = md  # type: ignore[attr-defined]
    return run


def _export(run, what: str) -> list[dict]:
    code, out = run("export", what)
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]


def _docx(seed: int, letterhead=()) -> bytes:
    title, paras = article_text(seed)
    return make_docx(DocSpec(title=title, paragraphs=paras, letterhead=letterhead))


def test_official_address_and_letterhead_give_the_unit_with_evidence(cli):
    deliver(
        cli.maildir,
        make_email(
            from_="Văn phòng UBND huyện Bát Xát <ubnd-batxat@laocai.gov.vn>",
            message_id="<t1@laocai.gov.vn>",
            attachments=[Attach("bai.docx", _docx(1, ("UBND HUYỆN BÁT XÁT",)), DOCX_TYPE)],
        ),
    )
    assert cli("poll")[0] == 0
    (msg,) = _export(cli, "messages")
    (art,) = _export(cli, "articles")
    assert msg["unit"] == "bat-xat" and art["unit"] == "bat-xat"
    assert art["campaigns"] and art["subject_type"] and art["kind"]

    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from dienhinh.core.config import load_config
    from dienhinh.store.models import Tag

    # the stored "why"
    cfg = load_config(Path(cli.maildir).parent / "config.toml")
    eng = create_engine(cfg.database.url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with Session(eng) as s:
            tags = list(s.execute(select(Tag)).scalars())
    finally:
        eng.dispose()
    unit_tag = next(t for t in tags if t.field == "unit")
    assert unit_tag.value == "bat-xat" and unit_tag.article_id is None
    assert {"kind": "address", "value": "ubnd-batxat@laocai.gov.vn"} in unit_tag.evidence
    assert {t.field for t in tags} >= {"unit", "campaign", "subject_type", "kind"}
    assert all(0 <= t.confidence <= 1 for t in tags)


# An article that names no unit and no place: nothing in it speaks of who sent it (an
# article set in a district's communes would give that district as the lowest guess).
_PLACELESS = [
    f"Đoạn {i}: chị Hoa làm công việc của mình đã mười lăm năm, ngày nào cũng đến sớm về "
    "muộn, tận tình với từng người dân đến liên hệ, được đồng nghiệp và bà con tin yêu. "
    "Chị luôn nói rằng việc nhỏ làm cho chu đáo thì người dân sẽ hài lòng."
    for i in range(1, 9)
]


def test_webmail_without_evidence_is_flagged_then_learned_then_forgotten(cli):
    gmail = "nguoigui.baiviet@gmail.com"

    def mail(n: int) -> bytes:
        doc = make_docx(DocSpec(title=f"Người tận tụy số {n}", paragraphs=_PLACELESS))
        return make_email(
            from_=f"Người gửi <{gmail}>",
            message_id=f"<g{n}@gmail.com>",
            subject="Gửi bài",
            text="Gửi bài viết ạ.\n",
            attachments=[Attach("bai.docx", doc, DOCX_TYPE)],
        )

    deliver(cli.maildir, mail(1))
    cli("poll")
    (msg,) = _export(cli, "messages")
    (art,) = _export(cli, "articles")
    assert msg["unit"] is None and art["unit"] is None

    code, out = cli("assign", "g1@gmail.com", "bao-yen", "--editor", "lan")
    assert code == 0 and gmail in out
    assert _export(cli, "messages")[0]["unit"] == "bao-yen"

    deliver(cli.maildir, mail(2))
    cli("poll")
    assert {m["message_id"]: m["unit"] for m in _export(cli, "messages")}[
        "g2@gmail.com"
    ] == "bao-yen"

    code, _ = cli("forget-address", gmail, "--editor", "lan")
    assert code == 0
    deliver(cli.maildir, mail(3))
    cli("poll")
    assert {m["message_id"]: m["unit"] for m in _export(cli, "messages")}["g3@gmail.com"] is None
    assert cli("assign", "g3@gmail.com", "no-such-unit")[0] != 0


def test_official_address_failing_authentication_is_not_trusted_alone(cli):
    deliver(
        cli.maildir,
        make_email(
            from_="UBND huyện Bát Xát <ubnd-batxat@laocai.gov.vn>",
            message_id="<spoof@x>",
            subject="Gửi bài",
            text="Gửi bài.\n",
            headers={
                "Authentication-Results": "mx.laocai.gov.vn; spf=fail smtp.mailfrom=evil.example; "
                "dkim=none; dmarc=fail header.from=laocai.gov.vn"
            },
            attachments=[Attach("bai.docx", _docx(20), DOCX_TYPE)],
        ),
    )
    cli("poll")
    (msg,) = _export(cli, "messages")
    assert msg["unit"] is None
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from dienhinh.core.config import load_config
    from dienhinh.store.models import Article, Message

    cfg = load_config(Path(cli.maildir).parent / "config.toml")
    eng = create_engine(cfg.database.url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with Session(eng) as s:
            m = s.execute(select(Message)).scalar_one()
            a = s.execute(select(Article)).scalar_one()
            assert m.sender_verified is False
            assert any("unverified" in f for f in m.flags)
            assert a.flagged
    finally:
        eng.dispose()


def test_retrain_needs_confirmed_articles_then_saves_a_checked_model(cli, tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed: pip install -e .[test]")
    code, _ = cli("retrain")
    assert code == 1  # nothing confirmed yet: said plainly, no model written
    assert not (tmp_path / "var" / "campaign-model.pickle").exists()
    for n in range(12):
        deliver(
            cli.maildir,
            make_email(
                message_id=f"<r{n}@laocai.gov.vn>",
                attachments=[Attach("b.docx", _docx(40 + n), DOCX_TYPE)],
            ),
        )
    cli("poll")
    from sqlalchemy import create_engine, update

    from dienhinh.core.config import load_config
    from dienhinh.store.models import Article

    cfg = load_config(Path(cli.maildir).parent / "config.toml")
    eng = create_engine(cfg.database.url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with eng.begin() as c:  # as if editors had approved them
            c.execute(update(Article).values(status="approved"))
    finally:
        eng.dispose()
    code, out = cli("retrain")
    assert code == 0 and "candidate macro-F1" in out and "replaced" in out
    model_file = tmp_path / "var" / "campaign-model.pickle"
    from dienhinh.classifiers import model

    assert model.load(model_file).trained_on >= 8  # the confirmed articles, not the seed
    # The subject and kind cue weights are learned beside it (a JSON file; empty fields
    # when the editors' choices taught nothing the rules did not already do).
    from dienhinh.learning.editors import cue_weights_path, load_cue_weights

    weights_file = cue_weights_path(model_file)
    assert weights_file.is_file()
    assert set(load_cue_weights(weights_file)) <= {"subject_type", "kind"}
