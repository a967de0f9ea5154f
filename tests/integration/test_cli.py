"""The `dienhinh` command end to end: init, poll, import, export contract, status."""

from __future__ import annotations

import io
import json
import mailbox
from pathlib import Path

import pytest

from dienhinh.worker.cli import main
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email, make_jpeg
from helpers import deliver

MESSAGE_FIELDS = {
    "message_id",
    "received_at",
    "from",
    "subject",
    "status",
    "reason",
    "unit",
    "articles",
    "attachments",
}
ARTICLE_FIELDS = {
    "id",
    "message_id",
    "unit",
    "campaigns",
    "subject_type",
    "kind",
    "title",
    "text",
    "images",
    "source",
    "status",
    "duplicate_of",
}


def _write_config(tmp_path: Path, db_url: str, mailbox_url: str, extra: str = "") -> Path:
    p = tmp_path / "config.toml"
    p.write_text(
        f'[paths]\ndata_dir = "var"\n[database]\nurl = "{db_url}"\n'
        f'[mailbox]\nurl = "{mailbox_url}"\n[ingest]\nworkers = 1\n{extra}',
        encoding="utf-8",
    )
    return p


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    md = tmp_path / "maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    return md


def _mail(seed: int, mid: str) -> bytes:
    title, paras = article_text(seed)
    doc = make_docx(DocSpec(title=title, paragraphs=paras, letterhead=("UBND HUYỆN BẢO YÊN",)))
    return make_email(
        message_id=mid,
        attachments=[
            Attach("bài viết.docx", doc, DOCX_TYPE),
            Attach("ảnh 1.jpg", make_jpeg(seed=seed), "image/jpeg"),
        ],
    )


def test_init_poll_export_status(tmp_path, db_url, maildir):
    cfg = _write_config(tmp_path, db_url, f"maildir://{maildir}")
    deliver(maildir, _mail(1, "<cli1@laocai.gov.vn>"))
    deliver(
        maildir,
        make_email(
            message_id="<q@gmail.com>",
            subject="Hỏi hạn nộp bài",
            text="Cho em hỏi hạn gửi bài quý này là ngày nào ạ?",
        ),
    )
    assert run("--config", str(cfg), "init")[0] == 0
    code, out = run("--config", str(cfg), "-q", "poll", "--summary")
    assert code == 0, out
    assert "stored 2 new" in out and "article #" in out

    code, out = run("--config", str(cfg), "export", "messages", "--format", "jsonl")
    msgs = [json.loads(line) for line in out.splitlines()]
    assert len(msgs) == 2 and all(set(m) == MESSAGE_FIELDS for m in msgs)
    by_id = {m["message_id"]: m for m in msgs}
    assert by_id["cli1@laocai.gov.vn"]["status"] == "ingested"
    assert by_id["cli1@laocai.gov.vn"]["articles"] == 1
    assert by_id["cli1@laocai.gov.vn"]["received_at"].endswith("+07:00")
    assert by_id["q@gmail.com"]["status"] == "no-article" and by_id["q@gmail.com"]["reason"]
    # The account of every attachment: name, type as sniffed, outcome, reason.
    assert by_id["cli1@laocai.gov.vn"]["attachments"] == [
        {"name": "bài viết.docx", "type": DOCX_TYPE, "outcome": "article", "reason": None},
        {"name": "ảnh 1.jpg", "type": "image/jpeg", "outcome": "photo", "reason": None},
    ]
    assert by_id["q@gmail.com"]["attachments"] == []

    code, out = run("--config", str(cfg), "export", "articles")
    arts = [json.loads(line) for line in out.splitlines()]
    assert len(arts) == 1 and set(arts[0]) >= ARTICLE_FIELDS
    art = arts[0]
    assert art["message_id"] == "cli1@laocai.gov.vn" and art["source"] == "docx"
    assert art["status"] == "pending-review" and art["duplicate_of"] is None
    assert len(art["images"]) == 1 and art["campaigns"]  # tagged: at least one campaign
    assert "UBND HUYỆN BẢO YÊN" not in art["text"]

    code, out = run("--config", str(cfg), "status")
    assert code == 0 and "ingested 1" in out and "no-article 1" in out and "last success" in out
    code, out = run("--config", str(cfg), "status", "--json")
    assert json.loads(out)["messages"] == {"ingested": 1, "no-article": 1}


