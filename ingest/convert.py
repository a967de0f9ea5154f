"""Legacy word-processor files (.doc, .odt, .rtf) → articles, through a converter.

The preferred path is LibreOffice: the file becomes a .docx, and that .docx goes through
the ordinary docx extraction (:func:`dienhinh.ingest.extractors.docx.docx_blocks` and
:func:`build_article`), so titles, letterheads, pictures and TCVN3 fonts are handled
exactly as for a .docx that arrived by mail. Without LibreOffice, a .doc is read as plain
text by ``antiword`` (then ``catdoc``) and an .odt from its ``content.xml``; those
articles carry the flag ``converted-text-only`` (no pictures, no formatting).

Cost, measured on this project's 2-core test machine (Debian LibreOffice, a one-page
article with a picture): 0.9-1.0 s per conversion for .doc, .odt and .rtf alike, almost
all of it LibreOffice starting; ~1.4 s the first time, when the private profile is
created. The profile is kept between the conversions of one process for that reason.
antiword reads the same .doc in ~2 ms.

Safety and concurrency:

- The mail's bytes are written under a generated name (``input.doc``) in a fresh private
  directory; the mail's file name never reaches the file system or a command line.
- The input filter is forced (``--infilter``). Without it, LibreOffice "converts" a
  damaged .doc by importing its bytes as plain text, which would give a garbage article
  instead of an error.
- Every process has a LibreOffice profile of its own: ``profile-PID-XXXX`` in the user's
  private conversion directory (``$TMPDIR/dienhinh-convert-UID``, 0700), itself 0700,
  removed when the process exits (and, for a process that could not clean up after itself,
  e.g. one killed with SIGKILL or a pool worker that ends with ``os._exit``, by the next
  process that creates its own, once the owner pid is gone). LibreOffice instances sharing
  a profile (two workers, a test run beside a bench) collide: the second finds the first's
  lock or half-written files and fails at random. Within a process a thread lock lets one
  conversion use the profile at a time; processes convert side by side.
- LibreOffice never reaches the network. A document can link a picture, an OLE object
  or a field to a URL, and LibreOffice fetches it while converting (a linked image in an
  .odt made it request an http URL): the mail's sender could make the server reach any
  address it can. So soffice runs in a network namespace of its own, with only a loopback
  that is down (``unshare --net``; as another user than root, in a user namespace too).
  Where namespaces are unavailable (a container without the capability, a kernel that
  forbids unprivileged user namespaces), a warning says so and the profile setting
  ``BlockUntrustedRefererLinks`` (Tools > Options > Security: "Block any links from
  documents not among the trusted locations") still stops the fetching; it is always
  set, the namespace comes on top of it.
- The converter runs in its own process group; on timeout the whole group is killed
  (``soffice`` is a shell script around ``oosplash`` and ``soffice.bin``), the process's
  profile is discarded in case the kill left it half written, and :class:`LimitExceeded`
  is raised.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from dienhinh.core.errors import LimitExceeded, MalformedDocument, NeedsConversion
from dienhinh.core.text import collapse_ws, nfc
from dienhinh.core.types import ArticleDraft, Part
from dienhinh.ingest.article import (
    TITLE_MAX_CHARS,
    Block,
    build_article,
    is_cover_paragraph,
    is_letterhead_line,
)
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extractors.docx import docx_blocks
from dienhinh.ingest.extractors.legacy import doc_encrypted
from dienhinh.ingest.legacy import detect_legacy, repair
from dienhinh.ingest.mime import DOCX_TYPE
from dienhinh.ingest.procguard import alive

__all__ = [
    "available_converters",
    "convert_legacy",
    "detect_legacy_kind",
    "odt_text",
    "plain_text_blocks",
]

log = logging.getLogger(__name__)

CONVERTERS = ("soffice", "antiword", "catdoc")
ODT_TYPE = "application/vnd.oasis.opendocument.text"
# An ODF text template (.ott) is an .odt in every way that matters here.
ODT_TYPES = (ODT_TYPE, "application/vnd.oasis.opendocument.text-template")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FALLBACK_TIMEOUT = 60  # antiword/catdoc read a .doc in milliseconds; this is a backstop
_STDERR_CHARS = 300
# LibreOffice's harmless chatter on stderr, left out of error messages.
_NOISE = re.compile(r"javaldx|java may not function|^\s*$", re.IGNORECASE)

# Forced LibreOffice import filters. A .doc with a "1Table"/"0Table" stream is Word 97 or
# later; one without is Word 6/95 (LibreOffice's own detection makes the same test).
_FILTERS = {
    "doc": "MS Word 97",
    "doc95": "MS Word 95",
    "odt": "writer8",
    "rtf": "Rich Text Format",
    "docx": "MS Word 2007 XML",  # reads Strict OOXML too
}

_thread_lock = threading.Lock()

# The profile's settings that keep a conversion off the network (see the module
# docstring): written into registrymodifications.xcu before every conversion.
_PROFILE_SETTINGS = (
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
)
_XCU_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry"'
    ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
)


def available_converters() -> list[str]:
    """The converters on PATH, best first: "soffice" (also found as ``libreoffice``),
    "antiword", "catdoc"."""
    return [name for name in CONVERTERS if _which(name)]


def _which(name: str) -> str | None:
    if name == "soffice":
        return shutil.which("soffice") or shutil.which("libreoffice")
    return shutil.which(name)


# --- what the bytes are --------------------------------------------------------------------


def detect_legacy_kind(data: bytes) -> str | None:
    """What the bytes are: "doc" (Word 97+), "doc95" (Word 6/95), "odt", "rtf", "docx"
    (a .docx under a legacy name) or None."""
    if data.startswith(OLE2_MAGIC):
        if "WordDocument".encode("utf-16-le") not in data:
            return None
        tables = ("1Table".encode("utf-16-le"), "0Table".encode("utf-16-le"))
        return "doc" if any(t in data for t in tables) else "doc95"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"{\\rtf":
        return "rtf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
                    mimetype = zf.read("mimetype").strip().decode("ascii", "replace")
                    return "odt" if mimetype in ODT_TYPES else None
                if "word/document.xml" in names:
                    return "docx"
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
            # Truncated or damaged (no central directory): the local headers still name
            # the package's parts; LibreOffice is the last reader to try it.
            if any(b"mimetype" + t.encode() in data[:200] for t in ODT_TYPES):
                return "odt"
            if b"word/document.xml" in data:
                return "docx"
            return None
    return None


def _reject_unreadable(data: bytes, label: str) -> None:
    """Fail early, with a reason an editor understands, on what no converter can read."""
    if data.startswith(OLE2_MAGIC) and "EncryptedPackage".encode("utf-16-le") in data:
        raise MalformedDocument(f"{label}: password-protected document")
    if data.startswith(OLE2_MAGIC):
        raise MalformedDocument(
            f"{label}: an OLE2 file without a WordDocument stream (not a Word .doc; "
            "an Excel or PowerPoint file, or damaged)"
        )
    head = data[:16]
    raise MalformedDocument(f"{label}: not a .doc, .odt or .rtf file (starts with {head!r})")


# --- entry point ---------------------------------------------------------------------------


def convert_legacy(
    data: bytes, filename: str, ctx: ExtractContext, *, part_path: str = ""
) -> list[ArticleDraft]:
    """One article from a .doc, .odt or .rtf file (recognised by its bytes, not its name).

    Raises NeedsConversion when no installed converter reads this kind of file,
    MalformedDocument when the file is damaged, encrypted or not what it claims, and
    LimitExceeded when the conversion runs past ``conversion_timeout_seconds``.
    """
    label = filename or f"part {part_path or '?'}"
    origin = filename or part_path
    kind = detect_legacy_kind(data)
    if kind is None:
        _reject_unreadable(data, label)
        raise AssertionError("unreachable")  # _reject_unreadable always raises
    if kind in ("doc", "doc95") and doc_encrypted(data):
        raise MalformedDocument(f"{label}: password-protected .doc")
    part = Part(path=part_path, content_type=DOCX_TYPE, payload=b"", filename=filename)
    tools = available_converters()
    if kind == "docx":  # a .docx renamed .doc: no conversion needed, unless we cannot read it
        try:
            return [_docx_article(data, ctx, part, source="docx", flags=[], origin=origin)]
        except (NeedsConversion, MalformedDocument) as err:
            # Strict OOXML, or a package our readers do not understand: LibreOffice's
            # import is more forgiving; it is the last try before the document fails.
            if "soffice" not in tools:  # waits, visible, until LibreOffice is installed
                raise NeedsConversion(f"{err} (LibreOffice is not installed)") from err
            docx = _soffice_to_docx(data, "docx", label, ctx)
            return [
                _docx_article(docx, ctx, part, source="docx", flags=["converted"], origin=origin)
            ]
    source = "doc" if kind in ("doc", "doc95") else kind
    if "soffice" in tools:
        docx = _soffice_to_docx(data, kind, label, ctx)
        return [_docx_article(docx, ctx, part, source=source, flags=["converted"], origin=origin)]
    if source == "doc" and ("antiword" in tools or "catdoc" in tools):
        text, tool = _doc_text(data, label, tools)
        article = _text_article(text, source=source, origin=origin)
        if tool == "antiword" and "legacy-encoding:tcvn3" in article.flags:
            article.flags.append("legacy-letters-lost")
            article.error = _LOST_U
            log.warning("%s: %s", label, _LOST_U)
        return [article]
    if source == "odt":
        return [_text_article(_odt_text(data, label), source=source, origin=origin)]
    hint = "or antiword" if source == "doc" else ""
    raise NeedsConversion(
        f"no converter for .{source}: install LibreOffice (libreoffice-writer-nogui) {hint}".strip()
    )


def _docx_article(
    docx: bytes, ctx: ExtractContext, part: Part, *, source: str, flags: list[str], origin: str
) -> ArticleDraft:
    part.payload = docx
    try:
        blocks, docx_flags = docx_blocks(docx, ctx, part)
    except NeedsConversion as err:
        if "converted" in flags:  # LibreOffice's own output: no second conversion
            raise MalformedDocument(str(err)) from err
        raise
    article = build_article(blocks, source=source, origin=origin)
    article.flags.extend([*flags, *docx_flags])
    return article


# --- LibreOffice ---------------------------------------------------------------------------


def _temp_root() -> Path:
    """``$TMPDIR/dienhinh-convert-UID``: the per-process LibreOffice profiles and the
    conversions' work directories.

    Private to the user (0700, and checked to be ours, not a directory planted by someone
    else).
    """
    root = Path(tempfile.gettempdir()) / f"dienhinh-convert-{os.getuid()}"
    try:
        root.mkdir(mode=0o700, exist_ok=True)
        st = root.lstat()
    except OSError as err:
        raise NeedsConversion(f"cannot create the conversion directory {root}: {err}") from err
    if not root.is_dir() or root.is_symlink() or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise NeedsConversion(
            f"the conversion directory {root} is not a private directory of this user"
        )
    return root


# (pid, conversion directory) -> this process's profile there. Keyed by pid: a forked
# child (a pool worker) must not share its parent's profile.
_profiles: dict[tuple[int, Path], Path] = {}
_PROFILE_PREFIX = "profile-"


def _sweep_profiles(root: Path) -> None:
    """Remove the profiles of processes that are gone (killed before they could)."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not name.startswith(_PROFILE_PREFIX):
            continue
        pid_text = name[len(_PROFILE_PREFIX) :].split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not alive(int(pid_text)):
            shutil.rmtree(entry, ignore_errors=True)
            log.info("removed the LibreOffice profile of ended process %s: %s", pid_text, entry)


