"""Legacy-font (TCVN3, VNI) documents written by hand as RTF, and real .doc/.odt files
saved from them by LibreOffice, for the conversion tests.

The RTF carries the 8-bit codes as ``\\'xx`` escapes, as Word wrote such files: in TCVN3 the
letter "ư" is ``\\'ad`` (the soft hyphen's code), which is what converters lose.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

TITLE = "phương pháp mới của người trưởng thôn"  # typed lower case in an H font
PARAGRAPHS = [
    "Nhiều năm qua, ông được bà con tin tưởng bầu làm trưởng thôn. Phương châm của ông "
    "là người dân được hưởng lợi, nhà nhà cùng nhau vươn lên thoát nghèo.",
    "Ông thường xuyên vận động người dân xây dựng nông thôn mới, được cấp trên khen "
    "thưởng; những người lớn tuổi trong thôn đều ủng hộ, sửa đường, mở rộng trường học.",
]
WORDS_WITH_U = ("Phương", "trưởng", "được", "người", "thưởng", "vươn", "sửa", "trường")


def rtf_escape(text: str) -> str:
    """RTF for cp1252 text: 8-bit characters as ``\\'xx``."""
    out = []
    for ch in text:
        code = ch.encode("cp1252")[0]
        out.append(ch if code < 0x80 and ch not in "\\{}" else f"\\'{code:02x}")
    return "".join(out)


def legacy_rtf(
    encode: Callable[[str], str],
    body_font: str,
    title_font: str,
    *,
    repeat: int = 1,
    hyphen: str = "",
) -> bytes:
    """A legacy-font RTF: the title in ``title_font``, the paragraphs in ``body_font``
    (``repeat`` times: antiword refuses very short documents). With ``hyphen``, every
    0xAD code is written that way instead (RTF's optional hyphen is ``\\-``)."""
    fonts = (
        f"{{\\fonttbl{{\\f0\\fnil\\fcharset0 {body_font};}}"
        f"{{\\f1\\fnil\\fcharset0 {title_font};}}}}"
    )
    lines = [f"\\pard\\b\\f1\\fs32 {rtf_escape(encode(TITLE))}\\b0\\par"]
    lines += [f"\\pard\\f0\\fs26 {rtf_escape(encode(p))}\\par" for p in PARAGRAPHS * repeat]
    body = "\n".join(lines)
    if hyphen:
        body = body.replace("\\'ad", hyphen)
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0" + fonts + "\n" + body + "\n}").encode("ascii")


def soffice_save(rtf: bytes, target: str, work: Path) -> bytes:
    """``rtf`` saved by LibreOffice as ``target`` ("doc", "odt"): a real file of that kind."""
    (work / "in.rtf").write_bytes(rtf)
    filters = {"doc": "doc:MS Word 97", "odt": "odt"}
    assert SOFFICE is not None
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            filters[target],
            "--outdir",
            str(work),
            str(work / "in.rtf"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (work / f"in.{target}").read_bytes()