def test_poll_before_init_says_what_to_do(tmp_path, maildir, capsys):
    cfg = _write_config(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}", f"maildir://{maildir}")
    code, _ = run("--config", str(cfg), "poll")
    assert code == 2
    assert "dienhinh init" in capsys.readouterr().err


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path, maildir, capsys):
    # Nothing listens on port 1: the server is "down".
    cfg = _write_config(tmp_path, "postgresql+psycopg://u@127.0.0.1:1/x", f"maildir://{maildir}")
    for command in ("status", "poll"):
        code, _ = run("--config", str(cfg), command)
        assert code == 1
        err = capsys.readouterr().err.strip()
        # A log line (for journald) and one line for the person at the terminal.
        assert err.splitlines()[-1].startswith("dienhinh: the database is unavailable:"), err
        assert "Connection refused" in err and "Traceback" not in err


def test_invalid_config_is_one_line_naming_the_key(tmp_path, maildir, capsys):
    cfg = _write_config(
        tmp_path, "sqlite:///x", f"maildir://{maildir}", '[logging]\nlevel = "LOUD"\n'
    )
    code, _ = run("--config", str(cfg), "status")
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "logging.level" in err


def test_import_eml_mbox_and_maildir_once(tmp_path, db_url, maildir):
    cfg = _write_config(tmp_path, db_url, f"maildir://{maildir}")
    run("--config", str(cfg), "init")
    eml = tmp_path / "one.eml"
    eml.write_bytes(_mail(2, "<imp-eml@laocai.gov.vn>"))
    box = mailbox.mbox(tmp_path / "old.mbox")
    box.add(_mail(3, "<imp-mbox1@laocai.gov.vn>"))
    box.add(_mail(4, "<imp-mbox2@laocai.gov.vn>"))
    box.flush()
    box.close()
    other = tmp_path / "archive"
    for sub in ("cur", "new", "tmp"):
        (other / sub).mkdir(parents=True)
    deliver(other, _mail(5, "<imp-md@laocai.gov.vn>"))

    code, out = run(
        "--config", str(cfg), "-q", "import", str(eml), str(tmp_path / "old.mbox"), str(other)
    )
    assert code == 0 and "stored 4 new" in out, out
    code, out = run(
        "--config", str(cfg), "-q", "import", str(eml), str(tmp_path / "old.mbox"), str(other)
    )
    assert "fetched 0" in out and "stored 0 new" in out

    code, out = run("--config", str(cfg), "export", "messages")
    ids = sorted(json.loads(line)["message_id"] for line in out.splitlines())
    assert ids == [
        "imp-eml@laocai.gov.vn",
        "imp-mbox1@laocai.gov.vn",
        "imp-mbox2@laocai.gov.vn",
        "imp-md@laocai.gov.vn",
    ]


def test_reprocess_by_message_id(tmp_path, db_url, maildir):
    cfg = _write_config(tmp_path, db_url, f"maildir://{maildir}")
    deliver(maildir, _mail(6, "<rp@laocai.gov.vn>"))
    run("--config", str(cfg), "init")
    run("--config", str(cfg), "-q", "poll")
    code, out = run("--config", str(cfg), "-q", "reprocess", "<rp@laocai.gov.vn>")
    assert code == 0 and "processed 1" in out
    code, out = run("--config", str(cfg), "export", "articles")
    assert len(out.splitlines()) == 1  # replaced, not added
    code, _ = run("--config", str(cfg), "reprocess", "nope@x")
    assert code == 2


