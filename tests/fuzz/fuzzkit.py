"""Seeds, mutations, budgets and checks shared by the fuzz tests (tests/fuzz/).

Why mutate real inputs instead of generating random bytes: a random byte string is
refused by the first line of every parser, so the deep code (a boundary inside a base64
part, a style loop in a .docx, a forward block in an HTML quote) is never reached. Each
case here starts from a realistic seed built by ``tests/factory.py`` and applies a few
mutations, byte-level (flips, truncations, splices) and structure-aware (header lines and
MIME boundaries removed or repeated, odd parameters, random charsets, extra nesting, XML
snippets in a .docx member).

A case is a seed name plus a list of mutation tuples, so a failure printed by hypothesis
is enough to rebuild the exact bytes (``apply``) and save them as a regression fixture.

Budget: ``FUZZ_EXAMPLES`` (default 5,000) is the number of cases across all targets,
shared by the weights in ``WEIGHTS``. ``FUZZ_RANDOM=1`` (``make fuzz``) turns off the fixed
seed and keeps a failure database in var/hypothesis; by default runs are derandomized,
so CI is reproducible.
"""

from __future__ import annotations

import functools
import io
import os
import re
import signal
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from dienhinh.core.config import IngestConfig
from dienhinh.core.types import AttachmentOutcome
from factory import (
    DOCX_TYPE,
    Attach,
    DocImage,
    DocSpec,
    Para,
    RawPart,
    article_text,
    make_docx,
    make_docx_paragraphs,
    make_email,
    make_forward_email,
    make_image_pdf,
    make_jpeg,
    make_nested_email,
    make_pdf,
    make_raw_email,
    make_zip,
    to_cp1258,
    to_tcvn3,
)

ROOT = Path(__file__).resolve().parents[2]

# --- budget ------------------------------------------------------------------------------

TOTAL = int(os.environ.get("FUZZ_EXAMPLES", "5000"))
RANDOM = os.environ.get("FUZZ_RANDOM", "") not in ("", "0")
# Shares of the budget per target (they add up to 1).
WEIGHTS = {
    "mime": 0.30,
    "extract": 0.24,
    "docx": 0.14,
    "pdf": 0.10,
    "html": 0.08,
    "text": 0.08,
    "legacy": 0.02,
    "archive": 0.04,
}
# Soft bound per case (hypothesis deadline) and hard bound (an alarm that interrupts a hang).
DEADLINE_MS = int(os.environ.get("FUZZ_DEADLINE_MS", "3000"))
HARD_TIMEOUT_S = 30


