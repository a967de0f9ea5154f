#!/usr/bin/env python3
"""Generate ``ingest/legacy_tables.py`` from the reference tables ``tcvn3.tsv`` and ``vni.tsv``.

The project must not read the shared reference folder at run time, so the two tables are
checked here and written out as a Python module that is committed with the code.

Usage::

    python scripts/gen_legacy_tables.py ../shared/reference/          # write the module
    python scripts/gen_legacy_tables.py ../shared/reference/ --check  # exit 1 if it is stale

The checks refuse a table that is not complete: 134 rows covering exactly the 134 precomposed
Vietnamese letters; for TCVN3 67 distinct lower-case codes, 7 distinct upper-case base codes
(Ă Â Ê Ô Ơ Ư Đ) and every toned capital written with its lower-case code (the ``H``-font
convention); for VNI 134 distinct sequences of one or two cp1252 characters that decode back
greedily.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import unicodedata
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "ingest" / "legacy_tables.py"

_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_UPPER_BASES = "ĂÂÊÔƠƯĐ"


class TableError(Exception):
    """Raised when a reference table is incomplete or inconsistent; the message names the row."""


def vietnamese_letters() -> tuple[list[str], list[str]]:
    """The 67 lower-case precomposed letters (NFC) and their upper-case forms, in table order."""
    lower: list[str] = []
    for vowel in _VOWELS:
        for tone in _TONES:
            letter = unicodedata.normalize("NFC", vowel + tone)
            if not letter.isascii():
                lower.append(letter)
    lower.append("đ")
    return lower, [ch.upper() for ch in lower]


def read_tsv(path: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    header_seen = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if not header_seen:
            if fields[:2] != ["unicode", "legacy"]:
                raise TableError(f"{path.name}:{number}: expected header 'unicode<TAB>legacy'")
            header_seen = True
            continue
        if len(fields) < 2 or not fields[0] or not fields[1]:
            raise TableError(f"{path.name}:{number}: expected unicode<TAB>legacy, got {line!r}")
        rows.append((fields[0], fields[1]))
    return rows


def _check_cp1252(name: str, unicode: str, legacy: str) -> None:
    try:
        legacy.encode("cp1252")
    except UnicodeEncodeError as err:
        raise TableError(f"{name}: {unicode!r} -> {legacy!r} is not cp1252 text") from err


def _check_letters(name: str, rows: list[tuple[str, str]]) -> None:
    lower, upper = vietnamese_letters()
    got = [u for u, _ in rows]
    if len(rows) != 134:
        raise TableError(f"{name}: expected 134 rows, found {len(rows)}")
    for letter in got:
        if unicodedata.normalize("NFC", letter) != letter or len(letter) != 1:
            raise TableError(f"{name}: {letter!r} is not one NFC code point")
    missing = set(lower + upper) - set(got)
    extra = set(got) - set(lower + upper)
    if missing or extra or len(set(got)) != 134:
        raise TableError(f"{name}: missing {sorted(missing)}, unexpected {sorted(extra)}")


def build_tcvn3(rows: list[tuple[str, str]]) -> dict[str, str]:
    """Decode map: 67 lower-case codes + 7 upper-case base codes (74 single characters)."""
    _check_letters("tcvn3.tsv", rows)
    lower, _ = vietnamese_letters()
    by_letter = dict(rows)
    decode: dict[str, str] = {}
    for letter in lower + list(_UPPER_BASES):
        code = by_letter[letter]
        _check_cp1252("tcvn3.tsv", letter, code)
        if len(code) != 1 or code.isascii():
            raise TableError(f"tcvn3.tsv: {letter!r} -> {code!r} is not one non-ASCII character")
        if code in decode:
            raise TableError(f"tcvn3.tsv: {code!r} is used for {decode[code]!r} and {letter!r}")
        decode[code] = letter
    for letter in lower:
        capital = letter.upper()
        if capital in _UPPER_BASES:
            continue
        if by_letter[capital] != by_letter[letter]:
            raise TableError(
                f"tcvn3.tsv: {capital!r} should use the lower-case code {by_letter[letter]!r} "
                f"(.VnTimeH convention), found {by_letter[capital]!r}"
            )
    return decode


def _greedy(decode: dict[str, str], text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i : i + 2] in decode:
            out.append(decode[text[i : i + 2]])
            i += 2
        else:
            out.append(decode.get(text[i], text[i]))
            i += 1
    return "".join(out)


def _bare(letter: str) -> str:
    return unicodedata.normalize("NFD", letter)[0]


def build_vni(rows: list[tuple[str, str]]) -> dict[str, str]:
    """Decode map: 134 sequences of one or two cp1252 characters."""
    _check_letters("vni.tsv", rows)
    decode: dict[str, str] = {}
    for letter, code in rows:
        _check_cp1252("vni.tsv", letter, code)
        if len(code) not in (1, 2) or code[-1].isascii():
            raise TableError(f"vni.tsv: {letter!r} -> {code!r}: expected 1-2 chars, last non-ASCII")
        if code in decode:
            raise TableError(f"vni.tsv: {code!r} is used for {decode[code]!r} and {letter!r}")
        decode[code] = letter
    # A pair is the letter's base (o, or ô = ơ for ờ) followed by a mark.
    for code, letter in decode.items():
        if len(code) == 2 and _bare(decode.get(code[0], code[0])) != _bare(letter):
            raise TableError(f"vni.tsv: {letter!r} -> {code!r} does not start with its base letter")
    # Identity rows (ì í Ì Í) are kept: they document the table, and decoding them is harmless.
    for code, letter in decode.items():
        if _greedy(decode, code) != letter:
            raise TableError(
                f"vni.tsv: greedy decoding of {code!r} gives "
                f"{_greedy(decode, code)!r}, expected {letter!r}"
            )
    return decode


def _literal(text: str) -> str:
    """A Python literal that shows ASCII as is and spells every other character as an escape."""
    return '"' + "".join(ch if ch.isascii() else f"\\u{ord(ch):04x}" for ch in text) + '"'


def _entries(decode: dict[str, str]) -> list[str]:
    lines = []
    for code, letter in sorted(decode.items(), key=lambda kv: (len(kv[0]), kv[0])):
        shown = code.replace("\u00ad", "<SHY>")
        lines.append(f"    {_literal(code)}: {_literal(letter)},  # {shown} -> {letter}")
    return lines


_DOCSTRING = '''"""Decode tables for the TCVN3 (ABC) and VNI font encodings (``ingest/legacy.py``).