def test_reprocess_requests_from_the_console_are_done_by_the_cli(tmp_path, db_url, maildir):
    """A "Chạy lại" queued in the console is done by `dienhinh reprocess --requested` and,
    for installs with the poll timer instead of a worker, by `dienhinh poll`."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from dienhinh.ingest.requested import request_reprocess
    from dienhinh.store.db import make_engine
    from dienhinh.store.models import Message, ReprocessRequest

    cfg = _write_config(tmp_path, db_url, f"maildir://{maildir}")
    deliver(maildir, _mail(7, "<rq@laocai.gov.vn>"))
    run("--config", str(cfg), "init")
    run("--config", str(cfg), "-q", "poll")
    code, out = run("--config", str(cfg), "reprocess", "--requested")
    assert code == 0 and "no reprocess request waiting" in out
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            pk = s.execute(select(Message.id)).scalar_one()
            request_reprocess(s, pk, actor="mai")
        code, out = run("--config", str(cfg), "-q", "reprocess", "--requested")
        assert code == 0 and "reprocess: fetched 0, stored 0 new, processed 1" in out
        with Session(engine) as s:
            request_reprocess(s, pk, actor="mai")
        code, out = run("--config", str(cfg), "-q", "poll")
        assert code == 0 and "requested from the console:" in out and "processed 1" in out
        with Session(engine) as s:
            done = [r.done_at for r in s.execute(select(ReprocessRequest)).scalars()]
        assert len(done) == 2 and all(done)
    finally:
        engine.dispose()


def test_eval_scores_a_labelled_folder(tmp_path, maildir):
    cfg = _write_config(
        tmp_path, f"sqlite:///{tmp_path / 'unused.sqlite3'}", f"maildir://{maildir}"
    )
    folder = tmp_path / "labelled"
    folder.mkdir()
    title, paras = article_text(31)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    (folder / "a.eml").write_bytes(
        make_email(
            message_id="<ev-a@laocai.gov.vn>", attachments=[Attach("bai.docx", doc, DOCX_TYPE)]
        )
    )
    (folder / "b.eml").write_bytes(
        make_email(
            message_id="<ev-b@gmail.com>", subject="Hỏi hạn nộp", text="Cho em hỏi hạn nộp bài ạ?"
        )
    )
    (folder / "c.eml").write_bytes(
        make_email(
            message_id="<ev-c@laocai.gov.vn>",
            subject="Gửi lại",
            attachments=[Attach("bai.docx", doc, DOCX_TYPE)],
        )
    )
    phrase = " ".join(paras[1].split()[:8])
    labels = [
        {
            "file": "a.eml",
            "relevant": True,
            "unit": None,
            "duplicate_of": None,
            "articles": [{"campaigns": [], "subject": None, "kind": None, "key_phrase": phrase}],
        },
        {"file": "b.eml", "relevant": False, "unit": None, "duplicate_of": None, "articles": []},
        {
            "file": "c.eml",
            "relevant": True,
            "unit": None,
            "duplicate_of": "a.eml",
            "articles": [{"campaigns": [], "subject": None, "kind": None, "key_phrase": phrase}],
        },
    ]
    (tmp_path / "labels.json").write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    code, out = run(
        "--config", str(cfg), "-q", "eval", str(tmp_path / "labels.json"), str(folder), "--json"
    )
    assert code == 0, out
    report = json.loads(out)
    assert report["emails"] == 3 and report["relevant"] == 2
    assert report["noise_precision"] == 1.0 and report["noise_recall"] == 1.0
    assert report["duplicates_found"] == 1 and report["key_phrase_recall"] == 1.0
    assert not (
        tmp_path / "unused.sqlite3"
    ).exists()  # a throwaway database, not the configured one
    code, out = run("--config", str(cfg), "-q", "eval", str(tmp_path / "labels.json"), str(folder))
    assert "key-phrase recall" in out and "1.000" in out
