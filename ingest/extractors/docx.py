""".docx → one article, with its embedded pictures in order.

Fast path: ``word/document.xml`` read with lxml straight from the zip. parsing-costs.md
measures it at ~0.45 ms against ~15 ms for opening the same file with python-docx, and
the .docx is most of the mail we get. python-docx (the design card's dependency) is the
fallback for packages the fast path cannot read, e.g. a main part not named
``word/document.xml``. Both feed the same body walker, so they produce the same text.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import ClassVar

from lxml import etree

from dienhinh.core.config import IngestConfig
from dienhinh.core.errors import LimitExceeded, MalformedDocument, NeedsConversion
from dienhinh.core.text import nfc
from dienhinh.core.types import ArticleDraft, Asset, Part
from dienhinh.ingest import legacy
from dienhinh.ingest.archive import check_package, read_member
from dienhinh.ingest.article import (
    Block,
    is_letterhead_line,
    repair_legacy_blocks,
    suspect_legacy,
)
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.mime import DOCX_TYPE, sniff_type
from dienhinh.ingest.split import articles_from_blocks

__all__ = ["DocxExtractor", "docx_blocks", "docx_source", "salvage_package"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Strict OOXML (ISO/IEC 29500 Strict, "Strict Open XML Document" in Word's Save As).
_W_STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_V = "{urn:schemas-microsoft-com:vml}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"

W_P, W_TBL, W_TR, W_TC, W_R = _W + "p", _W + "tbl", _W + "tr", _W + "tc", _W + "r"
W_T, W_TAB, W_BR, W_CR = _W + "t", _W + "tab", _W + "br", _W + "cr"
W_SOFTHYPHEN, W_NOBREAKHYPHEN = _W + "softHyphen", _W + "noBreakHyphen"
SOFT_HYPHEN = "\u00ad"
W_SDT, W_SDTCONTENT, W_CUSTOMXML = _W + "sdt", _W + "sdtContent", _W + "customXml"
W_VAL = _W + "val"
A_BLIP, V_IMAGEDATA = _A + "blip", _V + "imagedata"
W_RPR, W_RFONTS, W_STYLE, W_BASEDON = _W + "rPr", _W + "rFonts", _W + "style", _W + "basedOn"
# Word picks a run's font by character range: w:ascii for ASCII, w:hAnsi for U+0080-U+00FF
# (where every TCVN3/VNI code lives), w:cs for complex scripts. The legacy codes are drawn
# with the hAnsi font, so it is asked first.
_FONT_ATTRS = (_W + "hAnsi", _W + "ascii", _W + "cs")
# Font names anywhere in a part, found without parsing it.
_FONT_NAMES = re.compile(rb'w:(?:ascii|hAnsi|cs)="([^"]{1,80})"')

# Errors that mean "this zip/XML is damaged" (not a bug of ours); zipfile raises
# RuntimeError for encrypted members and NotImplementedError for unknown compression.
log = logging.getLogger(__name__)

_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ValueError,
    OSError,
)
_XML_ERRORS = (etree.XMLSyntaxError, KeyError)
_OFF = ("0", "false", "off", "none")
_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".emf": "image/emf",
    ".wmf": "image/wmf",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}

StyleLookup = Callable[[str], tuple[int, bool]]  # style id -> (heading level, italic)
ImageLookup = Callable[[str], tuple[bytes, str] | None]  # rel id -> (bytes, name)


def _parser() -> etree.XMLParser:
    # No entity expansion, no network, no huge trees: a docx is untrusted input.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _on(el: etree._Element | None) -> bool:
    return el is not None and el.get(W_VAL, "true").lower() not in _OFF


def _style_kind(style_id: str, name: str) -> tuple[int, bool]:
    """(heading level, caption): Title and Heading 1 are level 1, Heading N level N.
    Built-in style names are English in styles.xml whatever the Word language."""
    low_id, low_name = style_id.lower(), name.lower()
    level = 0
    for key in (low_id, low_name):
        if key == "title" or key.startswith("title"):
            level = 1
        elif key.startswith("heading"):
            digits = "".join(ch for ch in key[7:] if ch.isdigit())
            level = int(digits) if digits and int(digits) > 0 else 2
        if level:
            break
    italic = low_id == "caption" or low_name == "caption"
    return level, italic


def _strip_fallbacks(root: etree._Element) -> None:
    # mc:AlternateContent repeats a drawing as VML in mc:Fallback; reading both would
    # double pictures and text-box text.
    for fb in list(root.iter(_MC + "Fallback")):
        parent = fb.getparent()
        if parent is not None:
            parent.remove(fb)


def _body_items(parent: etree._Element) -> Iterator[etree._Element]:
    for child in parent:
        tag = child.tag
        if tag in (W_P, W_TBL):
            yield child
        elif tag in (W_SDT, W_SDTCONTENT, W_CUSTOMXML):
            yield from _body_items(child)


# --- legacy (TCVN3/VNI) fonts ----------------------------------------------------------------

FontKind = tuple[legacy.Encoding, bool]  # (encoding, upper-case H font)


@lru_cache(maxsize=512)
def _font_kind(name: str) -> FontKind | None:
    enc = legacy.font_encoding(name)
    if enc is None:
        return None
    return enc, legacy.is_upper_font(name)


def _has_legacy_font(xml: bytes) -> bool:
    """Whether any font named in ``xml`` is a legacy one: a byte scan, no parse (most
    documents name two or three fonts, all Unicode)."""
    names = set(_FONT_NAMES.findall(xml))
    return any(_font_kind(n.decode("utf-8", "replace")) for n in names)


def _rfonts_font(rpr: etree._Element | None) -> str | None:
    """The font a w:rPr names for high-ANSI text, or None when it names none."""
    if rpr is None:
        return None
    rfonts = rpr.find(W_RFONTS)
    if rfonts is None:
        return None
    for attr in _FONT_ATTRS:
        name = rfonts.get(attr)
        if name:
            return name
    return None


class _Fonts:
    """The effective font of each run: its own w:rFonts, else its character style, else its
    paragraph style (following w:basedOn), else the document defaults (docDefaults). Built
    only for documents that name a legacy font, so the common path never parses styles.xml."""

    def __init__(self, styles: etree._Element | None) -> None:
        self._own: dict[str, tuple[str | None, str | None]] = {}  # id -> (font, basedOn)
        self._resolved: dict[str, str | None] = {}
        self.default: str | None = None
        self.default_paragraph = ""
        if styles is None:
            return
        defaults = styles.find(f"{_W}docDefaults/{_W}rPrDefault/{W_RPR}")
        self.default = _rfonts_font(defaults)
        for st in styles.iter(W_STYLE):
            sid = st.get(_W + "styleId", "")
            based = st.find(W_BASEDON)
            self._own[sid] = (
                _rfonts_font(st.find(W_RPR)),
                based.get(W_VAL) if based is not None else None,
            )
            if st.get(_W + "type") == "paragraph" and _true_attr(st.get(_W + "default")):
                self.default_paragraph = sid

    def style(self, style_id: str) -> str | None:
        """The font a style sets, itself or through the styles it is based on."""
        if style_id in self._resolved:
            return self._resolved[style_id]
        font: str | None = None
        seen: set[str] = set()
        sid: str | None = style_id
        while sid and sid not in seen and sid in self._own:  # basedOn loops exist in the wild
            seen.add(sid)
            font, sid = self._own[sid]
            if font:
                break
        self._resolved[style_id] = font
        return font

    def paragraph(self, p: etree._Element) -> str | None:
        ppr = p.find(_W + "pPr")
        pstyle = ppr.find(_W + "pStyle") if ppr is not None else None
        sid = pstyle.get(W_VAL, "") if pstyle is not None else self.default_paragraph
        return self.style(sid) or self.default

    def run(self, r: etree._Element, paragraph_font: str | None) -> FontKind | None:
        rpr = r.find(W_RPR)
        font = _rfonts_font(rpr)
        if font is None and rpr is not None:
            rstyle = rpr.find(_W + "rStyle")
            if rstyle is not None:
                font = self.style(rstyle.get(W_VAL, ""))
        font = font or paragraph_font
        return _font_kind(font) if font else None


def _true_attr(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "on")


def _toggle_on(el: etree._Element | None) -> bool:
    """A WordprocessingML on/off property (``<w:pageBreakBefore/>``): on when present,
    unless its value says off."""
    if el is None:
        return False
    value = el.get(W_VAL)
    return value is None or _true_attr(value)


class _Walker:
    def __init__(
        self,
        styles: StyleLookup,
        images: ImageLookup,
        ctx: ExtractContext,
        part: Part,
        fonts: _Fonts | None = None,
    ) -> None:
        self.styles, self.images, self.ctx, self.part = styles, images, ctx, part
        self.store = ctx.blob_store()
        self.flags: list[str] = []
        self.fonts = fonts  # None: no legacy font anywhere, runs are read as they are
        self.decoded: Counter[legacy.Encoding] = Counter()  # characters decoded, by encoding
        self.tables = 0  # top-level tables seen: each row's block carries its table's number
        self.page_pending = False  # a page break seen since the last block

    def _text(self, t: etree._Element, paragraph_font: str | None) -> str:
        text = t.text or ""
        if self.fonts is None or not text:
            return text
        run = t.getparent()
        kind = self.fonts.run(run, paragraph_font) if run is not None else None
        if kind is None:
            return text
        enc, upper = kind
        self.decoded[enc] += len(text)
        return legacy.decode(text, enc, upper=upper)

    def _soft_hyphen(self, el: etree._Element, paragraph_font: str | None) -> str:
        """``<w:softHyphen/>``: how Word and LibreOffice write the character U+00AD. In a
        TCVN3 run that character is the letter "ư" (code 0xAD): "Ph<softHyphen/>¬ng" is
        "Phương". Elsewhere it is an invisible hyphenation point, kept as U+00AD until the
        text-level legacy check has seen the paragraph (a TCVN3 document whose font name is
        unknown), then dropped (:func:`_drop_soft_hyphens`)."""
        run = el.getparent()
        kind = None
        if self.fonts is not None and run is not None:
            kind = self.fonts.run(run, paragraph_font)
        if kind is None:
            return SOFT_HYPHEN
        enc, upper = kind
        if enc != "tcvn3":  # VNI has no code at 0xAD: a real soft hyphen
            return ""
        self.decoded[enc] += 1
        return legacy.decode(SOFT_HYPHEN, enc, upper=upper)

    def _asset(self, rel_id: str) -> Block | None:
        found = self.images(rel_id)
        if found is None:
            return None
        data, name = found
        ext = posixpath.splitext(name)[1].lower()
        ctype = sniff_type(data) or _IMAGE_TYPES.get(ext, "application/octet-stream")
        sha = self.store.put(data)
        return Block(
            image=Asset(
                sha256=sha,
                size=len(data),
                content_type=ctype,
                filename=name,
                role="embedded-image",
                part_path=self.part.path,
            )
        )

    def _page_break(self) -> bool:
        """Whether a page break came before the block being made (and it is now taken)."""
        pending, self.page_pending = self.page_pending, False
        return pending

    def paragraph(self, p: etree._Element, out: list[Block]) -> None:
        texts: list[str] = []
        pics: list[Block] = []
        ppr = p.find(_W + "pPr")
        if ppr is not None and _toggle_on(ppr.find(_W + "pageBreakBefore")):
            self.page_pending = True
        break_after = False  # a page break after this paragraph's first text
        paragraph_font = self.fonts.paragraph(p) if self.fonts is not None else None
        for el in p.iter(
            W_T, W_TAB, W_BR, W_CR, W_SOFTHYPHEN, W_NOBREAKHYPHEN, A_BLIP, V_IMAGEDATA
        ):
            tag = el.tag
            if tag == W_T:
                texts.append(self._text(el, paragraph_font))
            elif tag == W_SOFTHYPHEN:
                texts.append(self._soft_hyphen(el, paragraph_font))
            elif tag == W_NOBREAKHYPHEN:
                texts.append("-")
            elif tag == W_TAB:
                texts.append("\t")
            elif tag in (W_BR, W_CR):
                kind = el.get(_W + "type")
                if kind in (None, "textWrapping"):
                    texts.append("\n")
                elif kind == "page":
                    if any(t.strip() for t in texts):
                        break_after = True
                    else:
                        self.page_pending = True
            else:
                rel = el.get(_R + "embed") if tag == A_BLIP else el.get(_R + "id")
                pic = self._asset(rel) if rel else None
                if pic is not None:
                    pics.append(pic)
        text = nfc("".join(texts)).strip()
        if text:
            level, italic_style = 0, False
            if ppr is not None:
                pstyle = ppr.find(_W + "pStyle")
                if pstyle is not None:
                    level, italic_style = self.styles(pstyle.get(W_VAL, ""))
            bold, italic = self._run_formatting(p)
            out.append(
                Block(
                    text=text,
                    heading=level > 0,
                    level=level,
                    bold=bold,
                    italic=italic or italic_style,
                    page_break=self._page_break(),
                )
            )
        out.extend(pics)
        self.page_pending = self.page_pending or break_after

    @staticmethod
    def _run_formatting(p: etree._Element) -> tuple[bool, bool]:
        """(every visible run bold, every visible run italic)."""
        seen = False
        bold = italic = True
        for r in p.iter(W_R):
            if not any((t.text or "").strip() for t in r.iter(W_T)):
                continue
            seen = True
            rpr = r.find(_W + "rPr")
            if rpr is None:
                return False, False
            bold = bold and _on(rpr.find(_W + "b"))
            italic = italic and _on(rpr.find(_W + "i"))
            if not (bold or italic):
                break
        return (bold and seen), (italic and seen)

    def table(self, tbl: etree._Element, out: list[Block]) -> None:
        self.tables += 1
        for tr in tbl.iter(W_TR):
            if tr.getparent() is not tbl:
                continue  # nested tables are read as part of their cell
            cells: list[str] = []
            pics: list[Block] = []
            for tc in tr.iter(W_TC):
                if tc.getparent() is not tr:
                    continue
                inner: list[Block] = []
                for p in tc.iter(W_P):
                    self.paragraph(p, inner)
                cell = "\n".join(b.text for b in inner if b.text)
                if cell:
                    cells.append(cell)
                pics.extend(b for b in inner if b.image is not None)
            if cells:
                out.append(
                    Block(
                        text=" | ".join(cells),
                        table=True,
                        table_id=self.tables,
                        page_break=self._page_break(),
                    )
                )
            out.extend(pics)

    def walk(self, body: etree._Element) -> list[Block]:
        out: list[Block] = []
        for item in _body_items(body):
            if item.tag == W_P:
                self.paragraph(item, out)
            else:
                self.table(item, out)
        return out


# --- the fast path -------------------------------------------------------------------------


class _FastPathUnavailable(Exception):
    """The package is a zip but not laid out the way the fast path expects."""


def _member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    info = zf.getinfo(name)  # KeyError when absent
    if info.file_size > limit:
        raise LimitExceeded(f"{name} inflates to {info.file_size} bytes (limit {limit})")
    # Read with a cap: the declared size may lie (check_package judged the declarations).
    return read_member(zf, info, min(info.file_size, limit), name)


class _Strict(Exception):
    """The package is Strict OOXML (ISO 29500 Strict namespaces): LibreOffice reads it."""


def _styles_root(xml: bytes) -> etree._Element | None:
    if not xml:
        return None
    try:
        return etree.fromstring(xml, _parser())
    except _XML_ERRORS:
        return None


def _fast_blocks(
    zf: zipfile.ZipFile, ctx: ExtractContext, part: Part, *, style_fonts: bool = False
) -> tuple[list[Block], Counter[legacy.Encoding]]:
    """Blocks and the characters decoded from legacy fonts. Fonts are resolved only when
    the document names a legacy font, or when ``style_fonts`` asks for it (the caller saw
    legacy text and styles.xml names a legacy font)."""
    limit = ctx.limits.max_attachment_bytes
    try:
        xml = _member(zf, "word/document.xml", limit)
        root = etree.fromstring(xml, _parser())
    except _XML_ERRORS as err:
        raise _FastPathUnavailable(str(err)) from err
    body = root.find(_W + "body")
    if body is None:
        if isinstance(root.tag, str) and root.tag.startswith(_W_STRICT):
            raise _Strict("Strict OOXML")
        raise _FastPathUnavailable("no w:body")
    _strip_fallbacks(body)
    style_cache: dict[str, tuple[int, bool]] = {}
    styles_xml: bytes | None = None
    rels: dict[str, str] | None = None

    def styles(style_id: str) -> tuple[int, bool]:
        nonlocal styles_xml
        kind = style_cache.get(style_id)
        if kind is not None:
            return kind
        kind = _style_kind(style_id, "")
        if kind == (0, False):
            # The id did not say; look its name up in styles.xml. A byte search, because
            # a full parse of Word's styles.xml (hundreds of latent styles) costs more
            # than the whole document.
            if styles_xml is None:
                try:
                    styles_xml = _member(zf, "word/styles.xml", limit)
                except KeyError:
                    styles_xml = b""
            found = re.search(
                rb'w:styleId="'
                + re.escape(style_id.encode())
                + rb'".{0,300}?<w:name w:val="([^"]*)"',
                styles_xml,
                re.DOTALL,
            )
            if found:
                kind = _style_kind(style_id, found.group(1).decode("utf-8", "replace"))
        style_cache[style_id] = kind
        return kind

    def images(rel_id: str) -> tuple[bytes, str] | None:
        nonlocal rels
        if rels is None:
            rels = {}
            try:
                rroot = etree.fromstring(
                    _member(zf, "word/_rels/document.xml.rels", limit), _parser()
                )
            except _XML_ERRORS:
                rroot = None
            if rroot is not None:
                for rel in rroot.iter(_PR + "Relationship"):
                    if rel.get("TargetMode") != "External":
                        rels[rel.get("Id", "")] = rel.get("Target", "")
        target = rels.get(rel_id)
        if not target:
            return None
        name = posixpath.normpath(posixpath.join("word", target)).lstrip("/")
        if target.startswith("/"):
            name = target.lstrip("/")
        try:
            return _member(zf, name, limit), posixpath.basename(name)
        except KeyError:
            return None

    fonts: _Fonts | None = None
    if style_fonts or _has_legacy_font(xml):
        try:
            styles_xml = _member(zf, "word/styles.xml", limit)
        except KeyError:
            styles_xml = b""
        fonts = _Fonts(_styles_root(styles_xml))
    walker = _Walker(styles, images, ctx, part, fonts)
    return walker.walk(body), walker.decoded


def _styles_name_legacy_font(zf: zipfile.ZipFile, limit: int) -> bool:
    try:
        return _has_legacy_font(_member(zf, "word/styles.xml", limit))
    except KeyError:
        return False


def _python_docx_blocks(
    payload: bytes, ctx: ExtractContext, part: Part
) -> tuple[list[Block], Counter[legacy.Encoding]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(payload))
    # python-docx reports a package with missing or odd parts as AttributeError (an
    # element lacking the child it expects); here that means "damaged input".
    except (PackageNotFoundError, AttributeError, *_ZIP_ERRORS, *_XML_ERRORS) as err:
        raise MalformedDocument(
            f"{part.filename or part.path}: not a readable .docx ({err})"
        ) from err
    names = {s.style_id: s.name or "" for s in document.styles}
    related = document.part.related_parts

    def styles(style_id: str) -> tuple[int, bool]:
        return _style_kind(style_id, names.get(style_id, ""))

    def images(rel_id: str) -> tuple[bytes, str] | None:
        target = related.get(rel_id)
        if target is None:
            return None
        return target.blob, posixpath.basename(str(target.partname))

    # A main part whose root is not a WordprocessingML w:document (a damaged namespace)
    # opens, but is a plain element without ``body``: damaged input, not our bug (found by
    # tests/fuzz, regression docx-wrong-namespace.eml).
    body = getattr(document.element, "body", None)
    if body is None:
        raise MalformedDocument(f"{part.filename or part.path}: not a readable .docx (no body)")
    _strip_fallbacks(body)
    styles_el = document.styles.element
    fonts = None
    if _has_legacy_font(etree.tostring(body)) or _has_legacy_font(etree.tostring(styles_el)):
        fonts = _Fonts(styles_el)
    walker = _Walker(styles, images, ctx, part, fonts)
    return walker.walk(body), walker.decoded


def _legacy_flags(
    blocks: list[Block], decoded: Counter[legacy.Encoding], suspected: bool | None = None
) -> list[str]:
    """Flags for the legacy text found. With no run in a legacy font, text typed in one may
    still be there under a font name we do not know: the whole text is checked once
    (``suspected``, when the caller already did) and repaired on evidence."""
    if decoded:
        return [f"legacy-encoding:{decoded.most_common(1)[0][0]}"]
    if suspected is None:
        suspected = suspect_legacy(blocks) is not None
    enc = repair_legacy_blocks(blocks) if suspected else None
    return [f"legacy-encoding:{enc}"] if enc else []


def _drop_soft_hyphens(blocks: list[Block]) -> list[Block]:
    """Remove the soft hyphens left once legacy text has been decoded: in Unicode text
    they are invisible hyphenation points, not letters."""
    for block in blocks:
        if SOFT_HYPHEN in block.text:
            block.text = block.text.replace(SOFT_HYPHEN, "")
    return blocks


_LOCAL = b"PK\x03\x04"
_DESCRIPTOR = b"PK\x07\x08"


def salvage_package(payload: bytes, limits: IngestConfig) -> bytes | None:
    """A .docx cut short (a mail client or a server truncated it: no central directory)
    rebuilt from the members that arrived whole, read from their local headers in order;
    None when ``word/document.xml`` is not among them (then LibreOffice has its try).

    Each member must inflate completely and match its CRC; inflation is bounded like a
    package's (members, total, compression ratio against what arrived), so a truncated
    zip bomb stays one."""
    budget = min(
        limits.max_archive_total_bytes,
        max(len(payload), 1024 * 1024) * limits.max_compression_ratio,
    )
    members: list[tuple[str, bytes]] = []
    pos = total = 0
    while payload.startswith(_LOCAL, pos) and len(members) < limits.max_archive_members:
        if pos + 30 > len(payload):
            break
        flag, method, _t, _d, crc, csize, _usize, nlen, xlen = struct.unpack_from(
            "<HHHHIIIHH", payload, pos + 6
        )
        start = pos + 30 + nlen + xlen
        name = payload[pos + 30 : pos + 30 + nlen].decode("utf-8", "replace")
        if flag & 0x1 or start > len(payload):  # encrypted, or cut inside the header
            break
        cap = min(limits.max_attachment_bytes, budget - total)
        if method == 8:
            inflater = zlib.decompressobj(-15)
            try:
                data = inflater.decompress(payload[start:], cap + 1)
            except zlib.error:
                break
            if not inflater.eof or len(data) > cap:
                break  # cut inside this member, or over a limit
            end = len(payload) - len(inflater.unused_data)
        elif method == 0 and not flag & 0x8:
            data, end = payload[start : start + csize], start + csize
            if len(data) < csize or csize > cap:
                break
        else:
            break
        if flag & 0x8:  # sizes and CRC follow the data, with or without a signature
            at = end + 4 if payload.startswith(_DESCRIPTOR, end) else end
            if at + 12 > len(payload):
                break
            crc = struct.unpack_from("<I", payload, at)[0]
            end = at + 12
            if not payload.startswith((_LOCAL, b"PK\x01\x02"), end) and end < len(payload):
                end += 8  # a ZIP64 descriptor
        if zlib.crc32(data) != crc:
            break
        members.append((name, data))
        total += len(data)
        pos = end
    names = {n for n, _ in members}
    if "word/document.xml" not in names:
        return None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if not name.endswith("/"):
                zf.writestr(name, data)
    return buf.getvalue()


def docx_blocks(
    payload: bytes, ctx: ExtractContext, part: Part, *, force_fallback: bool = False
) -> tuple[list[Block], list[str]]:
    """The document's blocks in reading order, plus flags. Raises MalformedDocument or
    LimitExceeded. ``force_fallback`` is for tests that compare both paths.

    Runs in a legacy font (TCVN3 ``.VnTime``/``.VnTimeH``, ``VNI-Times``: their own, their
    style's or the document default) are decoded to Unicode and the flags say
    ``legacy-encoding:tcvn3`` or ``legacy-encoding:vni``."""
    label = part.filename or f"part {part.path}"
    try:
        zf = zipfile.ZipFile(io.BytesIO(payload))
    except _ZIP_ERRORS as err:
        if b"word/document.xml" not in payload:
            raise MalformedDocument(f"{label}: not a readable .docx ({err})") from err
        # Truncated (or damaged) past what zipfile reads, though its local headers name a
        # Word document: read from the members that arrived whole when the document's
        # text is among them, else LibreOffice is tried before the document is refused
        # (the slow lane; it fails there with its own reason).
        salvaged = salvage_package(payload, ctx.limits)
        if salvaged is not None:
            try:
                blocks, flags = docx_blocks(salvaged, ctx, part, force_fallback=force_fallback)
            except MalformedDocument:
                pass
            else:
                log.warning("%s: damaged package (%s); read from its complete members", label, err)
                return blocks, [*flags, "salvaged"]
        raise NeedsConversion(f"{label}: not a readable .docx ({err}); needs LibreOffice") from err
    with zf:
        # Bounded like a zip attachment before anything is inflated (ArchiveLimit).
        check_package(zf, label, ctx.limits)
        if force_fallback:
            blocks, decoded = _python_docx_blocks(payload, ctx, part)
            flags = _legacy_flags(blocks, decoded)
            return _drop_soft_hyphens(blocks), flags
        try:
            blocks, decoded = _fast_blocks(zf, ctx, part)
            # The common case (Unicode, no legacy font named) costs one regex scan here.
            suspected = not decoded and suspect_legacy(blocks) is not None
            if suspected and _styles_name_legacy_font(zf, ctx.limits.max_attachment_bytes):
                blocks, decoded = _fast_blocks(zf, ctx, part, style_fonts=True)
        except _Strict as err:
            raise NeedsConversion(f"{label}: {err} needs LibreOffice") from err
        except _FastPathUnavailable as fast_err:
            try:
                blocks, decoded = _python_docx_blocks(payload, ctx, part)
            except MalformedDocument as err:
                # The zip opened but neither reader understood its content: LibreOffice
                # reads more than we do, so the document waits for it before failing.
                raise NeedsConversion(
                    f"{label}: not readable here ({fast_err}; {err}); needs LibreOffice"
                ) from err
            flags = ["python-docx", *_legacy_flags(blocks, decoded)]
            return _drop_soft_hyphens(blocks), flags
        except _ZIP_ERRORS as err:
            raise NeedsConversion(f"{label}: damaged .docx ({err}); needs LibreOffice") from err
    flags = _legacy_flags(blocks, decoded, suspected)
    return _drop_soft_hyphens(blocks), flags


def docx_source(flags: list[str]) -> str:
    """The source name: "docx", or "docx-tcvn3"/"docx-vni" for a legacy-encoded document."""
    for flag in flags:
        if flag.startswith("legacy-encoding:"):
            return "docx-" + flag.partition(":")[2]
    return "docx"


class DocxExtractor:
    name: ClassVar[str] = "docx"

    def score(self, part: Part) -> int | None:
        # The content type is the sniffed one (ingest/mime.py): a file named .docx that is
        # an .odt, an .xlsx or an encrypted package is not ours, whatever its name says.
        if part.content_type == DOCX_TYPE:
            return 100
        return None

    def extract(self, part: Part, ctx: ExtractContext) -> list[ArticleDraft]:
        blocks, flags = docx_blocks(part.payload, ctx, part)
        articles = articles_from_blocks(
            blocks, source=docx_source(flags), origin=part.filename or part.path, flags=flags
        )
        _letterhead_from_page_header(part.payload, articles, ctx)
        _letterhead_from_image(blocks, articles, ctx)
        return articles


# The page headers Word repeats on every page ("word/header1.xml" ...): where a template
# often keeps the letterhead, outside the document's body.
_PAGE_HEADER = re.compile(r"word/header\d{0,3}\.xml")
_PAGE_HEADER_LINES = 8
_HEADER_FIELDS = re.compile(r"\n|\s[|\u2022\u00b7]\s|\s{3,}")


def _letterhead_from_page_header(
    payload: bytes, articles: list[ArticleDraft], ctx: ExtractContext
) -> None:
    """A letterhead kept in the page header ("CÔNG TY ... / PHÒNG ..." in Word's header
    area, not in the body): its letterhead lines become the first article's
    ``header_lines`` for the unit tagger, when the body had none. Unicode text only (a
    legacy-encoded header reads as noise and is not a letterhead line); a damaged header
    is no letterhead."""
    if not articles or articles[0].header_lines:
        return
    lines: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as zf:
            names = sorted(n for n in zf.namelist() if _PAGE_HEADER.fullmatch(n))
            for name in names[:3]:
                xml = _member(zf, name, ctx.limits.max_attachment_bytes)
                root = etree.fromstring(xml, _parser())
                for p in root.iter(W_P):
                    text = "".join(
                        (t.text or "") if t.tag == W_T else "\n"
                        for t in p.iter(W_T, W_TAB, W_BR, W_CR)
                    )
                    # A header line holds several fields, set apart by tabs (left, centre,
                    # right) or a drawn separator: "TRUNG TÂM ... HUYỆN X | Chuyên mục: ...";
                    # each is read on its own.
                    for part in _HEADER_FIELDS.split(nfc(text)):
                        if part.strip():
                            lines.append(part.strip())
    except (*_ZIP_ERRORS, etree.XMLSyntaxError, LimitExceeded, KeyError, ValueError):
        return
    found = [ln for ln in lines[:_PAGE_HEADER_LINES] if is_letterhead_line(ln)]
    if found:
        articles[0].header_lines = found


def _letterhead_from_image(
    blocks: list[Block], articles: list[ArticleDraft], ctx: ExtractContext
) -> None:
    """A letterhead pasted as a picture ("UBND HUYỆN X / PHÒNG ..." scanned from the paper
    template) opens the document and names the sending unit nowhere else: when the first
    thing in the document is a banner-shaped image and no letterhead was read as text,
    that one image is OCR'd (only it: never a photo, never the page) into the first
    article's ``header_lines``, for the unit tagger."""
    if not articles or articles[0].header_lines:
        return
    first = next((b for b in blocks if b.image is not None or b.text.strip()), None)
    if first is None or first.image is None:
        return
    from dienhinh.ingest.ocr import ocr_letterhead

    try:
        data = ctx.blob_store().read(first.image.sha256)
    except OSError:
        return
    articles[0].header_lines = ocr_letterhead(data, ctx)
