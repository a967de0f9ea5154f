"""`dienhinh import` reads mail by content, says what it skipped, and exits 1 on failures;
`status --json` lists every failed message (issue 12, item 8)."""

from __future__ import annotations

import io
import json
import mailbox
import os
import shutil
from pathlib import Path

import pytest

from dienhinh.ingest.sources.files import FileImportSource, sniff_mail
from dienhinh.worker.cli import main
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email, make_jpeg

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, extra: str = "") -> Path:
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


def _mail(seed: int, mid: str) -> bytes:
    title, paras = article_text(seed)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    return make_email(message_id=mid, attachments=[Attach("bài viết.docx", doc, DOCX_TYPE)])


def _ids(cfg: Path) -> list[str]:
    code, out = run("--config", str(cfg), "export", "messages")
    assert code == 0
    return sorted(json.loads(line)["message_id"] for line in out.splitlines())


def test_import_reads_every_mail_file_by_content_and_lists_what_it_skipped(tmp_path):
    """GIVEN a folder as users keep mail: .txt and extension-less message files, an mbox
    without extension in a subfolder, a Maildir with only new/, and files that are not mail
    WHEN it is imported THEN every message is stored and every other file is named with
    its reason; the command exits 0."""
    cfg = _config(tmp_path)
    assert run("--config", str(cfg), "init")[0] == 0
    folder = tmp_path / "thu cu"
    (folder / "2018" / "quy 1").mkdir(parents=True)
    (folder / "msg_01.txt").write_bytes(_mail(1, "<f1@laocai.gov.vn>"))
    (folder / "1520000000").write_bytes(_mail(2, "<f2@laocai.gov.vn>").replace(b"\n", b"\r\n"))
    (folder / "2018" / "quy 1" / "x.EML").write_bytes(_mail(3, "<f3@laocai.gov.vn>"))
    box = mailbox.mbox(folder / "2018" / "hop thu cu")
    box.add(_mail(4, "<f4@laocai.gov.vn>"))
    box.add(_mail(5, "<f5@laocai.gov.vn>"))
    box.flush()
    box.close()
    md = folder / "maildir"
    (md / "new").mkdir(parents=True)  # no cur/ or tmp/, as in a git clone
    (md / "new" / "1520000001.M1P1.host").write_bytes(_mail(6, "<f6@laocai.gov.vn>"))
    (md / "dovecot-uidlist").write_text("3 V1 N2\n")  # the server's bookkeeping: passed over
    (folder / "README.txt").write_text("Thư cũ của Ban Thi đua, năm 2018.\n", encoding="utf-8")
    (folder / "ghi chu.txt").write_text("Ghi chú: gửi lại sau.\nCảm ơn.\n", encoding="utf-8")
    (folder / "anh.jpg").write_bytes(make_jpeg(seed=1))
    (folder / "thu.msg").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504)
    (folder / "empty.eml").write_bytes(b"")
    (folder / ".hidden").write_bytes(_mail(7, "<hidden@laocai.gov.vn>"))

    code, out = run("--config", str(cfg), "-q", "import", str(folder))
    assert code == 0, out
    assert "stored 6 new" in out and "found 6 message(s)" in out, out
    assert "skipped 5 file(s)" in out, out
    lines = {line.strip() for line in out.splitlines()}
    assert f"{folder / 'README.txt'}: not mail: no header fields at the top" in lines
    assert any(line.startswith(f"{folder / 'ghi chu.txt'}: not mail") for line in lines)
    assert f"{folder / 'anh.jpg'}: not mail: binary content" in lines
    assert f"{folder / 'empty.eml'}: not mail: empty file" in lines
    assert (
        f"{folder / 'thu.msg'}: not mail: an OLE file (an Outlook .msg? save it as .eml)" in lines
    )
    assert "dovecot-uidlist" not in out
    assert _ids(cfg) == [f"f{i}@laocai.gov.vn" for i in range(1, 7)]

    # Again: nothing new, nothing twice; the Maildir message moved to cur/ is the same one.
    (md / "cur").mkdir()
    (md / "new" / "1520000001.M1P1.host").rename(md / "cur" / "1520000001.M1P1.host:2,S")
    code, out = run("--config", str(cfg), "-q", "import", str(folder))
    assert code == 0 and "stored 0 new" in out and "fetched 0" in out, out
    assert len(_ids(cfg)) == 6


