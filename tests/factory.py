"""Builders for test fixtures: Vietnamese emails with .docx, .pdf, photos, HTML bodies.

Tests, the demo mailbox generator and the benchmarks all build their inputs here, in
code, so nothing depends on ../shared. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ICT = timezone(timedelta(hours=7))

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def make_jpeg(width: int = 64, height: int = 48, seed: int = 0, quality: int = 80) -> bytes:
    """A small JPEG whose pixels depend on ``seed`` (distinct hashes per seed)."""
    from PIL import Image

    rnd = random.Random(seed)
    img = Image.new("RGB", (width, height), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    px = img.load()
    for _ in range(width * height // 8):
        px[rnd.randrange(width), rnd.randrange(height)] = (
            rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def make_png(width: int = 32, height: int = 32, seed: int = 0) -> bytes:
    from PIL import Image

    rnd = random.Random(seed)
    img = Image.new("RGB", (width, height), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
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


def make_pdf(title: str, paragraphs: Sequence[str]) -> bytes:
    """A text PDF (embedded DejaVu, real Unicode text layer) written by reportlab."""
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
    story = [Paragraph(title, head), Spacer(1, 12)]
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
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename,
                           disposition=a.disposition, cid=f"<{a.content_id}>" if a.content_id else None)
    return msg.as_bytes()


# --- realistic Vietnamese content ---------------------------------------------------------

PEOPLE = ["Vàng Seo Chứ", "Lý Thị Mai", "Giàng A Pháo", "Hoàng Văn Thắng", "Phàn Thị Lở",
          "Sùng Seo Dì", "Nguyễn Thị Hạnh", "Tẩn Láo Lở", "Lục Văn Hưng", "Đỗ Minh Tuấn"]
PLACES = ["xã Y Tý", "xã Bản Vược", "thị trấn Phố Lu", "xã Tả Van", "xã Lùng Phình",
          "xã Bảo Hà", "xã Nậm Chày", "phường Cốc Lếu", "xã Xuân Quang", "xã Thanh Bình"]
TOPICS = [
    ("trồng thảo quả dưới tán rừng", "thoát nghèo bền vững"),
    ("nuôi cá hồi nước lạnh", "làm giàu trên quê hương"),
    ("mở lớp học xóa mù chữ buổi tối", "giúp bà con biết đọc, biết viết"),
    ("làm homestay đón du khách", "phát triển du lịch cộng đồng"),
    ("tuần tra bảo vệ cột mốc biên giới", "giữ gìn an ninh trật tự"),
    ("vận động sinh con tại trạm y tế", "chăm sóc sức khỏe bà mẹ"),
]


def article_text(seed: int, n_paragraphs: int = 5) -> tuple[str, list[str]]:
    """A plausible exemplar article (title, paragraphs), different for each seed."""
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
    return title, paras[:n_paragraphs] if n_paragraphs <= len(paras) else paras


def mixed_corpus(n: int, *, seed: int = 1, domain: str = "laocai.gov.vn") -> list[bytes]:
    """``n`` messages in the mix the benchmarks and load tests use: docx with photos,
    text PDF, HTML body, plain text body."""
    out: list[bytes] = []
    for i in range(n):
        title, paras = article_text(seed * 100003 + i)
        kind = i % 4
        date = datetime(2018, 1, 1, 8, 0, tzinfo=ICT) + timedelta(hours=7 * i)
        mid = f"<bench-{seed}-{i}@{domain}>"
        if kind == 0:
            doc = make_docx(DocSpec(title=title, paragraphs=paras, letterhead=("UBND HUYỆN BÁT XÁT",),
                                    images=[DocImage(make_jpeg(seed=i), "Ảnh: nhân vật tại vườn")]))
            raw = make_email(subject=f"Gửi bài điển hình {i}", message_id=mid, date=date,
                             attachments=[Attach("bai-viet.docx", doc, DOCX_TYPE),
                                          Attach("anh1.jpg", make_jpeg(seed=i + 1), "image/jpeg")])
        elif kind == 1:
            raw = make_email(subject=f"Bài viết PDF {i}", message_id=mid, date=date,
                             attachments=[Attach("bai-viet.pdf", make_pdf(title, paras), "application/pdf")])
        elif kind == 2:
            html = "<html><body><h2>{}</h2>{}</body></html>".format(
                title, "".join(f"<p>{p}</p>" for p in paras))
            raw = make_email(subject=title, message_id=mid, date=date, text=None, html=html)
        else:
            raw = make_email(subject=title, message_id=mid, date=date,
                             text=title + "\n\n" + "\n\n".join(paras) + "\n")
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
) -> bytes:
    """A message assembled byte by byte: for raw 8-bit headers, odd parameters,
    hostile file names and charsets the email package would refuse or re-encode."""
    boundary = b"==dienhinh-test-boundary=="
    head = [b"From: " + from_, b"To: btdkt-snv@laocai.gov.vn", b"Subject: " + subject,
            b"Date: Thu, 22 Mar 2018 14:05:00 +0700", b"MIME-Version: 1.0"]
    if message_id is not None:
        head.append(b"Message-ID: " + message_id)
    head += list(extra_headers)
    if len(parts) == 1 and subtype == "single":
        p = parts[0]
        head += [h.encode("utf-8") for h in p.headers]
        head.append(b"Content-Transfer-Encoding: " + p.encoding.encode())
        return b"\r\n".join(head) + b"\r\n\r\n" + _encode_body(p)
    head.append(b'Content-Type: multipart/' + subtype.encode() + b'; boundary="' + boundary + b'"')
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
        inner = (b'Content-Type: multipart/mixed; boundary="' + b + b'"\r\n\r\n--' + b + b"\r\n"
                 + inner + b"\r\n--" + b + b"--\r\n")
    return (b"From: a@laocai.gov.vn\r\nSubject: nested\r\nMessage-ID: <nested@x>\r\n"
            b"MIME-Version: 1.0\r\n" + inner)


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