def _remove_profiles(pid: int) -> None:
    if os.getpid() != pid:  # atexit handlers are inherited by forked children
        return
    for (owner, _root), profile in list(_profiles.items()):
        if owner == pid:
            shutil.rmtree(profile, ignore_errors=True)
            _profiles.pop((owner, _root), None)


def _profile(root: Path) -> Path:
    """This process's own LibreOffice profile directory (0700), created on first use and
    removed at exit."""
    pid = os.getpid()
    key = (pid, root)
    profile = _profiles.get(key)
    if profile is not None and profile.is_dir():
        return profile
    if not any(owner == pid for owner, _ in _profiles):
        atexit.register(_remove_profiles, pid)
        _sweep_profiles(root)
    profile = Path(tempfile.mkdtemp(prefix=f"{_PROFILE_PREFIX}{pid}-", dir=root))  # 0700
    _profiles[key] = profile
    return profile


def _discard_profile(root: Path) -> None:
    """Forget this process's profile (a killed conversion may have left it half written):
    the next conversion creates a fresh one."""
    profile = _profiles.pop((os.getpid(), root), None)
    if profile is not None:
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class _Run:
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float


def _run(
    argv: Sequence[str],
    *,
    timeout: float,
    what: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> _Run:
    """Run a converter in its own process group; kill the group on timeout."""
    started = time.monotonic()
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise LimitExceeded(
            f"{what} took longer than {timeout:g} s (conversion_timeout_seconds); killed"
        ) from exc
    finally:
        if proc.poll() is None:  # an unexpected error while waiting: leave nothing behind
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return _Run(proc.returncode, out, err, time.monotonic() - started)


_OFFLINE_PROBES = (("--net",), ("--user", "--map-root-user", "--net"))


@functools.lru_cache(maxsize=1)
def _offline_prefix() -> tuple[str, ...]:
    """The command prefix that runs a program without network (``unshare --net --``,
    with a user namespace when not root), or () where namespaces are not available.
    Tried once per process; the outcome is logged."""
    unshare = shutil.which("unshare")
    reason = "unshare (util-linux) is not installed"
    if unshare is not None:
        probes = _OFFLINE_PROBES if os.geteuid() == 0 else _OFFLINE_PROBES[1:]
        for flags in probes:
            argv = (unshare, *flags, "--")
            try:
                run = subprocess.run([*argv, "true"], capture_output=True, timeout=30, check=False)
            except (OSError, subprocess.TimeoutExpired) as err:
                reason = f"{' '.join(argv)} failed: {err}"
                continue
            if run.returncode == 0:
                log.info("LibreOffice runs without network (%s)", " ".join(argv[1:-1]))
                return argv
            reason = f"unshare {' '.join(flags)}: {_summary(run.stderr)}"
    log.warning(
        "LibreOffice cannot be cut off the network (%s); its profile setting "
        "BlockUntrustedRefererLinks still blocks linked images and other external links",
        reason,
    )
    return ()


def _harden_profile(profile: Path) -> None:
    """Write the settings that keep LibreOffice off the network into the profile's
    registrymodifications.xcu (created if new; LibreOffice keeps them and adds its own)."""
    xcu = profile / "user" / "registrymodifications.xcu"
    xcu.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        text = xcu.read_text("utf-8")
    except FileNotFoundError:
        text = _XCU_HEAD + "</oor:items>\n"
    except (OSError, UnicodeDecodeError) as err:
        log.warning("LibreOffice profile settings unreadable (%s): written anew", err)
        text = _XCU_HEAD + "</oor:items>\n"
    if "</oor:items>" not in text:
        text = _XCU_HEAD + "</oor:items>\n"
    for path, name, value in _PROFILE_SETTINGS:
        ours = (
            f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
            f"<value>{value}</value></prop></item>"
        )
        if ours in text:
            continue
        text = re.sub(
            rf'<item oor:path="{re.escape(path)}"><prop oor:name="{name}"[^\n]*?</item>\n?',
            "",
            text,
        )
        text = text.replace("</oor:items>", f"{ours}\n</oor:items>")
    xcu.write_text(text, "utf-8")


def _summary(stderr: bytes) -> str:
    lines = [
        ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if not _NOISE.search(ln)
    ]
    text = "; ".join(lines)
    return (text[:_STDERR_CHARS] + "…") if len(text) > _STDERR_CHARS else (text or "no message")


def _soffice_to_docx(data: bytes, kind: str, label: str, ctx: ExtractContext) -> bytes:
    soffice = _which("soffice")
    if soffice is None:  # removed between the check and now
        raise NeedsConversion("LibreOffice (soffice) is no longer on PATH")
    root = _temp_root()
    timeout = ctx.limits.conversion_timeout_seconds
    suffix = "doc" if kind == "doc95" else kind
    with _thread_lock, tempfile.TemporaryDirectory(dir=root, prefix="job-") as tmp:
        work = Path(tmp)
        src = work / f"input.{suffix}"
        out_dir = work / "out"
        src.write_bytes(data)
        profile = _profile(root)
        _harden_profile(profile)
        argv = [
            *_offline_prefix(),
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation={profile.as_uri()}",
            f"--infilter={_FILTERS[kind]}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out_dir),
            str(src),
        ]
        try:
            run = _run(argv, timeout=timeout, what=f"{label}: LibreOffice conversion", cwd=work)
        except LimitExceeded:
            _discard_profile(root)  # may be half written
            raise
        result = out_dir / "input.docx"
        if run.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            raise MalformedDocument(
                f"{label}: LibreOffice could not read this .{suffix} "
                f"(exit {run.returncode}: {_summary(run.stderr)})"
            )
        log.info("converted %s (.%s) with LibreOffice in %.2f s", label, suffix, run.seconds)
        return result.read_bytes()


# --- text-only fallbacks -------------------------------------------------------------------


# TCVN3 writes "ư" as 0xAD, the soft hyphen. Word stores a soft hyphen typed as such as
# its "optional hyphen" code, and both text fallbacks drop it: antiword always, catdoc by
# its default special-character map (``00AD ""``). catdoc is therefore run with a map of
# ours that keeps U+00AD (through ``map_path`` in a ``.catdocrc`` in a private HOME) and
# the legacy repair decodes it; the two other entries are catdoc's own defaults.
_CATDOC_SPECCHARS = '001C "\\t"\n001E "\\n"\n'
_LOST_U = (
    "TCVN3 text read by antiword, which drops the soft hyphen that TCVN3 uses for "
    '"ư": install LibreOffice or catdoc to read every letter'
)


def _doc_text(data: bytes, label: str, tools: list[str]) -> tuple[str, str]:
    """A .doc's text (one paragraph per line) and the tool that read it: antiword, else
    catdoc. When antiword's text is TCVN3, catdoc reads it again (it keeps "ư")."""
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dienhinh-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "ascii.specchars").write_text(_CATDOC_SPECCHARS, "ascii")
        (home / "ascii.replchars").write_text("", "ascii")
        (home / ".catdocrc").write_text(f"map_path={home}\n", "utf-8")
        commands = {
            # -w 0: no wrapping, so a paragraph is one line; blank lines between them.
            "antiword": ["-m", "UTF-8.txt", "-w", "0"],
            # -w: no wrapping; one paragraph per line.
            "catdoc": ["-d", "utf-8", "-w"],
        }
        found: tuple[str, str] | None = None
        for tool in ("antiword", "catdoc"):
            path = _which(tool) if tool in tools else None
            if path is None:
                continue
            run = _run(
                [path, *commands[tool], str(src)],
                timeout=_FALLBACK_TIMEOUT,
                what=f"{label}: {tool}",
                env={**os.environ, "HOME": str(home)} if tool == "catdoc" else None,
            )
            text = run.stdout.decode("utf-8", "replace")
            if run.returncode == 0 and text.strip():
                log.info("read %s as text with %s in %.3f s", label, tool, run.seconds)
                if tool == "antiword" and detect_legacy(text) == "tcvn3":
                    found = (text, tool)  # catdoc, if installed, keeps the soft hyphens
                    continue
                return text, tool
            errors.append(f"{tool}: exit {run.returncode}: {_summary(run.stderr + run.stdout)}")
        if found is not None:
            return found
    raise MalformedDocument(f"{label}: cannot read this .doc ({'; '.join(errors)})")