def test_import_of_the_demo_maildir_as_a_clone_has_it(tmp_path):
    """The repository's demo/maildir has no cur/ (git keeps no empty folder)."""
    demo = ROOT / "demo" / "maildir"
    if not (demo / "new").is_dir():
        pytest.skip("no demo/maildir in this tree")
    copy = tmp_path / "maildir"
    shutil.copytree(demo / "new", copy / "new")
    cfg = _config(tmp_path)
    run("--config", str(cfg), "init")
    _code, out = run("--config", str(cfg), "-q", "import", str(copy))
    n = len(list((copy / "new").iterdir()))
    assert n > 0 and f"fetched {n}" in out and f"found {n} message(s)" in out, out


def test_import_of_a_folder_without_mail_says_so_and_exits_1(tmp_path):
    cfg = _config(tmp_path)
    run("--config", str(cfg), "init")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bao cao.txt").write_text("Báo cáo tháng 3.\n", encoding="utf-8")
    code, out = run("--config", str(cfg), "-q", "import", str(folder))
    assert code == 1
    assert "no mail found" in out and "bao cao.txt: not mail" in out, out


def test_import_with_failed_messages_exits_1_and_status_json_lists_every_one(tmp_path):
    """GIVEN 25 messages over the size limit (they fail) WHEN imported THEN the command
    exits 1; `status --json` lists all 25 (not 20) and the terminal view says how many it
    left out."""
    cfg = _config(tmp_path, "max_message_bytes = 2000\n")
    run("--config", str(cfg), "init")
    folder = tmp_path / "big"
    folder.mkdir()
    for i in range(25):
        (folder / f"{i:02d}").write_bytes(_mail(i, f"<big{i}@laocai.gov.vn>"))
    code, out = run("--config", str(cfg), "-q", "import", str(folder))
    assert code == 1, out
    assert "failed 25" in out

    code, out = run("--config", str(cfg), "status", "--json")
    st = json.loads(out)
    assert st["failed_total"] == 25 and st["failed_left_out"] == 0
    assert len(st["failed"]) == 25
    assert all("max_message_bytes" in f["reason"] for f in st["failed"])

    code, out = run("--config", str(cfg), "status")
    assert "Failed or waiting for retry (25):" in out
    assert "... and 5 more" in out


def test_import_of_an_unreadable_file_exits_1(tmp_path, monkeypatch):
    cfg = _config(tmp_path)
    run("--config", str(cfg), "init")
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "a.eml").write_bytes(_mail(1, "<ok@laocai.gov.vn>"))
    locked = folder / "b.eml"
    locked.write_bytes(_mail(2, "<locked@laocai.gov.vn>"))
    real_open = Path.open

    def refuse(self: Path, *a: object, **kw: object):  # root ignores chmod: refuse here
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    code, out = run("--config", str(cfg), "-q", "import", str(folder))
    assert code == 1, out
    assert "stored 1 new" in out and f"{locked}: unreadable: Permission denied" in out


# --- the sniffer on mail nobody here wrote ---------------------------------------------------


def _cpython_email_data() -> Path:
    try:
        import test.test_email as te  # the interpreter's own test suite, when installed
    except ImportError:
        pytest.skip("this Python has no test.test_email (Debian: libpython3-testsuite)")
    data = Path(os.path.dirname(te.__file__)) / "data"
    if not data.is_dir():
        pytest.skip("test.test_email has no data folder")
    return data


def test_sniffer_on_cpythons_test_email_data():
    """CPython's test_email messages (msg_NN.txt, written by others) are mail; its images
    and sounds, and msg_19.txt (a digest body with no header), are not."""
    data = _cpython_email_data()
    files = sorted(data.iterdir())
    kinds = {p.name: sniff_mail(p.read_bytes()[: 64 * 1024])[0] for p in files}
    mail = {n for n, k in kinds.items() if k != "skip"}
    assert mail == {n for n in kinds if n.startswith("msg_") and n != "msg_19.txt"}
    assert kinds["msg_25.txt"] == "mbox"  # starts with an mbox "From " line
    source = FileImportSource([data])
    with source:
        items = source.list_new(0)
        assert len(items) == source.found >= len(mail)
        got = list(source.fetch(items))
    assert len(got) == len(items)
    assert {s.path.name for s in source.skipped} == set(kinds) - mail
    assert not any(s.failure for s in source.skipped)