Keys are the cp1252 characters Word stores for a legacy-font run; values are NFC letters.
TCVN3 has one code per lower-case letter and for the seven upper-case bases only; toned
capitals reuse the lower-case code in ``H`` fonts, so decoding gives lower case there.
"""'''


def render(tcvn3: dict[str, str], vni: dict[str, str], sources: dict[str, str]) -> str:
    digests = "\n".join(f"#   {name} sha256 {digest}" for name, digest in sources.items())
    return "\n".join(
        [
            "# Generated by scripts/gen_legacy_tables.py from the reference tables; do not edit.",
            digests,
            _DOCSTRING,
            "",
            "from __future__ import annotations",
            "",
            "from typing import Final",
            "",
            '__all__ = ["TCVN3_DECODE", "VNI_DECODE"]',
            "",
            f"# {len(tcvn3)} single characters: 67 lower-case letters + 7 upper-case bases.",
            "TCVN3_DECODE: Final[dict[str, str]] = {",
            *_entries(tcvn3),
            "}",
            "",
            f"# {len(vni)} sequences (1-2 characters): 67 lower-case + 67 upper-case letters.",
            "VNI_DECODE: Final[dict[str, str]] = {",
            *_entries(vni),
            "}",
            "",
        ]
    )


def generate(reference: Path) -> str:
    sources: dict[str, str] = {}
    tables: dict[str, list[tuple[str, str]]] = {}
    for name in ("tcvn3.tsv", "vni.tsv"):
        path = reference / name
        sources[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        tables[name] = read_tsv(path)
    return render(build_tcvn3(tables["tcvn3.tsv"]), build_vni(tables["vni.tsv"]), sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path, help="folder holding tcvn3.tsv and vni.tsv")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    try:
        text = generate(args.reference)
    except (OSError, TableError) as err:
        print(f"gen_legacy_tables: {err}", file=sys.stderr)  # noqa: T201
        return 2
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"gen_legacy_tables: {args.output} is stale", file=sys.stderr)  # noqa: T201
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
