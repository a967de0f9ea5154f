"""Replies and quotations written by mail clients nobody here wrote: talon's test data.

Why: the client formats in ``ingest/forward.py`` were written from documentation and
examples; mailgun's talon ships real replies (Gmail, Outlook 2003/2007/2010, Hotmail,
Thunderbird, Apple Mail, iPhone, Android, Yahoo, AOL ...) with the reply text it expects
to find above the quotation. A reply's quotation must never become an article or a
forward origin, and the sender's own text must survive. The sdist is fetched at test time
(``pip download``) into a temporary directory; nothing of it is committed. Without network
the tests skip, saying so.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.extractors.html import html_sections
from dienhinh.ingest.extractors.text import plain_sections
from factory import make_email

TALON = "talon==1.4.4"
# outlook.eml is left out: its subject ("Test") does not say "reply", so its Outlook
# header block is read as a forward by design (forwarders retype subjects; see
# forward.forwards_kept), and its HTML part says other things than its text part.
_SKIP = {"outlook.eml"}
_REPLY_TEXT = ["Hi.", "I", "am", "fine.", "Thanks,", "Alex"]


@pytest.fixture(scope="module")
def talon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("talon")
    cmd = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps"]
    try:
        done = subprocess.run(
            [*cmd, "-q", "-d", str(where), TALON], capture_output=True, timeout=180, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot fetch {TALON}: {exc}")
    archives = list(where.glob("talon-*.tar.gz"))
    if done.returncode != 0 or not archives:
        pytest.skip(f"cannot fetch {TALON}: {done.stderr.decode(errors='replace')[-300:]}")
    with tarfile.open(archives[0]) as tar:
        tar.extractall(where, filter="data")
    [root] = [p for p in where.iterdir() if p.is_dir()]
    return root


def _words(text: str) -> list[str]:
    return text.split()


def test_standard_replies_keep_only_the_senders_text(talon: Path, ctx: ExtractContext) -> None:
    """GIVEN talon's replies from a dozen clients WHEN extracted THEN the body is the
    reply talon expects (the signature cut), no quotation is a forward and none is an
    article."""
    folder = talon / "tests" / "fixtures" / "standard_replies"
    checked = 0
    for path in sorted(folder.glob("*.eml")):
        if path.name in _SKIP:
            continue
        out = extract_message(path.read_bytes(), ctx)
        expected_file = path.with_name(path.stem + "_reply_text")
        expected = expected_file.read_text() if expected_file.exists() else "Hello"
        expected = re.split(r"\n-- ?\n", expected, maxsplit=1)[0]  # we cut signatures
        assert _words(out.body_text)[: len(_words(expected))] == _words(expected), path.name
        assert out.articles == [] and out.forwarded_from == [], path.name
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    "name",
    [
        "gmail.html",
        "hotmail.html",
        "ms_outlook_2003.html",
        "ms_outlook_2007.html",
        "ms_outlook_2010.html",
        "thunderbird.html",
    ],
)
def test_html_replies_own_text_and_quoted_sender(
    name: str, talon: Path, ctx: ExtractContext
) -> None:
    """GIVEN talon's HTML replies WHEN flattened THEN the sender's own text is exactly the
    reply; Outlook's and Hotmail's header blocks (wrapped mid-value in Word's HTML) are
    read with the quoted sender's address; under "Re:" nothing of the quote is kept."""
    raw = (talon / "tests" / "fixtures" / "html_replies" / name).read_text(
        encoding="utf-8", errors="replace"
    )
    sections = html_sections(raw, [])
    assert _words(" ".join(sections[0].paragraphs)) == _REPLY_TEXT
    if name.startswith(("ms_outlook", "hotmail")):
        [quoted] = sections[1:]
        origin = quoted.forwarded_from[-1]
        assert origin.via == "inline-quoted" and "@" in origin.from_addr
        assert origin.date is not None
    out = extract_message(make_email(subject="Re: Test", text=None, html=raw), ctx)
    assert _words(out.body_text) == _REPLY_TEXT
    assert out.forwarded_from == [] and out.articles == []


def test_vietnamese_reply_line(talon: Path) -> None:
    """talon's Vietnamese reply ("Vào 14:24 8 tháng 6, 2017, Hùng Nguyễn <…> đã viết:")
    ends the sender's text."""
    source = (talon / "tests" / "text_quotations_test.py").read_text(encoding="utf-8")
    m = re.search(r'def test_vietnamese_from_block\(\):.*?u?"""(.*?)"""', source, re.S)
    assert m is not None, "talon's Vietnamese example moved"
    [(chain, paragraphs)] = plain_sections(m[1], max_depth=5)
    assert "đã viết" in m[1]
    assert chain == [] and paragraphs == ["Hello"]