def fuzz_settings(target: str) -> settings:
    """Settings of one target: its share of the budget, derandomized unless FUZZ_RANDOM."""
    return settings(
        max_examples=max(1, round(TOTAL * WEIGHTS[target])),
        derandomize=not RANDOM,
        database=DirectoryBasedExampleDatabase(str(ROOT / "var" / "hypothesis"))
        if RANDOM
        else None,
        deadline=timedelta(milliseconds=DEADLINE_MS),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


class CaseTimeout(Exception):
    """One fuzz case ran past HARD_TIMEOUT_S: a hang, reported as a failure."""


@contextmanager
def hard_timeout(seconds: float = HARD_TIMEOUT_S) -> Iterator[None]:
    """Interrupt a case that hangs (the hypothesis deadline only measures, after the
    fact). Pure-Python loops are interrupted; a C call returns first."""

    def _alarm(signum: int, frame: object) -> None:
        raise CaseTimeout(f"fuzz case ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Tight limits, so that the limit paths are reached by small mutated seeds too.
LIMITS = IngestConfig(
    max_message_bytes=400_000,
    max_attachment_bytes=200_000,
    max_mime_depth=8,
    max_mime_parts=40,
    max_header_bytes=16_384,
    max_archive_depth=2,
    max_archive_members=12,
    max_archive_total_bytes=600_000,
    max_forward_depth=3,
)

# --- seeds -------------------------------------------------------------------------------


def _paras(seed: int, n: int = 3) -> tuple[str, list[str]]:
    return article_text(seed, n)


@functools.cache
def docx_seeds() -> dict[str, bytes]:
    title, paras = _paras(11)
    t2, p2 = _paras(12, 4)
    plain = make_docx(
        DocSpec(
            title=title,
            paragraphs=paras,
            letterhead=("UBND HUYỆN BÁT XÁT", "PHÒNG NỘI VỤ"),
            images=[DocImage(make_jpeg(24, 16, seed=1), "Ảnh: nhân vật tại vườn", 0)],
            table=[["Họ tên", "Thành tích"], ["Lý Thị Mai", "Giấy khen"]],
            signature=("Người viết", "Hoàng Văn Thắng"),
        )
    )
    two = make_docx_paragraphs(
        [
            Para("Bài 1: " + title, bold=True),
            *[Para(p) for p in paras],
            Para("Bài 2: " + t2, bold=True),
            *[Para(p) for p in p2],
        ]
    )
    tcvn3 = make_docx_paragraphs(
        [
            Para(to_tcvn3(title.lower()), font=".VnTimeH"),
            *[Para(to_tcvn3(p)) for p in paras],
        ],
        normal_font=".VnTime",
    )
    headings = make_docx(DocSpec(title=t2, paragraphs=p2, title_style="Heading 1"))
    return {"docx-plain": plain, "docx-two": two, "docx-tcvn3": tcvn3, "docx-heading": headings}


@functools.cache
def pdf_seeds() -> dict[str, bytes]:
    title, paras = _paras(21)
    return {"pdf-text": make_pdf(title, paras), "pdf-scan": make_image_pdf(2)}


@functools.cache
def html_seeds() -> dict[str, bytes]:
    title, paras = _paras(31)
    body = "".join(f"<p>{p}</p>" for p in paras)
    return {
        "html-article": (
            f"<html><head><style>p{{}}</style><script>alert(1)</script></head><body>"
            f"<h2>{title}</h2>{body}<img src='cid:anh1@x'><img src='http://evil/x.png'>"
            f"<div class='gmail_signature'>-- <br>Phòng Nội vụ huyện Bát Xát</div></body></html>"
        ).encode(),
        "html-forward": (
            "<div>Chuyển tiếp bài viết.</div><div class='gmail_quote'>"
            "<div>---------- Forwarded message ---------<br>From: <b>UBND xã Y Tý</b> "
            "&lt;ubnd-ytý@laocai.gov.vn&gt;<br>Date: Th 2, 29 thg 4, 2019<br>"
            f"Subject: {title}<br>To: a@b</div><br>{body}</div>"
            "<div id='divRplyFwdMsg'>From: x<br>Sent: y</div><blockquote>cũ</blockquote>"
        ).encode(),
    }


@functools.cache
def text_seeds() -> dict[str, bytes]:
    title, paras = _paras(41)
    joined = "\n\n".join(paras)
    return {
        "text-article": f"{title}\n\n{joined}\n\n-- \nPhòng Nội vụ huyện Sa Pa\n".encode(),
        "text-forward": (
            "Gửi anh bài của xã.\n\n---------- Forwarded message ---------\n"
            "From: UBND xã Tả Van <ubnd-tavan@laocai.gov.vn>\nDate: Mon, 2 Apr 2018\n"
            f"Subject: Fwd: {title}\nTo: x@y\n\n{joined}\n\n> trích dẫn cũ\n"
        ).encode(),
        "text-tcvn3": to_tcvn3(f"{title}\n\n{joined}").encode("cp1252", "replace"),
        "text-cp1258": to_cp1258(f"{title}\n\n{paras[0]}"),
    }


def _ole(text: bytes) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + text


@functools.cache
def legacy_seeds() -> dict[str, bytes]:
    return {
        "doc": _ole(b"Bai viet guong dien hinh" * 20),
        "doc-encrypted": _ole("EncryptedPackage".encode("utf-16-le") + b"\0" * 64),
        "rtf": rb"{\rtf1\ansi{\fonttbl\f0 .VnTime;}\f0 B\'b5i vi\'d5t}",
        "odt": make_zip(
            [("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")]
        ),
    }


@functools.cache
def archive_seeds() -> dict[str, bytes]:
    docs = docx_seeds()
    inner = make_zip([("bai.docx", docs["docx-plain"]), ("anh.jpg", make_jpeg(16, 16, seed=3))])
    return {
        "zip-docs": make_zip(
            [
                ("bai-1.docx", docs["docx-two"]),
                ("Ảnh/ảnh 1.jpg".encode(), make_jpeg(16, 16, seed=4)),
                ("ghi chu.txt", "Bài gửi kèm.".encode()),
            ]
        ),
        "zip-nested": make_zip([("trong.zip", inner), ("bai.pdf", pdf_seeds()["pdf-text"])]),
        "zip-stored": make_zip([("bai.docx", docs["docx-tcvn3"])], compress=False),
    }


@functools.cache
def message_seeds() -> dict[str, bytes]:
    title, paras = _paras(51)
    docs = docx_seeds()
    photo = make_jpeg(24, 16, seed=5)
    html = html_seeds()
    text = text_seeds()
    docx_mail = make_email(
        message_id="<fz-docx@laocai.gov.vn>",
        attachments=[
            Attach("bai viet.docx", docs["docx-plain"], DOCX_TYPE),
            Attach("anh1.jpg", photo, "image/jpeg"),
        ],
    )
    raw_8bit = make_raw_email(
        [
            RawPart(['Content-Type: text/plain; charset="windows-1258"'], to_cp1258(paras[0])),
            RawPart(
                [
                    "Content-Type: application/octet-stream",
                    "Content-Disposition: attachment; filename*=utf-8''B%C3%A0i%20vi%E1%BA%BFt.doc",
                ],
                legacy_seeds()["doc"],
            ),
            RawPart(
                [
                    'Content-Type: application/pdf; name="=?utf-8?b?QsOgaS5wZGY=?="',
                    "Content-Disposition: inline",
                ],
                pdf_seeds()["pdf-text"],
            ),
        ],
        subject="Gửi bài viết tháng 3".encode(),
        from_="Phòng Nội vụ <ubnd-batxat@laocai.gov.vn>".encode(),
    )
    return {
        "mail-text": make_email(
            message_id="<fz-text@laocai.gov.vn>", subject=title, text=text["text-article"].decode()
        ),
        "mail-html": make_email(
            message_id="<fz-html@laocai.gov.vn>",
            text=None,
            html=html["html-article"].decode(),
            attachments=[Attach("anh1.jpg", photo, "image/jpeg", "inline", "anh1@x")],
        ),
        "mail-alt-forward": make_email(
            message_id="<fz-fwd@laocai.gov.vn>",
            subject="Fwd: " + title,
            text=text["text-forward"].decode(),
            html=html["html-forward"].decode(),
        ),
        "mail-docx": docx_mail,
        "mail-pdf": make_email(
            message_id="<fz-pdf@laocai.gov.vn>",
            attachments=[Attach("bai.pdf", pdf_seeds()["pdf-text"], "application/pdf")],
        ),
        "mail-zip": make_email(
            message_id="<fz-zip@laocai.gov.vn>",
            attachments=[Attach("bai.zip", archive_seeds()["zip-docs"], "application/zip")],
        ),
        "mail-doc": make_email(
            message_id="<fz-doc@laocai.gov.vn>",
            attachments=[
                Attach("bai.doc", legacy_seeds()["doc"], "application/msword"),
                Attach("bai-tcvn3.docx", docs["docx-tcvn3"], "application/octet-stream"),
            ],
        ),
        "mail-rfc822": make_forward_email(docx_mail),
        "mail-raw-8bit": raw_8bit,
        "mail-nested": make_nested_email(5, "Nội dung lồng nhau".encode()),
        "mail-noise": make_email(
            message_id="<fz-ooo@laocai.gov.vn>",
            subject="Trả lời tự động: Vắng mặt",
            headers={"Auto-Submitted": "auto-replied"},
            text="Tôi đang đi công tác đến hết tuần.",
        ),
    }


# --- mutations ---------------------------------------------------------------------------
# A mutation is a tuple (name, *ints); positions are taken modulo the current length, so
# every tuple applies to every input and shrinks towards 0.

INTERESTING = [
    b"\x00",
    b"\xff\xfe",
    b"\r",
    b"\n",
    b"\r\n\r\n",
    b"=?",
    b"?=",
    b"=?utf-8?b?",
    b"=?utf-8?q?=E1=BA?=",
    b"=?x-unknown?q?abc?=",
    b"\xe1\xba",  # a cut UTF-8 sequence
    b"\xef\xbb\xbf",
    b"\xe2\x80\xae",  # right-to-left override
    b"--",
    b"=\r\n",
    b"==",
    b"PK\x03\x04",
    b"%PDF-1.7",
    b"<",
    b">",
    b'"',
    b"'",
    b";",
    b"\\",
    b"../",
    b"\t",
    b" " * 40,
    b"A" * 1000,
    "đ".encode(),
    "\u0301".encode(),  # a combining accent with nothing to sit on
    b"\x1b$B",  # ISO-2022-JP escape
    b"\x85",
]

CHARSETS = [
    "utf-8",
    "UTF-8",
    "us-ascii",
    "iso-8859-1",
    "windows-1258",
    "cp1258",
    "utf-16",
    "utf-16-le",
    "utf-32",
    "utf-7",
    "iso-2022-jp",
    "gb2312",
    "koi8-r",
    "x-unknown-9999",
    "",
    '"',
    "utf-8\x00",
    "unicode-1-1-utf-7",
    "x" * 300,
    "idna",
    "punycode",
    "rot13",
    "base64",
    "zlib",
    "hex",
    "uu",
    "bz2",
]

CTE = [b"base64", b"quoted-printable", b"8bit", b"7bit", b"binary", b"x-uuencode", b"uuencode", b""]


def _header_lines(boundaries: list[bytes]) -> list[bytes]:
    lines = [
        b'Content-Type: multipart/mixed; boundary="fz"',
        b"Content-Type: multipart/alternative",
        b"Content-Type: message/rfc822",
        b"Content-Type: message/global",
        b"Content-Type: message/delivery-status",
        b"Content-Type: text/html; charset=utf-16",
        b"Content-Type: application/" + b"x" * 300,
        b"Content-Type: " + DOCX_TYPE.encode(),
        b"Content-Type: application/zip",
        b"Content-Type: application/pdf; name=" + b"a" * 400 + b".pdf",
        b'Content-Type: application/msword; name="x.' + b"q" * 60 + b'"',
        b"Content-Transfer-Encoding: base64",
        b"Content-Transfer-Encoding: quoted-printable",
        b"Content-Disposition: attachment; filename*=utf-8''%E1%BA%A1%2F..%2F..%2Fetc%2Fpasswd",
        b"Content-Disposition: attachment; filename*0*=utf-8''B%C3%A0i; filename*1=.docx",
        b"Content-Disposition: attachment; filename*=x-bogus''%FF%FE.docx",
        b'Content-Disposition: inline; filename="\xe1\xba\xa1\x00\x1b.docx"',
        b'Content-Disposition: attachment; filename="=?utf-8?b?' + b"QQ" * 300 + b'?="',
        b"Content-ID: <anh1@x>",
        b"Subject: =?utf-8?b?" + b"4bqh" * 200 + b"?=",
        b"Subject: =?windows-1258?q?Ba=F8i_vie=E1t?= \xc4\x91\xe1\xba\xa1i",
        b"From: =?bogus?q?=FF?= <a@laocai.gov.vn>",
        b'From: "UBND \\"x\\"" <<a@@b>>, c@d',
        b"From: " + b"x" * 2000,
        b"Message-ID: <\x00\x01@x>",
        b"Message-ID: " + b"<" * 50,
        b"Date: Feb 30 9999 99:99:99 +9999",
        b"Date: Thu, 22 Mar 2018 14:05:00 +0700 (ICT)",
        b"Auto-Submitted: auto-replied",
        b"Precedence: bulk",
        b"List-Id: <x.y>",
        b"Authentication-Results: mx; spf=fail; dkim=fail; dmarc=fail",
        b"X-Long: " + b"y " * 5000,
        b"Content-Type: multipart/mixed; boundary=" + b"b" * 100,
        b" folded continuation \xff",
        b":",
        b"",
    ]
    for b in boundaries:
        lines += [b"--" + b, b"--" + b + b"--", b"--" + b + b"   ", b"-- " + b]
    return lines


_BOUNDARY = re.compile(rb'boundary="?([^";\r\n]+)"?', re.IGNORECASE)
_CHARSET = re.compile(rb'charset="?([^";\r\n]*)"?', re.IGNORECASE)
_CTE = re.compile(rb"(Content-Transfer-Encoding:\s*)([^\r\n]*)", re.IGNORECASE)
_FILENAME = re.compile(rb'((?:file)?name\*?(?:\d\*?)?=)("[^"\r\n]*"|[^;\r\n]*)', re.IGNORECASE)

_ints = st.integers(min_value=0, max_value=2**20)


def _pick(seq: list[Any], i: int) -> Any:
    return seq[i % len(seq)]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _line_sep(data: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in data[:2000] else b"\n"


def _flip(data: bytes, pos: int, bit: int) -> bytes:
    if not data:
        return data
    i = pos % len(data)
    return data[:i] + bytes([data[i] ^ (1 << (bit % 8))]) + data[i + 1 :]


def _insert(data: bytes, pos: int, k: int) -> bytes:
    i = pos % (len(data) + 1)
    return data[:i] + _pick(INTERESTING, k) + data[i:]


def _delete(data: bytes, pos: int, n: int) -> bytes:
    if not data:
        return data
    i = pos % len(data)
    return data[:i] + data[i + 1 + n % 4096 :]


def _truncate(data: bytes, pos: int) -> bytes:
    return data[: pos % (len(data) + 1)]


def _repeat(data: bytes, pos: int, n: int, times: int) -> bytes:
    if not data:
        return data
    i = pos % len(data)
    chunk = data[i : i + 1 + n % 2048]
    return data[:i] + chunk * (2 + times % 30) + data[i + len(chunk) :]


def _splice(data: bytes, pos: int, other: int, start: int, n: int, pool: list[bytes]) -> bytes:
    donor = _pick(pool, other)
    if not donor:
        return data
    s = start % len(donor)
    i = pos % (len(data) + 1)
    return data[:i] + donor[s : s + 1 + n % 8192] + data[i:]


def _line_op(data: bytes, op: int, a: int, b: int) -> bytes:
    lines = _lines(data)
    i, j = a % len(lines), b % len(lines)
    sep = _line_sep(data)
    kind = op % 5
    if kind == 0:  # remove a line
        del lines[i]
    elif kind == 1:  # duplicate a line
        lines.insert(i, lines[i])
    elif kind == 2:  # swap two lines
        lines[i], lines[j] = lines[j], lines[i]
    else:  # insert or replace with a header/boundary line
        boundaries = _BOUNDARY.findall(data) or [b"fz"]
        new = _pick(_header_lines(boundaries), b) + sep
        if kind == 3:
            lines.insert(i, new)
        else:
            lines[i] = new
    return b"".join(lines)


def _boundary_op(data: bytes, op: int, a: int) -> bytes:
    """Remove, repeat or break a MIME boundary line."""
    boundaries = _BOUNDARY.findall(data)
    if not boundaries:
        return data
    b = _pick(boundaries, a)
    lines = _lines(data)
    marks = [k for k, ln in enumerate(lines) if ln.startswith(b"--" + b)]
    kind = op % 4
    if kind == 3:  # change the declared boundary, not the lines
        return data.replace(b'boundary="' + b + b'"', b'boundary="' + b[:-1] + b'"', 1)
    if not marks:
        return data
    k = _pick(marks, a // 7)
    if kind == 0:
        del lines[k]
    elif kind == 1:
        lines.insert(k, lines[k])
    else:
        lines[k] = (
            lines[k].rstrip(b"\r\n")[:-2] + b"\n"
            if lines[k].rstrip().endswith(b"--")
            else (lines[k].rstrip(b"\r\n") + b"--\n")
        )
    return b"".join(lines)


def _sub_nth(
    pattern: re.Pattern[bytes], data: bytes, n: int, repl: Callable[[re.Match[bytes]], bytes]
) -> bytes:
    found = list(pattern.finditer(data))
    if not found:
        return data
    m = _pick(found, n)
    return data[: m.start()] + repl(m) + data[m.end() :]


def _charset(data: bytes, n: int, k: int) -> bytes:
    cs = _pick(CHARSETS, k).encode("utf-8", "surrogateescape")
    return _sub_nth(_CHARSET, data, n, lambda m: b'charset="' + cs + b'"')


def _cte(data: bytes, n: int, k: int) -> bytes:
    return _sub_nth(_CTE, data, n, lambda m: m.group(1) + _pick(CTE, k))


_ODD_NAMES = [
    b'"../../etc/passwd"',
    b'"C:\\\\Windows\\\\x.docx"',
    b'"' + b"\xe1\xba\xa1" * 200 + b'.docx"',
    b'"a.' + b"x" * 200 + b'"',
    b"utf-8''%00%01%1B.docx",
    b"utf-8'vi'B%C3%A0i%20vi%E1%BA%BFt.pdf",
    b'"=?utf-8?q?B=C3=A0i=2Edocx?="',
    b'"\xe2\x80\xaecod.exe"',
    b'""',
    b'"."',
    b"x" * 2000,
]


def _filename(data: bytes, n: int, k: int) -> bytes:
    return _sub_nth(_FILENAME, data, n, lambda m: m.group(1) + _pick(_ODD_NAMES, k))


def _wrap(data: bytes, kind: int, depth: int) -> bytes:
    """Put the message's body inside ``depth`` more multipart levels, or attach the whole
    message to a new one (message/rfc822)."""
    sep = _line_sep(data)
    if kind % 2:
        inner = data
        for level in range(1 + depth % 12):
            b = b"fzw%d" % level
            inner = (
                b'Content-Type: multipart/mixed; boundary="'
                + b
                + b'"'
                + sep * 2
                + b"--"
                + b
                + sep
                + inner
                + sep
                + b"--"
                + b
                + b"--"
                + sep
            )
        return b"From: a@laocai.gov.vn" + sep + b"MIME-Version: 1.0" + sep + inner
    head, _, body = data.partition(sep * 2)
    return (
        b"From: fw@yahoo.com"
        + sep
        + b"Subject: Fwd: x"
        + sep
        + b'Content-Type: multipart/mixed; boundary="fzr"'
        + sep * 2
        + b"--fzr"
        + sep
        + b"Content-Type: message/rfc822"
        + sep * 2
        + head
        + sep * 2
        + body
        + sep
        + b"--fzr--"
        + sep
    )


def apply(data: bytes, mutations: list[tuple[Any, ...]], pool: list[bytes] | None = None) -> bytes:
    """The bytes a case stands for: ``mutations`` applied in order to ``data``."""
    pool = pool or [data]
    for m in mutations:
        name, args = m[0], m[1:]
        if name == "flip":
            data = _flip(data, *args)
        elif name == "insert":
            data = _insert(data, *args)
        elif name == "delete":
            data = _delete(data, *args)
        elif name == "truncate":
            data = _truncate(data, *args)
        elif name == "repeat":
            data = _repeat(data, *args)
        elif name == "splice":
            data = _splice(data, *args, pool)
        elif name == "line":
            data = _line_op(data, *args)
        elif name == "boundary":
            data = _boundary_op(data, *args)
        elif name == "charset":
            data = _charset(data, *args)
        elif name == "cte":
            data = _cte(data, *args)
        elif name == "filename":
            data = _filename(data, *args)
        elif name == "wrap":
            data = _wrap(data, *args)
        elif name == "zipmember":
            data = _zip_member(data, *args, pool)
        else:  # pragma: no cover - a typo in a test
            raise ValueError(name)
    return data


def _op(name: str, n: int) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.tuples(st.just(name), *([_ints] * n))


BYTE_OPS = [
    _op("flip", 2),
    _op("insert", 2),
    _op("delete", 2),
    _op("truncate", 1),
    _op("repeat", 3),
    _op("splice", 4),
]
MAIL_OPS = [
    *BYTE_OPS,
    _op("line", 3),
    _op("line", 3),
    _op("boundary", 2),
    _op("charset", 2),
    _op("cte", 2),
    _op("filename", 2),
    _op("wrap", 2),
]


def mutations(
    ops: list[st.SearchStrategy[tuple[Any, ...]]], max_size: int = 4
) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    return st.lists(st.one_of(*ops), min_size=1, max_size=max_size)


def cases(
    seeds: dict[str, bytes], ops: list[st.SearchStrategy[tuple[Any, ...]]], max_size: int = 4
) -> st.SearchStrategy[tuple[str, list[tuple[Any, ...]]]]:
    return st.tuples(st.sampled_from(sorted(seeds)), mutations(ops, max_size))


def build(seeds: dict[str, bytes], case: tuple[str, list[tuple[Any, ...]]]) -> bytes:
    name, muts = case
    return apply(seeds[name], muts, [seeds[k] for k in sorted(seeds)])


# --- .docx (and any zip) member mutations ----------------------------------------------------

XML_SNIPPETS = [
    b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b"&x;",
    b"&#0;",
    b"&#xFFFE;",
    b"<w:p><w:r><w:t>\x01\x02\x1b</w:t></w:r></w:p>",
    b"<w:p>" * 300 + b"</w:p>" * 300,
    b"<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>",
    b'<w:p><w:pPr><w:pStyle w:val="Heading99999999999999999999"/></w:pPr>'
    b"<w:r><w:t>T</w:t></w:r></w:p>",
    b'<w:p><w:pPr><w:pStyle w:val="Heading"/></w:pPr><w:r><w:t>H</w:t></w:r></w:p>',
    b'<w:r><w:rPr><w:rFonts w:hAnsi=".VnTime"/></w:rPr><w:t>L\xc2\xb5o Cai</w:t></w:r>',
    b'<w:r><w:rPr><w:rFonts w:ascii="VNI-Times"/></w:rPr><w:t>La\xc3\xb8o</w:t></w:r>',
    b'<a:blip r:embed="rId999"/>',
    b'<a:blip r:embed="rId1"/>' * 50,
    b'<v:imagedata r:id=""/>',
    b'<w:style w:type="paragraph" w:styleId="A"><w:basedOn w:val="B"/></w:style>'
    b'<w:style w:type="paragraph" w:styleId="B"><w:basedOn w:val="A"/></w:style>',
    b'<Relationship Id="rId1" Target="../../../../etc/passwd"/>',
    b'<Relationship Id="rId2" Target="/word/document.xml"/>',
    b'<Relationship Id="rId3" Target="http://127.0.0.1:1/x.png" TargetMode="External"/>',
    b"<mc:AlternateContent><mc:Fallback><w:p/></mc:Fallback></mc:AlternateContent>",
    b"<w:sdt><w:sdtContent>" * 50 + b"</w:sdtContent></w:sdt>" * 50,
    b"<w:br/><w:cr/><w:tab/>" * 20,
    b"\xff\xfe",
    b"]]>",
    b"<?xml version='1.0' encoding='utf-16'?>",
]


def _zip_member(data: bytes, member: int, op: int, pos: int, arg: int, pool: list[bytes]) -> bytes:
    """Change one member of a zip (a .docx is one) and zip it again: byte mutations reach
    the XML parser instead of stopping at the zip's checksums."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [(i, zf.read(i)) for i in zf.infolist()]
    except Exception:  # noqa: BLE001 - the seed is already damaged: fall back to bytes
        return _flip(data, pos, arg)
    if not members:
        return data
    k = member % len(members)
    info, body = members[k]
    kind = op % 7
    if kind == 0:
        body = _insert(body, pos, arg)
    elif kind == 1:
        i = pos % (len(body) + 1)
        body = body[:i] + _pick(XML_SNIPPETS, arg) + body[i:]
    elif kind == 2:
        body = _truncate(body, pos)
    elif kind == 3:
        body = _flip(body, pos, arg)
    elif kind == 4:
        body = _repeat(body, pos, arg, arg // 7)
    elif kind == 5:  # drop the member
        del members[k]
    else:  # a member from another seed under this member's name
        body = _pick(pool, arg)
    if kind != 5:
        members[k] = (info, body)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zw:
        for zi, content in members:
            zw.writestr(zi.filename, content)
    return out.getvalue()


ZIP_OPS = [*BYTE_OPS, _op("zipmember", 4), _op("zipmember", 4), _op("zipmember", 4)]

# --- checks ----------------------------------------------------------------------------------

# What scrub() removes (core/text.py): C0/C1 controls except tab, LF, CR; U+FFFE/U+FFFF.
_BAD = {*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF}


def clean_text(text: str, what: str, *, controls: bool = True, normal: bool = True) -> None:
    """``text`` is stored as it is: NFC (unless ``normal`` is False), and (``controls``)
    without control characters."""
    assert isinstance(text, str), (what, type(text))
    if normal:
        assert unicodedata.is_normalized("NFC", text), (what, "not NFC", text[:120])
    if controls:
        bad = sorted({hex(ord(c)) for c in text if ord(c) in _BAD})
        assert not bad, (what, "control characters", bad, text[:120])
    # Lone surrogates cannot be stored as UTF-8 (PostgreSQL, the JSON export).
    text.encode("utf-8")


def _width(column: Any) -> int:
    return int(column.property.columns[0].type.length)


@functools.cache
def column_widths() -> dict[str, int]:
    """The widths of the columns extraction output is written to (store/models.py):
    PostgreSQL refuses a longer value, and the whole message then fails to store."""
    from dienhinh.store.models import Article, Asset

    return {
        "article.source": _width(Article.source),
        "article.status": _width(Article.status),
        "asset.content_type": _width(Asset.content_type),
        "asset.filename": _width(Asset.filename),
        "asset.part_path": _width(Asset.part_path),
        "asset.used_as": _width(Asset.used_as),
        "asset.role": _width(Asset.role),
    }


MESSAGE_STATES = {"ingested", "no-article", "failed"}
ARTICLE_STATES = {"pending-review", "needs-conversion", "needs-ocr", "failed"}
USED_AS = {o.value for o in AttachmentOutcome}
# Leading codes of attachment reasons (core.types.AttachmentOutcome, COMMON rules).
REASON_CODES = (
    "encrypted: ",
    "over-limit: ",
    "unreadable: ",
    "unsupported: ",
    "official-document: ",
    "cover-letter: ",
    "not-article: ",
    "logo: ",
    "archive: ",
    "needs-conversion: ",
    "needs-ocr: ",
)
ERROR_KINDS = {"failed", "needs-conversion", "needs-ocr", "limit"}


def _fits(value: str, column: str) -> None:
    width = column_widths()[column]
    assert len(value) <= width, (column, len(value), width, value[:80])


def check_draft(d: Any, what: str, *, controls: bool) -> None:
    """One ArticleDraft as an extractor (``controls=False``: scrubbing is the assembly's
    job) or the whole fast path returns it."""
    assert d.status in ARTICLE_STATES, (what, d.status)
    if d.status in ("failed", "needs-conversion", "needs-ocr"):
        assert d.error, (what, "no error for", d.status)
    for name in ("title", "text", "lead", "error"):
        clean_text(getattr(d, name), f"{what}.{name}", controls=controls)
    for line in d.header_lines:
        clean_text(line, f"{what}.header_lines", controls=controls)
    _fits(d.source, "article.source")
    for img in d.images:
        clean_text(img.filename, f"{what}.image.filename", controls=controls)
        clean_text(img.caption, f"{what}.image.caption", controls=controls)
        assert len(img.sha256) == 64, (what, img.sha256)
        _fits(img.content_type, "asset.content_type")
        _fits(img.filename, "asset.filename")
        _fits(img.part_path, "asset.part_path")
        _fits(img.role, "asset.role")


def check_outcome(outcome: Any, data: bytes, limits: IngestConfig, blob_root: Path) -> None:
    """The fast path's promises for any input: a visible state with a reason, stored text
    NFC without control characters, file names sanitised, values that fit their columns,
    every blob it names written."""
    from dienhinh.ingest.mime import MAX_FILENAME_CHARS, sanitize_filename
    from dienhinh.store.blobs import BlobStore

    assert outcome.status in MESSAGE_STATES, outcome.status
    if outcome.status in ("failed", "no-article"):
        assert outcome.reason, ("no reason for", outcome.status)
    h = outcome.headers
    for name in ("subject", "from_name", "from_addr", "message_id"):
        clean_text(getattr(h, name), f"headers.{name}")
    # The header block as sent is evidence: not normalised, but scrubbed like the rest.
    clean_text(h.raw_headers, "headers.raw_headers", normal=False)
    assert h.message_id, "empty message id"
    for name in ("cover_note", "body_text", "signature", "reason"):
        clean_text(getattr(outcome, name) or "", name)
    for e in outcome.errors:
        assert e.kind in ERROR_KINDS, e
    bound = limits.max_mime_parts * (1 + limits.max_archive_members)
    assert len(outcome.attachments) <= bound, len(outcome.attachments)
    for att in outcome.attachments:
        clean_text(att.filename, "attachment.filename")
        assert "/" not in att.filename and "\\" not in att.filename, att.filename
        assert len(att.filename) <= MAX_FILENAME_CHARS, att.filename
        assert sanitize_filename(att.filename) == att.filename, att.filename
        assert att.used_as in USED_AS, att.used_as
        if att.used_as not in ("article", "photo", "ocr-page"):
            assert att.error.startswith(REASON_CODES), (att.used_as, att.error[:80])
        _fits(att.content_type, "asset.content_type")
        _fits(att.filename, "asset.filename")
        _fits(att.part_path, "asset.part_path")
        if att.sha256:
            assert BlobStore(blob_root).path(att.sha256).is_file(), ("no blob", att.sha256)
    text_bound = max(limits.max_message_bytes, limits.max_attachment_bytes)
    for i, d in enumerate(outcome.articles):
        check_draft(d, f"article[{i}]", controls=True)
        assert len(d.text) <= text_bound, len(d.text)
    if outcome.status == "ingested":
        assert outcome.articles, "ingested without an article"
