"""Builders for test fixtures: Vietnamese emails with .docx, .pdf, photos, HTML bodies.

Tests, the demo mailbox generator and the benchmarks all build their inputs here, in
code, so nothing depends on ../shared. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

ICT = timezone(timedelta(hours=7))

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def make_jpeg(width: int = 160, height: int = 120, seed: int = 0, quality: int = 80) -> bytes:
    """A JPEG whose pixels depend on ``seed`` (distinct hashes per seed). The default size
    is a photo's, scaled down: under 128 x 128 px an image is taken for a logo."""
    from PIL import Image

    rnd = random.Random(seed)
    img = Image.new(
        "RGB", (width, height), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
    )
    px = img.load()
    for _ in range(width * height // 8):
        px[rnd.randrange(width), rnd.randrange(height)] = (
            rnd.randrange(256),
            rnd.randrange(256),
            rnd.randrange(256),
        )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def make_png(width: int = 160, height: int = 120, seed: int = 0) -> bytes:
    from PIL import Image

    rnd = random.Random(seed)
    img = Image.new(
        "RGB", (width, height), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
    )
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@dataclass
class DocImage:
    data: bytes
    caption: str = ""
    after_paragraph: int = -1  # index in paragraphs after which the picture goes; -1 = end


@dataclass
class DocSpec:
    title: str
    paragraphs: Sequence[str]
    letterhead: Sequence[str] = ()  # e.g. ("UBND TỈNH LÀO CAI", "SỞ Y TẾ")
    images: Sequence[DocImage] = ()
    title_style: str = "Title"  # "Title", "Heading 1", "bold", "upper" (plain upper-case line)
    signature: Sequence[str] = ()
    table: Sequence[Sequence[str]] = ()
    fonts: dict[str, str] = field(default_factory=dict)  # run text -> font name (legacy fonts)


def make_docx(spec: DocSpec) -> bytes:
    """A real .docx written by python-docx."""
    import docx
    from docx.shared import Cm

    d = docx.Document()
    for line in spec.letterhead:
        p = d.add_paragraph()
        r = p.add_run(line)
        r.bold = True
    if spec.title_style in ("Title", "Heading 1"):
        d.add_paragraph(spec.title, style=spec.title_style)
    elif spec.title_style == "bold":
        p = d.add_paragraph()
        p.add_run(spec.title).bold = True
    else:
        d.add_paragraph(spec.title.upper())
    by_pos: dict[int, list[DocImage]] = {}
    for im in spec.images:
        by_pos.setdefault(im.after_paragraph, []).append(im)

    def add_images(items: Iterable[DocImage]) -> None:
        for im in items:
            d.add_picture(io.BytesIO(im.data), width=Cm(8))
            if im.caption:
                cap = d.add_paragraph()
                cap.add_run(im.caption).italic = True

    for i, text in enumerate(spec.paragraphs):
        p = d.add_paragraph()
        run = p.add_run(text)
        font = spec.fonts.get(text)
        if font:
            run.font.name = font
        add_images(by_pos.get(i, []))
    if spec.table:
        t = d.add_table(rows=len(spec.table), cols=len(spec.table[0]))
        for r, row in enumerate(spec.table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    add_images(by_pos.get(-1, []))
    for line in spec.signature:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_pdf(title: str, paragraphs: Sequence[str], *, cover: Sequence[str] = ()) -> bytes:
    """A text PDF (embedded DejaVu, real Unicode text layer) written by reportlab; ``cover``
    paragraphs (a cover letter's "Kính gửi: ...") come before the title, in body type."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", str(DEJAVU)))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(DEJAVU_BOLD)))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title, invariant=1)
    body = ParagraphStyle("body", fontName="DejaVu", fontSize=11, leading=15)
    head = ParagraphStyle("head", fontName="DejaVu-Bold", fontSize=15, leading=20)
    story = [p for text in cover for p in (Paragraph(text, body), Spacer(1, 6))]
    story += [Paragraph(title, head), Spacer(1, 12)]
    for text in paragraphs:
        story += [Paragraph(text, body), Spacer(1, 6)]
    doc.build(story)
    return buf.getvalue()


@dataclass
class Attach:
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"
    disposition: str = "attachment"
    content_id: str = ""


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def make_email(
    *,
    from_: str = "Phòng Nội vụ huyện Bát Xát <ubnd-batxat@laocai.gov.vn>",
    to: str = "btdkt-snv@laocai.gov.vn",
    subject: str = "Gửi bài viết gương điển hình tiên tiến",
    text: str | None = "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\nĐơn vị gửi kèm bài viết.\n",
    html: str | None = None,
    attachments: Sequence[Attach] = (),
    message_id: str | None = None,
    date: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """An RFC 5322 message as bytes, built by the standard library."""
    msg = EmailMessage()
    msg["From"] = from_
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime(2018, 3, 22, 14, 5, tzinfo=ICT))
    if message_id != "":
        msg["Message-ID"] = message_id or make_msgid(domain="laocai.gov.vn")
    for k, v in (headers or {}).items():
        msg[k] = v
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for a in attachments:
        maintype, _, subtype = a.content_type.partition("/")
        msg.add_attachment(
            a.data,
            maintype=maintype,
            subtype=subtype,
            filename=a.filename,
            disposition=a.disposition,
            cid=f"<{a.content_id}>" if a.content_id else None,
        )
    return msg.as_bytes()


# --- realistic Vietnamese content ---------------------------------------------------------

PEOPLE = [
    "Vàng Seo Chứ",
    "Lý Thị Mai",
    "Giàng A Pháo",
    "Hoàng Văn Thắng",
    "Phàn Thị Lở",
    "Sùng Seo Dì",
    "Nguyễn Thị Hạnh",
    "Tẩn Láo Lở",
    "Lục Văn Hưng",
    "Đỗ Minh Tuấn",
]
PLACES = [
    "xã Y Tý",
    "xã Bản Vược",
    "thị trấn Phố Lu",
    "xã Tả Van",
    "xã Lùng Phình",
    "xã Bảo Hà",
    "xã Nậm Chày",
    "phường Cốc Lếu",
    "xã Xuân Quang",
    "xã Thanh Bình",
]
TOPICS = [
    ("trồng thảo quả dưới tán rừng", "thoát nghèo bền vững"),
    ("nuôi cá hồi nước lạnh", "làm giàu trên quê hương"),
    ("mở lớp học xóa mù chữ buổi tối", "giúp bà con biết đọc, biết viết"),
    ("làm homestay đón du khách", "phát triển du lịch cộng đồng"),
    ("tuần tra bảo vệ cột mốc biên giới", "giữ gìn an ninh trật tự"),
    ("vận động sinh con tại trạm y tế", "chăm sóc sức khỏe bà mẹ"),
]


VOCAB = (  # noqa: SIM905 - a word list reads best as text
    "bà con thôn bản cán bộ đoàn viên hội viên nông dân phụ nữ thanh niên cựu chiến binh "
    "giáo viên học sinh bác sĩ y tế trạm xá con đường bê tông nương ruộng bậc thang chè "
    "shan tuyết thảo quả quế hồi lúa ngô đậu tương chuối dứa cá hồi lợn đen gà đen trâu bò "
    "dê ong mật rừng phòng hộ đầu nguồn suối mó nước bể chứa điện lưới nhà văn hóa sân bóng "
    "lớp học bán trú điểm trường mùa đông sương muối mưa lũ sạt lở đất dốc thung lũng đỉnh "
    "núi biên giới cột mốc đồn biên phòng chợ phiên hợp tác xã tổ hợp tác sản phẩm OCOP "
    "nhãn hiệu tem truy xuất thương lái giá bán vụ mùa năng suất sản lượng thu nhập tiết "
    "kiệm vốn vay ngân hàng chính sách tập huấn kỹ thuật giống mới phân bón hữu cơ máy cày "
    "máy sấy lò sấy xưởng chế biến bao bì đơn hàng du khách homestay nhà trình tường khăn "
    "thổ cẩm váy áo lễ hội khèn mông múa xòe văn nghệ đọc sách thư viện tủ sách máy tính "
    "mạng internet điện thoại tuần tra an ninh trật tự hòa giải tranh chấp tự quản vệ sinh "
    "môi trường rác thải hố xí nước sạch tiêm chủng khám bệnh sinh con tại trạm dinh dưỡng "
    "trẻ em người già neo đơn gia đình văn hóa khu dân cư đoàn kết giúp đỡ ngày công hiến "
    "đất làm đường góp tiền "
).split()


def _sentence(rnd: random.Random, n: int) -> str:
    words = [rnd.choice(VOCAB) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def article_text(seed: int, n_paragraphs: int = 5) -> tuple[str, list[str]]:
    """A plausible exemplar article (title, paragraphs), different for each seed.

    Each paragraph is one sentence of the genre's usual shape plus a sentence of words
    drawn at random from a Vietnamese vocabulary, so two seeds share little text (as two
    real articles do) and duplicate detection is tested on realistic distances."""
    rnd = random.Random(seed)
    person, place = rnd.choice(PEOPLE), rnd.choice(PLACES)
    what, why = rnd.choice(TOPICS)
    title = f"{person} ở {place} {what} để {why}"
    paras = [
        f"Nhiều năm qua, {person} ở {place} được bà con biết đến là người đi đầu trong việc "
        f"{what}. Từ hai bàn tay trắng, gia đình đã từng bước vươn lên ({seed}).",
        f"Năm {2015 + seed % 5}, sau khi tham gia lớp tập huấn do xã tổ chức, {person} mạnh dạn "
        f"vay {rnd.randint(20, 90)} triệu đồng vốn ưu đãi để đầu tư. Đến nay mỗi năm thu nhập "
        f"đạt trên {rnd.randint(100, 400)} triệu đồng.",
        f"Không chỉ làm giàu cho bản thân, {person} còn hướng dẫn cho {rnd.randint(5, 40)} hộ "
        f"trong thôn cùng làm theo, góp phần {why} và xây dựng nông thôn mới.",
        f"Chủ tịch UBND {place} cho biết: mô hình của gia đình là tấm gương sáng để "
        f"các hộ khác học tập, nhân rộng trong phong trào thi đua yêu nước.",
        f"Với những đóng góp đó, {person} đã được tặng nhiều giấy khen và là điển hình tiên tiến "
        f"của địa phương (mã số {seed * 7919 % 100000}).",
    ]
    # The genre's set phrases open the first two paragraphs; the rest is the article's own.
    paras = [
        (f"{p} " if i < 2 else f"{person} {_sentence(rnd, 6).lower()} ")
        + f"{_sentence(rnd, rnd.randint(14, 22))} {_sentence(rnd, rnd.randint(10, 16))}"
        for i, p in enumerate(paras)
    ]
    while len(paras) < n_paragraphs:  # longer articles: more of the article's own text
        paras.append(
            f"{person} {_sentence(rnd, 8).lower()} {_sentence(rnd, rnd.randint(16, 24))} "
            f"{_sentence(rnd, rnd.randint(12, 20))} {_sentence(rnd, rnd.randint(10, 18))}"
        )
    return title, paras[:n_paragraphs]


def mixed_corpus(
    n: int, *, seed: int = 1, domain: str = "laocai.gov.vn", paragraphs: int = 5
) -> list[bytes]:
    """``n`` messages in the mix the benchmarks and load tests use: docx with photos,
    text PDF, HTML body, plain text body. ``paragraphs=10`` gives articles of about 700
    words, the usual length of a unit's exemplar article."""
    out: list[bytes] = []
    for i in range(n):
        title, paras = article_text(seed * 100003 + i, paragraphs)
        kind = i % 4
        date = datetime(2018, 1, 1, 8, 0, tzinfo=ICT) + timedelta(hours=7 * i)
        mid = f"<bench-{seed}-{i}@{domain}>"
        if kind == 0:
            doc = make_docx(
                DocSpec(
                    title=title,
                    paragraphs=paras,
                    letterhead=("UBND HUYỆN BÁT XÁT",),
                    images=[DocImage(make_jpeg(seed=i), "Ảnh: nhân vật tại vườn")],
                )
            )
            raw = make_email(
                subject=f"Gửi bài điển hình {i}",
                message_id=mid,
                date=date,
                attachments=[
                    Attach("bai-viet.docx", doc, DOCX_TYPE),
                    Attach("anh1.jpg", make_jpeg(seed=i + 1), "image/jpeg"),
                ],
            )
        elif kind == 1:
            raw = make_email(
                subject=f"Bài viết PDF {i}",
                message_id=mid,
                date=date,
                attachments=[Attach("bai-viet.pdf", make_pdf(title, paras), "application/pdf")],
            )
        elif kind == 2:
            html = "<html><body><h2>{}</h2>{}</body></html>".format(
                title, "".join(f"<p>{p}</p>" for p in paras)
            )
            raw = make_email(subject=title, message_id=mid, date=date, text=None, html=html)
        else:
            raw = make_email(
                subject=title,
                message_id=mid,
                date=date,
                text=title + "\n\n" + "\n\n".join(paras) + "\n",
            )
        out.append(raw)
    return out


# --- raw shapes the standard library will not build for us ---------------------------------


def make_image_pdf(seed: int = 0) -> bytes:
    """A 'scanned' PDF: one page holding only a JPEG, no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(io.BytesIO(make_jpeg(400, 560, seed=seed))), 40, 100, 500, 700)
    c.showPage()
    c.save()
    return buf.getvalue()


@dataclass
class RawPart:
    """One MIME leaf written exactly as given (headers are raw lines, body is encoded
    by ``encoding``: "base64", "quoted-printable" or "8bit")."""

    headers: Sequence[str]
    body: bytes
    encoding: str = "base64"


def _encode_body(part: RawPart) -> bytes:
    import base64
    import quopri

    if part.encoding == "base64":
        return base64.encodebytes(part.body)
    if part.encoding == "quoted-printable":
        return quopri.encodestring(part.body)
    return part.body


def make_raw_email(
    parts: Sequence[RawPart],
    *,
    subject: bytes = b"=?utf-8?b?R+G7rWkgYsOgaSB2aeG6v3Q=?=",
    from_: bytes = b"ubnd-batxat@laocai.gov.vn",
    message_id: bytes | None = b"<raw-1@laocai.gov.vn>",
    extra_headers: Sequence[bytes] = (),
    subtype: str = "mixed",
    boundary: bytes = b"==dienhinh-test-boundary==",
) -> bytes:
    """A message assembled byte by byte: for raw 8-bit headers, odd parameters,
    hostile file names and charsets the email package would refuse or re-encode.
    Nested messages need a ``boundary`` of their own."""
    head = [
        b"From: " + from_,
        b"To: btdkt-snv@laocai.gov.vn",
        b"Subject: " + subject,
        b"Date: Thu, 22 Mar 2018 14:05:00 +0700",
        b"MIME-Version: 1.0",
    ]
    if message_id is not None:
        head.append(b"Message-ID: " + message_id)
    head += list(extra_headers)
    if len(parts) == 1 and subtype == "single":
        p = parts[0]
        head += [h.encode("utf-8") for h in p.headers]
        head.append(b"Content-Transfer-Encoding: " + p.encoding.encode())
        return b"\r\n".join(head) + b"\r\n\r\n" + _encode_body(p)
    head.append(b"Content-Type: multipart/" + subtype.encode() + b'; boundary="' + boundary + b'"')
    out = [b"\r\n".join(head), b""]
    for p in parts:
        out.append(b"--" + boundary)
        out += [h.encode("utf-8") for h in p.headers]
        out.append(b"Content-Transfer-Encoding: " + p.encoding.encode())
        out.append(b"")
        out.append(_encode_body(p))
    out.append(b"--" + boundary + b"--")
    out.append(b"")
    return b"\r\n".join(out)


def make_nested_email(depth: int, leaf: bytes = b"xin chao") -> bytes:
    """multipart/mixed nested ``depth`` levels deep around one text leaf."""
    inner = b'Content-Type: text/plain; charset="utf-8"\r\n\r\n' + leaf + b"\r\n"
    for level in range(depth):
        b = f"b{level}".encode()
        inner = (
            b'Content-Type: multipart/mixed; boundary="'
            + b
            + b'"\r\n\r\n--'
            + b
            + b"\r\n"
            + inner
            + b"\r\n--"
            + b
            + b"--\r\n"
        )
    return (
        b"From: a@laocai.gov.vn\r\nSubject: nested\r\nMessage-ID: <nested@x>\r\n"
        b"MIME-Version: 1.0\r\n" + inner
    )


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode as windows-1258 does in practice: base letter (with its breve, circumflex or
    horn) + a separate combining tone byte, so decoding yields non-NFC text."""
    import unicodedata

    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


# --- legacy font encodings (TCVN3 / VNI) ------------------------------------------------------
# Encoders written from the code charts, independently of ingest/legacy_tables.py (the same
# construction as tests/unit/ingest/test_legacy.py), so fixtures check the decoder.

_TCVN3_LETTERS = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂÊÔƠƯĐ"
_TCVN3_CODES = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u00adõøö÷ùúýûüþ¡¢£¤¥¦§"
TO_TCVN3 = dict(zip(_TCVN3_LETTERS, _TCVN3_CODES, strict=True))
_VNI_TONE_MARKS = {"": 0, "\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
_VNI_TONE = ("", "ø", "ù", "û", "õ", "ï")
_VNI_CIRCUMFLEX = ("â", "à", "á", "å", "ã", "ä")
_VNI_BREVE = ("ê", "è", "é", "ú", "ü", "ë")
_VNI_SINGLE = {
    "đ": "ñ",
    "ơ": "ô",
    "ư": "ö",
    "ì": "ì",
    "í": "í",
    "ỉ": "æ",
    "ĩ": "ó",
    "ị": "ò",
    "ỵ": "î",
}


def to_tcvn3(text: str) -> str:
    """NFC text as a .VnTime run stores it. Toned capitals have no TCVN3 code: write
    headings in lower case and give them an H font (.VnTimeH), as offices did."""
    return "".join(TO_TCVN3.get(ch, ch) for ch in text)


def _vni_letter(letter: str) -> str:
    import unicodedata

    low = letter.lower()
    if low in _VNI_SINGLE:
        code = _VNI_SINGLE[low]
        return code.upper() if letter.isupper() else code
    parts = unicodedata.normalize("NFD", low)
    base, marks = parts[0], parts[1:]
    tone = next((_VNI_TONE_MARKS[m] for m in marks if m in _VNI_TONE_MARKS), 0)
    if "\u031b" in marks:
        code = _VNI_SINGLE[unicodedata.normalize("NFC", base + "\u031b")] + _VNI_TONE[tone]
    elif "\u0302" in marks:
        code = base + _VNI_CIRCUMFLEX[tone]
    elif "\u0306" in marks:
        code = base + _VNI_BREVE[tone]
    else:
        code = base + _VNI_TONE[tone]
    return code.upper() if letter.isupper() else code


def to_vni(text: str) -> str:
    """NFC text as a VNI-Times run stores it."""
    return "".join(ch if ch.isascii() or not ch.isalpha() else _vni_letter(ch) for ch in text)


# --- documents paragraph by paragraph ---------------------------------------------------------


@dataclass
class Para:
    """One paragraph of :func:`make_docx_paragraphs`: text in a style and font, or a picture."""

    text: str = ""
    style: str = ""  # "Title", "Heading 1", "Heading 2" ...; "" = Normal
    font: str = ""  # the run's font (w:rFonts ascii/hAnsi); "" = none (style/default)
    bold: bool = False
    italic: bool = False
    image: bytes = b""
    page_break: bool = False  # a page break before it (Word's Ctrl+Enter)
    break_before: bool = False  # the paragraph's own "page break before" property


def make_docx_paragraphs(paras: Sequence[Para], *, normal_font: str = "") -> bytes:
    """A .docx written by python-docx, paragraph by paragraph. ``normal_font`` sets the
    Normal style's font (runs without their own font inherit it)."""
    import docx
    from docx.shared import Cm

    d = docx.Document()
    if normal_font:
        d.styles["Normal"].font.name = normal_font
    for para in paras:
        if para.page_break:
            d.add_page_break()
        if para.image:
            d.add_picture(io.BytesIO(para.image), width=Cm(8))
            continue
        p = d.add_paragraph(style=para.style or None)
        if para.break_before:
            p.paragraph_format.page_break_before = True
        run = p.add_run(para.text)
        run.bold = para.bold or None
        run.italic = para.italic or None
        if para.font:
            run.font.name = para.font
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def long_paragraphs(seed: int, words: int = 200) -> list[str]:
    """Paragraphs of an article with at least ``words`` words (article_text repeated)."""
    _, paras = article_text(seed)
    out: list[str] = []
    while sum(len(p.split()) for p in out) < words:
        out.extend(paras)
    return out


# --- archives ---------------------------------------------------------------------------------


def make_zip(members: Sequence[tuple[str | bytes, bytes]], *, compress: bool = True) -> bytes:
    """A .zip of (name, data) members. A ``bytes`` name is written raw, without the UTF-8
    flag, as old Windows tools do (cp1258, or UTF-8 unflagged)."""
    import zipfile

    buf = io.BytesIO()
    raw_names: list[tuple[str, bytes]] = []
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as zf:
        for i, (name, data) in enumerate(members):
            if isinstance(name, bytes):
                placeholder = f"~{i}~".ljust(len(name), "~")
                raw_names.append((placeholder, name))
                name = placeholder
            zf.writestr(name, data)
    out = buf.getvalue()
    for placeholder, raw in raw_names:
        out = out.replace(placeholder.encode("ascii"), raw)
    return out


def mark_zip_encrypted(data: bytes, name: str) -> bytes:
    """Set the 'encrypted' flag of member ``name`` (zipfile cannot write encryption; the
    reader must refuse the member before trying to read it)."""
    import struct

    out = bytearray(data)
    encoded = name.encode("utf-8")
    for sig, flag_at, name_len_at, name_at in (
        (b"PK\x03\x04", 6, 26, 30),
        (b"PK\x01\x02", 8, 28, 46),
    ):
        pos = out.find(sig)
        while pos >= 0:
            n = struct.unpack_from("<H", out, pos + name_len_at)[0]
            if bytes(out[pos + name_at : pos + name_at + n]) == encoded:
                flags = struct.unpack_from("<H", out, pos + flag_at)[0]
                struct.pack_into("<H", out, pos + flag_at, flags | 0x1)
            pos = out.find(sig, pos + 4)
    return bytes(out)


def set_zip_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size a member declares (local header and central
    directory): a zip that lies about its size."""
    import struct

    out = bytearray(data)
    encoded = name.encode("utf-8")
    for sig, size_at, name_len_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        pos = out.find(sig)
        while pos >= 0:
            n = struct.unpack_from("<H", out, pos + name_len_at)[0]
            if bytes(out[pos + name_at : pos + name_at + n]) == encoded:
                struct.pack_into("<I", out, pos + size_at, size)
            pos = out.find(sig, pos + 4)
    return bytes(out)


# --- forwards ---------------------------------------------------------------------------------


def make_forward_email(
    inner: bytes,
    *,
    note: str = "Chuyển tiếp bài của đơn vị.",
    from_: bytes = b"Ngo Thu Hang <thuhang_ngo@yahoo.com.vn>",
    subject: bytes = b"Fwd: =?utf-8?b?QsOgaSB2aeG6v3Q=?=",
    filename: str = "thu goc.eml",
) -> bytes:
    """A message forwarding ``inner`` as an attached message/rfc822, with a short note."""
    return make_raw_email(
        [
            RawPart(['Content-Type: text/plain; charset="utf-8"'], note.encode("utf-8"), "8bit"),
            RawPart(
                [
                    "Content-Type: message/rfc822",
                    f'Content-Disposition: attachment; filename="{filename}"',
                ],
                inner,
                "8bit",
            ),
        ],
        from_=from_,
        subject=subject,
        boundary=b"==fwd-" + hashlib.sha256(inner).hexdigest()[:16].encode() + b"==",
    )


def page_image(
    title: str, paragraphs: Sequence[str], *, width: int = 1240, font_px: int = 30
) -> Any:
    """A printed page as a Pillow image: bold title, then paragraphs, black on white."""
    import textwrap

    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (width, int(width * 1.414)), 255)
    draw = ImageDraw.Draw(img)
    body = ImageFont.truetype(str(DEJAVU), font_px)
    head = ImageFont.truetype(str(DEJAVU_BOLD), int(font_px * 1.4))
    margin = width // 10
    chars = int((width - 2 * margin) / (font_px * 0.55))
    y = margin
    for line in textwrap.wrap(title, int(chars / 1.4)):
        draw.text((margin, y), line, font=head, fill=0)
        y += int(font_px * 1.9)
    y += font_px
    for para in paragraphs:
        for line in textwrap.wrap(para, chars):
            draw.text((margin, y), line, font=body, fill=0)
            y += int(font_px * 1.45)
        y += font_px // 2
    return img


def make_page_photo(
    title: str, paragraphs: Sequence[str], *, width: int = 1240, font_px: int = 30
) -> bytes:
    """A JPEG 'photo' of a printed page: what a unit sends when it photographs a typed
    article instead of attaching the file."""
    buf = io.BytesIO()
    page_image(title, paragraphs, width=width, font_px=font_px).convert("RGB").save(
        buf, "JPEG", quality=85
    )
    return buf.getvalue()


# --- OpenDocument and Strict OOXML ------------------------------------------------------

ODT_TYPE = "application/vnd.oasis.opendocument.text"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def make_odt(title: str, paragraphs: list[str]) -> bytes:
    """A minimal OpenDocument text as LibreOffice and odfpy lay it out: the ``mimetype``
    member first and stored, then content.xml and the manifest."""
    from xml.sax.saxutils import escape

    body = f'<text:h text:outline-level="1">{escape(title)}</text:h>' + "".join(
        f"<text:p>{escape(p)}</text:p>" for p in paragraphs
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        f'xmlns:office="{_OFFICE}" xmlns:text="{_TEXT}" office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT_TYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), ODT_TYPE, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def strict_ooxml(data: bytes) -> bytes:
    """The same document with Strict OOXML namespaces (Word's "Strict Open XML")."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in src.infolist():
            body = src.read(item)
            if item.filename.endswith(".xml") or item.filename.endswith(".rels"):
                body = body.replace(
                    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                    b"http://purl.oclc.org/ooxml/wordprocessingml/main",
                ).replace(
                    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                    b"http://purl.oclc.org/ooxml/officeDocument/relationships",
                )
            zf.writestr(item, body)
    return buf.getvalue()