_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def odt_text(data: bytes, label: str) -> str:
    """The paragraphs and headings of an .odt, one per line (no converter needed)."""
    return _odt_text(data, label)


def _odt_text(data: bytes, label: str) -> str:
    """The paragraphs and headings of an .odt's content.xml, one per line."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            root = etree.fromstring(zf.read("content.xml"), parser)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, etree.XMLSyntaxError) as err:
        raise MalformedDocument(f"{label}: damaged .odt ({err})") from err
    lines: list[str] = []
    for el in root.iter(f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"):
        parts: list[str] = [el.text or ""]
        for child in el.iter():
            if child is el:
                continue
            if child.tag == f"{{{_TEXT_NS}}}s":
                parts.append(" " * int(child.get(f"{{{_TEXT_NS}}}c", "1") or 1))
            elif child.tag == f"{{{_TEXT_NS}}}tab":
                parts.append("\t")
            elif child.tag == f"{{{_TEXT_NS}}}line-break":
                parts.append(" ")
            elif child.text and child.tag in (f"{{{_TEXT_NS}}}span", f"{{{_TEXT_NS}}}a"):
                parts.append(child.text)
            if child.tail and child.getparent() is not None:
                parts.append(child.tail)
        lines.append("".join(parts))
    return "\n".join(lines)


def plain_text_blocks(paragraphs: Sequence[str]) -> list[Block]:
    """Blocks for text without formatting (OCR, antiword): letterhead lines first, then
    the first short paragraph that reads like a title is marked as the heading, because
    :func:`build_article` otherwise finds titles by style, which plain text lacks."""
    blocks = [Block(text=p) for p in (collapse_ws(nfc(x)) for x in paragraphs) if p]
    i = 0
    while i < len(blocks) and is_letterhead_line(blocks[i].text):
        i += 1
    for block in blocks[i : i + 2]:
        text = block.text
        if (
            len(text) <= TITLE_MAX_CHARS
            and not text.endswith((".", ":", ",", ";"))
            and not is_cover_paragraph(text)
        ):
            block.heading = True
            break
    return blocks


def _text_article(text: str, *, source: str, origin: str) -> ArticleDraft:
    flags = ["converted-text-only"]
    text, legacy = repair(nfc(text))
    if legacy is not None:
        flags.append(f"legacy-encoding:{legacy}")
    text = text.replace("\u00ad", "")  # soft hyphens left are hyphenation points
    paragraphs = [ln for ln in text.replace("\r\n", "\n").replace("\f", "\n").split("\n")]
    article = build_article(plain_text_blocks(paragraphs), source=source, origin=origin)
    article.flags.extend(flags)
    return article
