#!/usr/bin/env python3
"""Write the shipped demo mailbox: a Maildir at ``demo/maildir/`` with 12 messages.

    python demo/make_demo.py            # (re)writes demo/maildir/ and demo/labels.json

The messages are what ``dienhinh poll`` ingests on the embedded default. Everything is
deterministic: fixed Message-IDs, dates, MIME boundaries, Maildir file names, image seeds,
document metadata and zip timestamps, so running the script twice gives byte-identical files
(``--check`` verifies that against what is on disk).

All prose is original; people are fictional, places are real districts and communes of
Lào Cai. Unit and campaign codes follow shared/reference/units.toml and campaigns.toml.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import io
import json
import random
import shutil
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.header import Header
from email.utils import format_datetime, parseaddr
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import factory  # noqa: E402  (tests/factory.py: make_pdf, DOCX_TYPE, ICT)

ICT = factory.ICT
UTC = timezone.utc
DOCX_TYPE = factory.DOCX_TYPE
BOARD = "Ban Thi đua - Khen thưởng tỉnh Lào Cai <btdkt-snv@laocai.gov.vn>"
REMINDER_ID = "<5B95E1A4.3040801@laocai.gov.vn>"  # the Board's Sept. 2018 reminder (not in the box)
ZIP_TIME = (2018, 1, 1, 0, 0, 0)


# --- photos --------------------------------------------------------------------------------

def make_photo(seed: int, scene: str = "hills", width: int = 320, height: int = 240) -> bytes:
    """A small deterministic 'photo': sky, sun, layered hills/terraces, a stilt house."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    top = (rnd.randrange(90, 150), rnd.randrange(150, 200), rnd.randrange(210, 250))
    for y in range(height):  # sky gradient
        k = y / height
        draw.line([(0, y), (width, y)],
                  fill=(int(top[0] + 80 * k), int(top[1] + 50 * k), int(top[2] + 5 * k)))
    sx, sy, sr = rnd.randrange(30, width - 30), rnd.randrange(20, 70), rnd.randrange(12, 24)
    draw.ellipse([sx - sr, sy - sr, sx + sr, sy + sr], fill=(250, 230, 150))
    for layer in range(4):  # hills, far (pale) to near (dark green)
        base = 110 + layer * 35
        pts = [(0, height)]
        for x in range(0, width + 40, 40):
            pts.append((x, base - rnd.randrange(10, 60 - layer * 8)))
        pts.append((width, height))
        g = 150 - layer * 25
        draw.polygon(pts, fill=(40 + rnd.randrange(30), g + rnd.randrange(30), 60 + rnd.randrange(30)))
    if scene == "terraces":
        for i in range(12):
            y = 150 + i * 8
            draw.arc([-60, y - 30, width + 60, y + 30], 0, 180, fill=(90, 170, 70), width=2)
    if scene in ("house", "people"):
        hx, hy = rnd.randrange(40, width - 120), rnd.randrange(150, 175)
        draw.rectangle([hx, hy, hx + 80, hy + 40], fill=(120, 80, 50))
        draw.polygon([(hx - 12, hy), (hx + 40, hy - 30), (hx + 92, hy)], fill=(80, 60, 60))
        for px in (hx + 8, hx + 36, hx + 64):
            draw.line([(px, hy + 40), (px, hy + 58)], fill=(70, 50, 30), width=3)
    if scene == "people":
        for i in range(rnd.randrange(3, 6)):
            x = 30 + i * 55 + rnd.randrange(15)
            col = (rnd.randrange(120, 220), rnd.randrange(20, 80), rnd.randrange(40, 120))
            draw.ellipse([x, 170, x + 14, 184], fill=(230, 190, 150))
            draw.rectangle([x - 3, 184, x + 17, 225], fill=col)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


# --- documents -----------------------------------------------------------------------------

@dataclass
class Article:
    title: str
    paragraphs: list[str]
    key_phrase: str
    campaigns: list[str]
    subject: str  # ca-nhan | tap-the | ho-gia-dinh
    kind: str  # dien-hinh-tien-tien | mo-hinh-moi | nhan-to-moi
    byline: str = ""

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)

    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Picture:
    data: bytes
    caption: str = ""
    after: int = 1  # paragraph index after which it goes


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps/attributes so the bytes are reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def make_docx(article: Article, *, letterhead: tuple[str, ...] = (), pictures: tuple[Picture, ...] = (),
              author: str = "", created: datetime, title_style: str = "bold") -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    for line in letterhead:
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(line).bold = True
    if letterhead:
        d.add_paragraph()
    if title_style == "Title":
        d.add_paragraph(article.title, style="Title")
    else:
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(article.title)
        r.bold = True
        r.font.size = Pt(15)
    for i, text in enumerate(article.paragraphs):
        p = d.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1)
        for pic in pictures:
            if pic.after == i:
                d.add_picture(io.BytesIO(pic.data), width=Cm(10))
                d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                if pic.caption:
                    c = d.add_paragraph()
                    c.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    c.add_run(pic.caption).italic = True
    if article.byline:
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run(article.byline).bold = True
    cp = d.core_properties
    cp.author = author
    cp.last_modified_by = author
    cp.title = ""
    cp.comments = ""
    cp.revision = 3
    cp.created = created.astimezone(UTC).replace(tzinfo=None)
    cp.modified = (created + timedelta(minutes=47)).astimezone(UTC).replace(tzinfo=None)
    buf = io.BytesIO()
    d.save(buf)
    return normalize_zip(buf.getvalue())


def make_pdf(article: Article) -> bytes:
    paras = [html.escape(p, quote=False) for p in article.paragraphs]
    if article.byline:
        paras.append(html.escape(article.byline, quote=False))
    return factory.make_pdf(html.escape(article.title, quote=False), paras)


# --- e-mail --------------------------------------------------------------------------------

@dataclass
class Part:
    filename: str
    data: bytes
    ctype: str


def enc(s: str) -> str:
    return s if s.isascii() else Header(s, "utf-8", header_name="Subject").encode(maxlinelen=76)


def enc_addr(s: str) -> str:
    """One encoded-word for the display name (split words decode as 'L ào Cai' in some
    address parsers, including the stdlib's), folded before the address when long."""
    name, addr = parseaddr(s)
    if not name:
        return addr
    word = name if name.isascii() else Header(name, "utf-8").encode(maxlinelen=998)
    return f"{word}\n <{addr}>" if len(word) + len(addr) > 66 else f"{word} <{addr}>"


@dataclass
class Mail:
    n: int
    from_: str
    subject: str
    date: datetime
    message_id: str
    text: str
    html: str | None = None
    inline: tuple[Part, str] | None = None  # (image, content-id) for multipart/related
    attachments: list[Part] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    mailer: str = "Zimbra 8.6.0_GA_1153"
    to: str = BOARD

    def build(self) -> bytes:
        msg = EmailMessage()
        msg["Date"] = format_datetime(self.date)
        msg["Message-ID"] = self.message_id
        for k, v in self.headers.items():
            msg[k] = v
        if self.mailer:
            msg["X-Mailer"] = self.mailer
        msg.set_content(self.text)
        if self.html is not None:
            msg.add_alternative(self.html, subtype="html")
            if self.inline:
                part, cid = self.inline
                html_part = msg.get_payload()[1]
                html_part.add_related(part.data, "image", "jpeg", cid=f"<{cid}>",
                                      filename=part.filename, disposition="inline")
        for a in self.attachments:
            maintype, _, subtype = a.ctype.partition("/")
            msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
        for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
            part.set_boundary(f"----=_Part_{self.n:02d}_{i + 1:02d}_dienhinh_demo")
        # From/To/Subject are encoded here (compat32 Header: every encoded-word carries its own
        # spaces) because the default policy's refolding can drop the space between two
        # encoded-words ("mô hình mới" -> "mô hìnhmới").
        head = f"From: {enc_addr(self.from_)}\nTo: {enc_addr(self.to)}\nSubject: {enc(self.subject)}\n"
        return head.encode("ascii") + msg.as_bytes()

    @property
    def key(self) -> str:
        return f"{int(self.date.timestamp())}.M{self.n}P1.demo"


# --- the articles (original prose) ---------------------------------------------------------

QUYET = Article(
    title="Gia đình anh Hoàng Văn Quyết thoát nghèo nhờ đồi chè và đàn lợn bản",
    campaigns=["nong-thon-moi"], subject="ho-gia-dinh", kind="dien-hinh-tien-tien",
    key_phrase="dồn toàn bộ số vốn cải tạo 1,2 ha đồi tạp phía sau nhà",
    byline="Hoàng Thị Vân",
    paragraphs=[
        "Thôn Khuổi Phường, xã Điện Quan, huyện Bảo Yên nằm giữa những quả đồi thấp phủ kín chè. "
        "Bảy năm trước, gia đình anh Hoàng Văn Quyết, người dân tộc Tày, vẫn có tên trong danh sách "
        "hộ nghèo của thôn. Hai vợ chồng cùng ba đứa con nhỏ sống trong căn nhà gỗ dột nát, cả năm "
        "trông vào hơn một mẫu ruộng một vụ và những buổi đi làm thuê.",
        "Năm 2011, anh Quyết được Ngân hàng Chính sách xã hội huyện cho vay 30 triệu đồng theo chương "
        "trình hỗ trợ hộ nghèo. Thay vì sửa nhà hay mua sắm, anh bàn với vợ dồn toàn bộ số vốn cải tạo "
        "1,2 ha đồi tạp phía sau nhà để trồng chè giống mới, đồng thời làm chuồng nuôi lợn bản. "
        "\"Lúc đầu nhiều người trong thôn bảo tôi liều, vì đồi ấy đất bạc màu, trồng sắn còn không "
        "lên\", anh nhớ lại.",
        "Không nản lòng, anh theo học các lớp tập huấn của Trạm Khuyến nông huyện, học cách ủ phân "
        "hữu cơ từ chính chuồng lợn, đào rãnh giữ ẩm và đốn tỉa đúng vụ. Sau ba năm, đồi chè bắt đầu "
        "cho thu hoạch ổn định. Đàn lợn bản từ 5 con nái ban đầu đã phát triển lên gần 40 con, mỗi "
        "lứa đều có thương lái ở thị trấn Phố Ràng vào tận nhà thu mua.",
        "Năm 2017, tổng thu nhập của gia đình đạt khoảng 180 triệu đồng, trừ chi phí còn lãi hơn 90 "
        "triệu đồng. Gia đình đã trả hết nợ ngân hàng, dựng được ngôi nhà sàn mới lợp ngói, mua máy "
        "sao chè mini và chiếc xe máy để chở hàng. Từ cuối năm 2015, anh Quyết tự làm đơn xin ra khỏi "
        "danh sách hộ nghèo, trở thành hộ đầu tiên trong thôn tự nguyện thoát nghèo.",
        "Điều khiến bà con Khuổi Phường quý mến anh Quyết không chỉ là chuyện làm ăn. Anh sẵn sàng "
        "chia sẻ giống chè, lợn giống cho các hộ khó khăn theo hình thức trả chậm, không tính lãi. "
        "Nhờ vậy đã có 11 hộ trong thôn học làm theo, trong đó 6 hộ đã thoát nghèo. Khi xã làm đường "
        "bê tông liên thôn, gia đình anh tự nguyện hiến gần 200 mét vuông đất vườn và góp hơn 20 "
        "ngày công.",
        "Ông Lương Văn Thành, Chủ tịch UBND xã Điện Quan cho biết: \"Anh Quyết là tấm gương tiêu "
        "biểu cho tinh thần tự lực vươn lên của người dân trong phong trào xây dựng nông thôn mới và "
        "giảm nghèo bền vững. Xã đang lấy mô hình chè kết hợp chăn nuôi của gia đình anh để nhân "
        "rộng ra các thôn khác\".",
        "Năm 2017, gia đình anh Hoàng Văn Quyết được UBND huyện Bảo Yên tặng Giấy khen vì có thành "
        "tích xuất sắc trong phát triển kinh tế hộ gia đình. Với anh, phần thưởng lớn nhất là thấy "
        "ba đứa con được đến trường đầy đủ và thôn bản mỗi ngày một đổi thay.",
    ],
)

DO = Article(
    title="Cô giáo Thào Thị Dợ - mười năm bám điểm trường vùng cao Nàn Sán",
    campaigns=["giao-duc"], subject="ca-nhan", kind="dien-hinh-tien-tien",
    key_phrase="tự làm bộ thẻ chữ song ngữ Mông - Việt, dạy các em",
    byline="Phòng Nội vụ huyện Si Ma Cai",
    paragraphs=[
        "Điểm trường thôn Sín Chải, xã Nàn Sán, huyện Si Ma Cai nằm cách trung tâm xã gần 7 km "
        "đường đất. Mùa mưa, con dốc dẫn lên điểm trường trơn trượt; mùa đông, sương mù phủ kín từ "
        "sáng đến trưa. Đã mười năm nay, cô giáo Thào Thị Dợ, người dân tộc Mông, gắn bó với lớp học "
        "ghép hai trình độ nơi đây.",
        "Sinh ra ở xã Sán Chải bên cạnh, tốt nghiệp Trường Cao đẳng Sư phạm Lào Cai năm 2008, cô Dợ "
        "xung phong về dạy ở điểm trường xa nhất của Trường Tiểu học Nàn Sán. Những ngày đầu, lớp chỉ "
        "có 14 học sinh, nhiều em chưa nói sõi tiếng phổ thông, cứ đến mùa thu hoạch ngô lại nghỉ học "
        "theo bố mẹ lên nương.",
        "Hiểu tâm lý phụ huynh, cô Dợ đến từng nhà vận động, dùng tiếng Mông giải thích cho bà con vì "
        "sao con trẻ cần đến lớp đều. Ở lớp, cô tự làm bộ thẻ chữ song ngữ Mông - Việt, dạy các em qua "
        "bài hát, câu đố quen thuộc của bản làng. Buổi trưa, cô cùng phụ huynh nấu cơm cho học sinh "
        "bằng gạo hỗ trợ của Nhà nước và rau do chính các em trồng ở vườn trường.",
        "Nhờ sự kiên trì đó, nhiều năm liền điểm trường Sín Chải duy trì tỷ lệ chuyên cần trên 98%, "
        "không có học sinh bỏ học giữa chừng. Năm học 2016 - 2017, tất cả học sinh lớp 5 của điểm "
        "trường hoàn thành chương trình tiểu học, trong đó 3 em đạt giải trong cuộc giao lưu tiếng "
        "Việt dành cho học sinh dân tộc thiểu số cấp huyện.",
        "Không chỉ dạy chữ, cô Dợ còn là cầu nối giữa nhà trường với bà con. Cô vận động phụ huynh "
        "góp công, góp gỗ dựng thêm phòng ở cho giáo viên, làm bể chứa nước sạch và nhà vệ sinh cho "
        "điểm trường. Mỗi dịp cuối tuần, cô lại mở lớp xóa mù chữ cho phụ nữ trong thôn, đến nay đã "
        "giúp 23 chị em biết đọc, biết viết.",
        "Bà Giàng Thị Mỷ, Hiệu trưởng Trường Tiểu học Nàn Sán nhận xét: \"Cô Dợ là giáo viên dạy giỏi "
        "cấp huyện ba năm liền, luôn nhận những lớp khó nhất mà không một lời kêu ca. Tấm gương của "
        "cô đã góp phần lan tỏa phong trào thi đua dạy tốt, học tốt trong toàn trường\".",
        "Với những đóng góp thầm lặng ấy, năm 2017 cô giáo Thào Thị Dợ được Chủ tịch UBND tỉnh tặng "
        "Bằng khen. Hỏi về dự định, cô cười hiền: \"Chỉ mong đường lên điểm trường sớm được đổ bê "
        "tông để các em đi học không còn lấm bùn\".",
    ],
)

CHU = Article(
    title="Y sĩ Sùng A Chứ - người giữ sức khỏe cho bà con vùng cao Nậm Xé",
    campaigns=["suc-khoe"], subject="ca-nhan", kind="dien-hinh-tien-tien",
    key_phrase="vườn thuốc nam rộng hơn 300 mét vuông với 45 loại cây thuốc",
    byline="Nguyễn Thu Trang",
    paragraphs=[
        "Trạm Y tế xã Nậm Xé, huyện Văn Bàn là một trong những trạm xa nhất của tỉnh; từ trung tâm "
        "huyện vào đến xã phải đi hơn 40 km, có những đoạn chỉ đi được bằng xe máy. Ở nơi ấy, y sĩ "
        "Sùng A Chứ đã tròn mười hai năm làm Trưởng trạm, được bà con người Mông gọi thân mật là "
        "\"thầy thuốc của bản\".",
        "Trước đây, phần lớn phụ nữ Nậm Xé sinh con tại nhà, nhiều ca tai biến không kịp chuyển viện. "
        "Anh Chứ cùng các nhân viên trạm chia nhau bám thôn, tổ chức khám thai định kỳ, vận động chị "
        "em đến trạm sinh đẻ. Anh tranh thủ các buổi họp thôn để giải thích bằng tiếng Mông về nguy "
        "hiểm của việc đẻ rơi, về lợi ích của tiêm chủng cho trẻ nhỏ.",
        "Kết quả sau nhiều năm kiên trì rất rõ rệt: năm 2017, tỷ lệ phụ nữ sinh con tại cơ sở y tế "
        "của xã đạt trên 85%, tăng gấp ba lần so với năm 2010; tỷ lệ trẻ dưới một tuổi được tiêm "
        "chủng đầy đủ đạt 97%. Nhiều năm liền xã không có trường hợp tử vong mẹ.",
        "Cơ sở vật chất của trạm còn thiếu thốn, anh Chứ chủ động đề xuất xã bố trí vườn thuốc nam "
        "rộng hơn 300 mét vuông với 45 loại cây thuốc, hướng dẫn người dân dùng để chữa các bệnh "
        "thông thường. Đêm hôm, mưa lũ, chỉ cần có người gọi, anh lại khoác túi thuốc, cầm đèn pin "
        "lội suối đi cấp cứu. Có lần anh cõng một cụ già sốt cao đi bộ gần 3 km ra đường lớn để kịp "
        "chuyển lên bệnh viện huyện.",
        "Trong đợt dịch sởi đầu năm 2014, anh Chứ cùng đồng nghiệp túc trực suốt hai tuần tại các "
        "thôn có ca bệnh, cách ly, điều trị và tiêm vắc xin cho hơn 600 trẻ. Nhờ vậy, dịch được "
        "khống chế, không lây lan sang các xã lân cận.",
        "Ông Phạm Đức Long, Giám đốc Trung tâm Y tế huyện Văn Bàn chia sẻ: \"Anh Chứ là cán bộ y tế "
        "cơ sở tận tụy, luôn thực hiện tốt lời dạy của Bác Hồ: lương y phải như từ mẫu. Trạm Y tế xã "
        "Nậm Xé nhiều năm liền giữ vững chuẩn quốc gia về y tế xã\".",
        "Năm 2017, y sĩ Sùng A Chứ được tôn vinh trong chương trình \"Gương sáng Y đức\" của ngành Y "
        "tế Lào Cai. Anh bảo, điều anh mong nhất là có thêm bác sĩ về công tác lâu dài ở xã, để bà "
        "con vùng cao không phải vượt núi xuống huyện mỗi khi ốm đau.",
    ],
)

PAO = Article(
    title="Thanh niên Nùng Lù Văn Páo khởi nghiệp từ giống gà đen bản địa",
    campaigns=["thanh-nien"], subject="ca-nhan", kind="nhan-to-moi",
    key_phrase="phối trộn thức ăn từ ngô, đậu tương và thảo dược sẵn có",
    byline="Đặng Thu Hà",
    paragraphs=[
        "Tốt nghiệp trung cấp chăn nuôi thú y năm 2013, Lù Văn Páo, sinh năm 1992, ở thôn Sả Hồ, xã "
        "Tung Chung Phố, huyện Mường Khương không ở lại thành phố tìm việc mà trở về quê. Anh nhận ra "
        "giống gà đen bản địa mà bà con vẫn thả quanh nhà có thịt chắc, thơm, được khách dưới xuôi ưa "
        "chuộng, nhưng chưa ai nuôi theo hướng hàng hóa.",
        "Năm 2015, Páo vay 50 triệu đồng từ Quỹ hỗ trợ thanh niên lập nghiệp, cộng với tiền tích cóp "
        "của gia đình, dựng trang trại rộng gần 5.000 mét vuông trên sườn đồi. Những lứa gà đầu tiên "
        "chết gần một nửa vì rét đậm và dịch bệnh. \"Có lúc tôi đã định bỏ, nhưng nghĩ đến khoản vay "
        "và lời hứa với bố mẹ, tôi lại tìm cách làm lại\", Páo kể.",
        "Anh lên mạng tìm tài liệu, xuống tận các trang trại ở Phú Thọ, Hòa Bình để học cách làm "
        "chuồng ủ ấm, phối trộn thức ăn từ ngô, đậu tương và thảo dược sẵn có. Anh chọn lọc những con "
        "gà bố mẹ thuần chủng nhất để tự ấp nở, chủ động con giống. Đến nay trang trại luôn duy trì "
        "1.500 - 2.000 con, mỗi năm xuất bán khoảng 6 tấn gà thương phẩm, lãi trên 200 triệu đồng.",
        "Điều đáng quý là Páo không làm giàu một mình. Anh liên kết với 17 hộ thanh niên trong xã "
        "thành lập Tổ hợp tác chăn nuôi gà đen Tung Chung Phố, cung cấp con giống, hướng dẫn kỹ thuật "
        "và bao tiêu sản phẩm. Nhờ có đầu ra ổn định, nhiều đoàn viên trước đây phải đi làm thuê xa "
        "nhà nay đã yên tâm lập nghiệp ngay trên quê hương.",
        "Năm 2017, gà đen của tổ hợp tác được giới thiệu tại hội chợ nông sản của tỉnh và bán qua "
        "mạng xã hội tới khách hàng ở Hà Nội, Hải Phòng. Páo đang cùng các thành viên hoàn thiện hồ "
        "sơ đăng ký nhãn hiệu tập thể để nâng giá trị sản phẩm.",
        "Anh Vàng Văn Sơn, Bí thư Huyện đoàn Mường Khương đánh giá: \"Páo là nhân tố mới trong phong "
        "trào thanh niên khởi nghiệp của huyện, biết vận dụng kiến thức được học để phát triển kinh "
        "tế, đồng thời kéo theo nhiều bạn trẻ cùng làm\". Năm 2017, Páo được Tỉnh đoàn tặng Bằng khen "
        "vì thành tích xuất sắc trong phong trào thanh niên tình nguyện, lập thân, lập nghiệp.",
        "Khi được hỏi bí quyết, chàng trai Nùng chỉ cười: \"Cứ dám nghĩ, dám làm và không sợ thất bại. "
        "Quê mình còn nhiều thứ quý, chỉ chờ thanh niên bắt tay vào làm\".",
    ],
)

CHAI = Article(
    title="Tổ hợp tác thêu thổ cẩm của chị em Dao đỏ ở Tả Phìn",
    campaigns=["du-lich", "nong-thon-moi"], subject="tap-the", kind="mo-hinh-moi",
    key_phrase="dành một phần lợi nhuận lập quỹ xoay vòng cho chị em",
    byline="Ban Tuyên giáo Hội LHPN tỉnh",
    paragraphs=[
        "Những ngày đầu tháng năm, khi ruộng bậc thang Sa Pa vào mùa nước đổ, căn nhà của Tổ hợp tác "
        "thêu thổ cẩm thôn Sả Séng, xã Tả Phìn, huyện Sa Pa lúc nào cũng rộn tiếng cười nói. Hơn hai "
        "chục phụ nữ Dao đỏ ngồi quây quần, đôi tay thoăn thoắt đưa kim, hoàn thiện những chiếc túi, "
        "khăn, áo để kịp giao cho các cửa hàng ở thị trấn.",
        "Tổ hợp tác được thành lập năm 2015 với sự hỗ trợ của Hội Liên hiệp Phụ nữ tỉnh. Tổ trưởng là "
        "chị Tẩn Mẩy Chài, 38 tuổi, người đã nhiều năm mang đồ thêu xuống thị trấn bán rong cho du "
        "khách. Chị kể, trước kia mỗi người tự làm, tự bán, thường bị ép giá, có khi cả tuần không "
        "bán được món nào.",
        "Khi vào tổ, các thành viên được Hội Phụ nữ huyện mời nghệ nhân về hướng dẫn phối màu, cải "
        "tiến mẫu mã cho hợp thị hiếu khách du lịch mà vẫn giữ hoa văn truyền thống của người Dao. "
        "Tổ thống nhất giá bán, chia nhau nhận đơn hàng và dành một phần lợi nhuận lập quỹ xoay vòng "
        "cho chị em vay mua vải, chỉ mà không phải chịu lãi.",
        "Sau ba năm, tổ đã có 26 thành viên; bình quân mỗi chị có thêm thu nhập từ 2 đến 3 triệu đồng "
        "mỗi tháng, tháng cao điểm du lịch có người được tới 5 triệu đồng. Sản phẩm của tổ có mặt ở "
        "nhiều cửa hàng lưu niệm tại Sa Pa, Hà Nội và được một doanh nghiệp lữ hành đặt hàng thường "
        "xuyên làm quà tặng cho khách.",
        "Cùng với thêu may, tổ còn đón khách tham quan, trải nghiệm tắm lá thuốc và học thêu ngay tại "
        "nhà các thành viên. Nhờ nguồn thu ổn định, đã có 7 hộ thành viên thoát nghèo, nhiều chị sửa "
        "được nhà, mua được máy khâu, cho con đi học đầy đủ. Vị thế của người phụ nữ trong gia đình "
        "cũng thay đổi rõ rệt; nhiều ông chồng đã biết phụ vợ việc nhà, đưa đón con để vợ yên tâm "
        "làm hàng.",
        "Chị Tẩn Mẩy Chài chia sẻ: \"Ngày trước chị em chỉ quanh quẩn bếp núc, nương rẫy. Bây giờ ai "
        "cũng tự tin nói chuyện với khách, có người còn học được tiếng Anh để giới thiệu về hoa văn "
        "của dân tộc mình\".",
        "Đánh giá về mô hình, Hội Liên hiệp Phụ nữ tỉnh cho rằng đây là cách làm hay, vừa giúp phụ nữ "
        "dân tộc thiểu số tăng thu nhập, vừa bảo tồn nghề truyền thống, góp phần phát triển du lịch "
        "cộng đồng bền vững. Năm 2018, Hội sẽ nhân rộng mô hình ra các xã Tả Van, Bản Hồ của huyện "
        "Sa Pa và một số xã của huyện Bát Xát.",
    ],
)

LUNG_PO = Article(
    title="Tổ tự quản đường biên, cột mốc thôn Lũng Pô - những \"cột mốc sống\" nơi đầu nguồn sông Hồng",
    campaigns=["quoc-phong-an-ninh"], subject="tap-the", kind="dien-hinh-tien-tien",
    key_phrase="có đoạn phải bám rễ cây mà leo",
    byline="Phòng Chính trị BĐBP tỉnh",
    paragraphs=[
        "Thôn Lũng Pô, xã A Mú Sung, huyện Bát Xát là nơi dòng sông Hồng bắt đầu chảy vào đất Việt "
        "Nam. Ở thôn biên giới này, Tổ tự quản đường biên, cột mốc gồm 12 thành viên là người Hà Nhì "
        "và người Mông, do ông Chu Chờ Sừ, 56 tuổi, làm tổ trưởng, đã gắn bó với nhiệm vụ giữ đất "
        "suốt hơn mười năm.",
        "Mỗi tháng, tổ phối hợp với cán bộ Đồn Biên phòng A Mú Sung tuần tra ít nhất hai lần dọc đoạn "
        "biên giới dài hơn 6 km mà thôn được giao quản lý. Đường tuần tra men theo sườn núi dốc, qua "
        "nhiều khe suối, có đoạn phải bám rễ cây mà leo. Các thành viên kiểm tra từng cột mốc, phát "
        "quang cây cỏ, sơn lại biển báo và kịp thời báo cáo khi phát hiện dấu hiệu bất thường.",
        "Không chỉ tuần tra, tổ tự quản còn là lực lượng nòng cốt tuyên truyền cho bà con chấp hành "
        "quy chế quản lý biên giới, không qua lại trái phép, không nghe theo kẻ xấu dụ dỗ. Mỗi khi "
        "trong thôn có người lạ đến, các thành viên đều nắm tình hình và thông báo ngay cho đồn biên "
        "phòng.",
        "Năm 2017, tổ đã cùng bộ đội biên phòng tổ chức 26 lượt tuần tra, phát hiện và ngăn chặn 3 "
        "trường hợp xuất nhập cảnh trái phép, vận động 2 hộ dân thôi canh tác lấn sát đường biên. "
        "Nhờ vậy, đoạn biên giới do thôn quản lý luôn ổn định, không để xảy ra vụ việc phức tạp.",
        "Bên cạnh nhiệm vụ giữ đất, các thành viên trong tổ còn đi đầu phát triển kinh tế, xây dựng "
        "đời sống mới. Gia đình ông Sừ trồng hơn 2 ha chuối và thảo quả, mỗi năm thu gần 100 triệu "
        "đồng. Ông cùng các thành viên vận động bà con bỏ hủ tục trong cưới xin, ma chay, giữ vệ sinh "
        "thôn bản và cho con em đến trường đúng độ tuổi.",
        "Thiếu tá Lò Văn Dũng, Chính trị viên Đồn Biên phòng A Mú Sung đánh giá: \"Tổ tự quản thôn "
        "Lũng Pô là những cột mốc sống nơi biên cương, là chỗ dựa tin cậy của bộ đội biên phòng trong "
        "quản lý, bảo vệ chủ quyền lãnh thổ và an ninh trật tự khu vực biên giới\".",
        "Với những thành tích đó, năm 2017 Tổ tự quản đường biên, cột mốc thôn Lũng Pô được Bộ Chỉ "
        "huy Bộ đội Biên phòng tỉnh tặng Giấy khen trong phong trào toàn dân tham gia bảo vệ chủ quyền "
        "lãnh thổ, an ninh biên giới quốc gia.",
    ],
)

NGHIEP = Article(
    title="Homestay nhà sàn của gia đình bà Hoàng Thị Nghiệp ở Bản Liền",
    campaigns=["du-lich"], subject="ho-gia-dinh", kind="mo-hinh-moi",
    key_phrase="học sao chè bằng chảo gang và thưởng thức ấm chè Shan tuyết",
    byline="Sở Du lịch Lào Cai",
    paragraphs=[
        "Xã Bản Liền, huyện Bắc Hà nằm ở độ cao gần 1.000 mét, nổi tiếng với những đồi chè Shan tuyết "
        "và nếp nhà sàn Tày còn giữ được dáng xưa. Thôn Đội 1 của xã hiện có 5 hộ làm du lịch cộng "
        "đồng, trong đó homestay của gia đình bà Hoàng Thị Nghiệp là một trong những hộ đón khách sớm "
        "nhất.",
        "Năm 2014, được một dự án phát triển du lịch cộng đồng hỗ trợ tập huấn và một phần kinh phí, "
        "bà Nghiệp cùng con trai sửa sang ngôi nhà sàn gỗ bốn gian đã gần 60 năm tuổi. Gia đình giữ "
        "nguyên cột kèo, mái ngói âm dương, chỉ làm thêm khu vệ sinh khép kín, sắm chăn đệm sạch sẽ "
        "và lắp bình nước nóng năng lượng mặt trời.",
        "Khách đến đây được ngủ nhà sàn, ăn cơm lam, thịt lợn treo gác bếp, rau cải hái ở vườn; được "
        "theo chủ nhà lên đồi hái chè, học sao chè bằng chảo gang và thưởng thức ấm chè Shan tuyết do "
        "chính tay mình làm. Buổi tối, đội văn nghệ của thôn thường biểu diễn hát then, đàn tính bên "
        "bếp lửa.",
        "Ba năm gần đây, homestay của gia đình bà Nghiệp đón trung bình 900 - 1.000 lượt khách mỗi "
        "năm, khoảng một phần ba là khách nước ngoài. Doanh thu từ lưu trú, ăn uống và bán chè đạt "
        "khoảng 250 triệu đồng một năm. Gia đình tạo việc làm thường xuyên cho 4 lao động trong thôn, "
        "mua rau, thịt, chè của bà con để phục vụ khách.",
        "Bà Nghiệp luôn dặn con cháu giữ nếp nhà: không chặt chém, không làm phiền khách, giữ thôn "
        "bản sạch đẹp. Bà cũng là người vận động các hộ làm du lịch trong thôn thống nhất giá dịch vụ, "
        "cùng phân loại rác, trồng hoa dọc đường đi, tạo nên diện mạo một thôn du lịch văn minh, thân "
        "thiện.",
        "Ông Lù Văn Hạnh, Chủ tịch UBND xã Bản Liền cho biết: \"Từ homestay của gia đình bà Nghiệp, "
        "nhiều hộ đã mạnh dạn đầu tư làm du lịch. Du lịch cộng đồng đang trở thành hướng thoát nghèo "
        "hiệu quả, giúp người dân sống được bằng chính bản sắc văn hóa của mình\".",
        "Hưởng ứng Năm Du lịch Quốc gia 2017, gia đình bà Hoàng Thị Nghiệp được Sở Du lịch biểu dương "
        "là hộ kinh doanh du lịch cộng đồng tiêu biểu. Mô hình đang được khuyến khích nhân rộng tại "
        "các xã vùng cao của tỉnh.",
    ],
)

TO_12 = Article(
    title="Tổ dân phố số 12 phường Kim Tân - điểm sáng văn minh đô thị",
    campaigns=["van-minh-do-thi"], subject="tap-the", kind="dien-hinh-tien-tien",
    key_phrase="góp tiền lắp 18 bóng đèn chiếu sáng và camera an ninh",
    byline="Phòng Nội vụ thành phố Lào Cai",
    paragraphs=[
        "Đi dọc các con ngõ của Tổ dân phố số 12, phường Kim Tân, thành phố Lào Cai, ai cũng dễ nhận "
        "thấy sự sạch sẽ, ngăn nắp: vỉa hè thông thoáng, không có hàng quán lấn chiếm, hai bên đường "
        "là những bồn hoa giấy, hoa mười giờ do chính người dân trồng và chăm sóc. Ít ai biết rằng "
        "vài năm trước, nơi đây từng là điểm nóng về rác thải và lấn chiếm lòng đường.",
        "Năm 2016, hưởng ứng Năm trật tự văn minh đô thị do tỉnh phát động, Chi bộ và Ban điều hành "
        "tổ dân phố đã họp dân, bàn cách làm. Tổ xây dựng quy ước với những quy định cụ thể về giờ đổ "
        "rác, giữ vệ sinh trước cửa nhà, không để vật liệu xây dựng trên vỉa hè. Mỗi hộ ký cam kết và "
        "được gắn biển \"Gia đình văn minh\" nếu thực hiện tốt.",
        "Ông Đặng Văn Thịnh, Tổ trưởng tổ dân phố kể: \"Lúc đầu cũng có hộ kinh doanh không đồng tình "
        "vì sợ ảnh hưởng đến buôn bán. Chúng tôi kiên trì đến từng nhà, nói chuyện như người trong "
        "nhà, để các hộ cán bộ, đảng viên làm trước. Dần dần bà con thấy đường phố sạch đẹp, khách "
        "đến mua hàng đông hơn nên ai cũng tự giác\".",
        "Tổ thành lập 4 nhóm tự quản theo từng ngõ, duy trì tổng vệ sinh vào sáng thứ bảy hằng tuần. "
        "Các hộ góp tiền lắp 18 bóng đèn chiếu sáng và camera an ninh tại các ngõ, giúp trật tự được "
        "giữ vững; hai năm qua trên địa bàn không xảy ra trộm cắp tài sản. Nhóm thanh niên của tổ còn "
        "vẽ tranh tường tuyên truyền bảo vệ môi trường trên những bức tường cũ.",
        "Nhờ sự đồng lòng của 246 hộ dân, năm 2017 Tổ dân phố số 12 có 98% hộ đạt danh hiệu gia đình "
        "văn hóa và được công nhận tổ dân phố văn minh đô thị. Cách làm của tổ đã lan sang các tổ lân "
        "cận, góp phần thay đổi diện mạo của phường Kim Tân.",
        "Đánh giá về mô hình, lãnh đạo UBND phường Kim Tân cho rằng khi người dân được bàn, được làm "
        "và được hưởng lợi thì mọi chủ trương đều đi vào cuộc sống. Năm 2017, Tổ dân phố số 12 được "
        "UBND thành phố Lào Cai tặng Giấy khen vì thành tích xuất sắc trong phong trào xây dựng đô "
        "thị văn minh.",
    ],
)

BINH = Article(
    title="Cựu chiến binh Trần Văn Bình làm giàu từ rau an toàn ở Hợp Thành",
    campaigns=["nong-thon-moi"], subject="ca-nhan", kind="dien-hinh-tien-tien",
    key_phrase="đầu tư hệ thống tưới nhỏ giọt và nhà lưới để giảm sâu bệnh",
    byline="Phòng Nội vụ thành phố Lào Cai",
    paragraphs=[
        "Năm 1995, sau hơn mười năm quân ngũ, ông Trần Văn Bình trở về lập nghiệp ở thôn Làng Mới, xã "
        "Hợp Thành, thành phố Lào Cai với hai bàn tay trắng. Khi ấy, gia đình ông chỉ có mấy sào ruộng "
        "cấy lúa một vụ, cuộc sống chật vật quanh năm.",
        "Nhận thấy nhu cầu rau xanh của thành phố ngày càng lớn, năm 2010 ông Bình mạnh dạn chuyển "
        "toàn bộ 6.000 mét vuông ruộng kém hiệu quả sang trồng rau. Ông tham gia lớp tập huấn sản "
        "xuất rau theo tiêu chuẩn VietGAP do Hội Nông dân thành phố tổ chức, đầu tư hệ thống tưới nhỏ "
        "giọt và nhà lưới để giảm sâu bệnh, hạn chế tối đa thuốc bảo vệ thực vật.",
        "Với tính cần cù, kỷ luật của người lính, ông ghi chép tỉ mỉ từng lứa rau, từng lần bón phân. "
        "Rau của gia đình ông có mặt tại các bếp ăn trường học và siêu thị trong thành phố. Mỗi năm, "
        "vườn rau cho thu khoảng 300 triệu đồng, trừ chi phí còn lãi trên 120 triệu đồng.",
        "Năm 2016, ông vận động 15 hộ trong thôn thành lập Tổ hợp tác rau an toàn Làng Mới, thống nhất "
        "quy trình sản xuất và đầu ra. Ông còn nhận 5 hội viên cựu chiến binh có hoàn cảnh khó khăn "
        "vào làm việc tại vườn, trả lương ổn định 4 triệu đồng mỗi tháng.",
        "Khi xã triển khai xây dựng nông thôn mới, ông Bình là người đầu tiên trong thôn hiến hơn 150 "
        "mét vuông đất để mở rộng đường liên thôn. Là Chi hội trưởng Chi hội Cựu chiến binh thôn, ông "
        "cùng hội viên vận động bà con góp công, góp đất làm gần 1,5 km đường bê tông, giúp xã hoàn "
        "thành tiêu chí giao thông nông thôn mới.",
        "Ông Bình tâm sự: \"Bộ đội Cụ Hồ về làm kinh tế cũng phải gương mẫu, đi trước. Mình làm được "
        "thì mới nói được bà con\". Nhiều năm liền, ông được công nhận là hội viên cựu chiến binh sản "
        "xuất kinh doanh giỏi; năm 2017, ông được Hội Cựu chiến binh tỉnh tặng Bằng khen.",
    ],
)

BAN_CAM = Article(
    title="Hợp tác xã dứa Bản Cầm - hướng đi mới cho nông dân Bảo Thắng",
    campaigns=["nong-thon-moi"], subject="tap-the", kind="mo-hinh-moi",
    key_phrase="xử lý ra hoa rải vụ để có quả quanh năm",
    byline="Phòng Nội vụ huyện Bảo Thắng",
    paragraphs=[
        "Về xã Bản Cầm, huyện Bảo Thắng những ngày cuối hè, những đồi dứa xanh mướt trải dài tít tắp. "
        "Cây dứa đã có mặt ở đây hàng chục năm, nhưng phải đến khi Hợp tác xã Nông nghiệp dịch vụ Bản "
        "Cầm ra đời năm 2016, người trồng dứa mới thực sự yên tâm về đầu ra.",
        "Trước đây, mỗi khi dứa chín rộ, bà con phải bán xô cho thương lái với giá chỉ 2.000 - 3.000 "
        "đồng mỗi kg, có năm dứa chín nẫu ngoài đồi không ai mua. Trăn trở trước cảnh được mùa mất "
        "giá, anh Nguyễn Văn Tiến, nguyên cán bộ khuyến nông xã, cùng 9 hộ nông dân góp vốn thành lập "
        "hợp tác xã với số vốn ban đầu 500 triệu đồng.",
        "Hợp tác xã ký hợp đồng bao tiêu với một nhà máy chế biến hoa quả trong tỉnh, đồng thời hướng "
        "dẫn xã viên trồng dứa theo quy trình an toàn, xử lý ra hoa rải vụ để có quả quanh năm, tránh "
        "dồn vào một thời điểm. Nhờ vậy, giá dứa được giữ ổn định ở mức 4.500 - 5.000 đồng mỗi kg, "
        "cao gần gấp đôi so với trước.",
        "Không dừng ở bán quả tươi, năm 2017 hợp tác xã đầu tư dây chuyền sấy dẻo và ép nước dứa đóng "
        "chai với công suất 2 tấn quả mỗi ngày. Sản phẩm dứa sấy Bản Cầm đã được bày bán tại nhiều "
        "cửa hàng đặc sản ở thành phố Lào Cai và Sa Pa, được khách du lịch ưa chuộng.",
        "Đến nay, hợp tác xã có 64 thành viên, liên kết sản xuất trên diện tích gần 120 ha. Doanh thu "
        "năm 2017 đạt hơn 6 tỷ đồng; thu nhập bình quân của xã viên tăng từ 25 triệu lên 45 triệu đồng "
        "mỗi người một năm. Hợp tác xã tạo việc làm thường xuyên cho 30 lao động địa phương, phần lớn "
        "là phụ nữ và thanh niên người Giáy, người Dao.",
        "Ông Hoàng Minh Đức, Phó Chủ tịch UBND huyện Bảo Thắng nhận định: \"Hợp tác xã dứa Bản Cầm là "
        "mô hình kinh tế tập thể kiểu mới hiệu quả, gắn sản xuất với chế biến và tiêu thụ. Huyện sẽ "
        "tiếp tục hỗ trợ hợp tác xã xây dựng nhãn hiệu, nhân rộng mô hình ra các xã trồng dứa khác\".",
        "Năm 2017, Hợp tác xã Nông nghiệp dịch vụ Bản Cầm được UBND tỉnh tặng Bằng khen vì có thành "
        "tích xuất sắc trong phong trào thi đua xây dựng nông thôn mới.",
    ],
)

ARTICLES = [QUYET, DO, CHU, PAO, CHAI, LUNG_PO, NGHIEP, TO_12, BINH, BAN_CAM]


# --- the messages --------------------------------------------------------------------------

def d(y: int, mo: int, day: int, h: int, mi: int, tz: timezone = ICT) -> datetime:
    return datetime(y, mo, day, h, mi, tzinfo=tz)


def html_article(a: Article, intro: str, cid: str, caption: str, outro: str) -> str:
    esc = lambda s: html.escape(s, quote=False)  # noqa: E731
    paras = [f"<p>{esc(p)}</p>" for p in a.paragraphs]
    paras.insert(2, f'<p style="text-align:center"><img src="cid:{cid}" width="320" height="240" '
                    f'alt=""><br><i>{esc(caption)}</i></p>')
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
        '<body style="font-family:Times New Roman;font-size:13pt">\n'
        f"<p>{esc(intro)}</p>\n<h3 style=\"text-align:center\">{esc(a.title)}</h3>\n"
        + "\n".join(paras)
        + f"\n<p style=\"text-align:right\"><b>{esc(a.byline)}</b></p>\n<p>{esc(outro)}</p>\n"
        "</body></html>\n"
    )


def build_mails() -> tuple[list[Mail], list[dict]]:
    mails: list[Mail] = []
    labels: list[dict] = []

    def add(mail: Mail, *, unit: str | None, evidence: str | None, articles: list[tuple[Article, str, int]],
            notes: str, duplicate_of: int | None = None) -> None:
        mails.append(mail)
        labels.append({
            "n": mail.n, "unit": unit, "unit_evidence": evidence,
            "articles": articles, "notes": notes, "duplicate_of": duplicate_of,
        })

    # 01 district official address, docx + 2 attached JPEGs -------------------------------
    quyet_docx = make_docx(QUYET, letterhead=("UBND HUYỆN BẢO YÊN", "PHÒNG NỘI VỤ"),
                           author="Hoang Thi Van", created=d(2018, 1, 15, 15, 10))
    quyet_photos = [Part("anh-1-doi-che.jpg", make_photo(101, "terraces"), "image/jpeg"),
                    Part("anh-2-nha-san.jpg", make_photo(102, "house"), "image/jpeg")]
    add(Mail(1, "UBND huyện Bảo Yên <ubnd-baoyen@laocai.gov.vn>",
             "Gửi bài viết gương điển hình tiên tiến tháng 01/2018 - huyện Bảo Yên",
             d(2018, 1, 16, 9, 20), "<5A5D6038.9020105@laocai.gov.vn>",
             "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\n"
             "Thực hiện kế hoạch tuyên truyền gương điển hình tiên tiến năm 2018, UBND huyện Bảo Yên "
             "gửi bài viết tháng 01/2018 (file Word) kèm 02 ảnh minh họa.\n\n"
             "Trân trọng.\n--\nPhòng Nội vụ huyện Bảo Yên\n",
             attachments=[Part("BaoYen_DienHinh_T01-2018.docx", quyet_docx, DOCX_TYPE), *quyet_photos]),
        unit="bao-yen", evidence="address", articles=[(QUYET, "docx", 2)],
        notes="official district address; docx with letterhead + 2 JPEG attachments")

    # 02 resend of 01: same attachments, new Message-ID, later date -------------------------
    add(Mail(2, "UBND huyện Bảo Yên <ubnd-baoyen@laocai.gov.vn>",
             "Gửi lại: Bài viết gương điển hình tiên tiến tháng 01/2018 - huyện Bảo Yên",
             d(2018, 1, 29, 8, 5), "<5A6E8375.1060009@laocai.gov.vn>",
             "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\n"
             "Do chưa nhận được phản hồi, đơn vị xin gửi lại bài viết tháng 01/2018 và ảnh kèm theo.\n\n"
             "Trân trọng.\n--\nPhòng Nội vụ huyện Bảo Yên\n",
             attachments=[Part("BaoYen_DienHinh_T01-2018.docx", quyet_docx, DOCX_TYPE), *quyet_photos]),
        unit="bao-yen", evidence="address", articles=[(QUYET, "docx", 2)], duplicate_of=1,
        notes="duplicate: resend of 01 (same docx and photos, new Message-ID, later date)")

    # 03 docx with an embedded photo and caption -----------------------------------------
    do_docx = make_docx(DO, letterhead=("UBND HUYỆN SI MA CAI", "PHÒNG NỘI VỤ"),
                        pictures=(Picture(make_photo(201, "people"),
                                          "Cô giáo Thào Thị Dợ cùng học sinh điểm trường Sín Chải", 1),),
                        author="PNV Si Ma Cai", created=d(2018, 2, 6, 16, 30), title_style="Title")
    add(Mail(3, "UBND huyện Si Ma Cai <ubnd-simacai@laocai.gov.vn>",
             "Bài viết gương điển hình tháng 02/2018 - huyện Si Ma Cai",
             d(2018, 2, 7, 10, 42), "<5A7A75D2.6070300@laocai.gov.vn>",
             "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\n"
             "UBND huyện Si Ma Cai gửi bài viết về cô giáo Thào Thị Dợ, Trường Tiểu học Nàn Sán "
             "(ảnh đã chèn trong bài).\n\nTrân trọng.\n",
             attachments=[Part("SiMaCai_T02-2018_co-giao-Thao-Thi-Do.docx", do_docx, DOCX_TYPE)]),
        unit="si-ma-cai", evidence="address", articles=[(DO, "docx", 1)],
        notes="docx with one embedded photo and an italic caption; title in Word 'Title' style")

    # 04 department from a personal gmail, unit only in the docx letterhead, Date in UTC ----
    chu_docx = make_docx(CHU, letterhead=("UBND TỈNH LÀO CAI", "SỞ Y TẾ"),
                         author="Trang Nguyen", created=d(2018, 3, 31, 15, 5))
    add(Mail(4, "Trang Nguyen <nguyenthutrang.lc88@gmail.com>",
             "bài điển hình quý I",
             d(2018, 3, 31, 17, 45, UTC), "<CAK3vY+Qd7pE0mTn2bWc=9xLr4uJ8sHq1fZy@mail.gmail.com>",
             "Em chào anh chị,\n\nEm gửi bài viết gương điển hình quý I, em gửi bằng mail cá nhân vì "
             "hộp thư công vụ đang bị lỗi ạ.\n\nEm cảm ơn.\n",
             attachments=[Part("bai dien hinh quy 1.docx", chu_docx, DOCX_TYPE)], mailer=""),
        unit="so-y-te", evidence="letterhead", articles=[(CHU, "docx", 0)],
        notes="personal gmail, unit only in the docx letterhead; Date in UTC = 1 Apr 00:45 in "
              "Vietnam (counts for Q2, not Q1)")

    # 05 signature-only unit from a yahoo address, Date in UTC --------------------------------
    pao_docx = make_docx(PAO, author="ha dang", created=d(2018, 4, 15, 21, 0))
    add(Mail(5, "ha dang <dangthuha_lc@yahoo.com>",
             "Gửi bài gương điển hình thanh niên khởi nghiệp",
             d(2018, 4, 16, 2, 30, UTC), "<1523845800412.58231.dangthuha_lc@yahoo.com>",
             "Kính gửi Ban Thi đua - Khen thưởng,\n\n"
             "Em xin gửi bài viết về một gương thanh niên khởi nghiệp ở Mường Khương để Ban tổng hợp.\n\n"
             "--\nĐặng Thu Hà\nBan Tuyên giáo - Tỉnh đoàn Lào Cai\n\nSent from Yahoo Mail for Android\n",
             attachments=[Part("Lu Van Pao - khoi nghiep.docx", pao_docx, DOCX_TYPE)],
             mailer="YahooMailAndroidMobile"),
        unit="tinh-doan", evidence="signature", articles=[(PAO, "docx", 0)],
        notes="yahoo address, unit only in the e-mail signature (docx has no letterhead); Date in UTC")

    # 06 article in the HTML body with an inline cid: photo -------------------------------------
    cid = "anh-to-theu-ta-phin@hoiphunu.laocai"
    intro = "Kính gửi Ban Thi đua - Khen thưởng tỉnh, Hội LHPN tỉnh gửi bài viết mô hình mới quý II/2018:"
    outro = "Trân trọng. Ban Tuyên giáo - Hội Liên hiệp Phụ nữ tỉnh Lào Cai."
    caption = "Thành viên Tổ hợp tác thêu thổ cẩm Sả Séng giới thiệu sản phẩm với du khách"
    plain = (intro + "\n\n" + CHAI.title + "\n\n" + CHAI.text() + "\n\n" + CHAI.byline + "\n\n" + outro + "\n")
    add(Mail(6, "Hội Liên hiệp Phụ nữ tỉnh Lào Cai <hoiphunu@laocai.gov.vn>",
             "Bài viết mô hình mới: Tổ hợp tác thêu thổ cẩm của chị em Dao đỏ ở Tả Phìn",
             d(2018, 5, 9, 14, 12), "<5AF2A2D1.2080806@laocai.gov.vn>", plain,
             html=html_article(CHAI, intro, cid, caption, outro),
             inline=(Part("to-theu-ta-phin.jpg", make_photo(601, "people"), "image/jpeg"), cid)),
        unit="hoi-phu-nu", evidence="address", articles=[(CHAI, "html-body", 1)],
        notes="article in the body: multipart/alternative, HTML part in multipart/related with an "
              "inline cid: JPEG")

    # 07 plain-text body article ---------------------------------------------------------------
    add(Mail(7, "Bộ Chỉ huy BĐBP tỉnh Lào Cai <bdbp@laocai.gov.vn>",
             "Bài viết điển hình tiên tiến tháng 6/2018",
             d(2018, 6, 13, 16, 40), "<5B20E71A.4010902@laocai.gov.vn>",
             "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\n"
             "Bộ Chỉ huy Bộ đội Biên phòng tỉnh gửi bài viết gương điển hình (nội dung bên dưới).\n\n"
             + LUNG_PO.title + "\n\n" + LUNG_PO.text() + "\n\n" + LUNG_PO.byline + "\n"),
        unit="bien-phong", evidence="address", articles=[(LUNG_PO, "text-body", 0)],
        notes="article pasted as the plain-text body, no attachment")

    # 08 text PDF attachment ---------------------------------------------------------------------
    add(Mail(8, "Sở Du lịch Lào Cai <sdl@laocai.gov.vn>",
             "Sở Du lịch gửi bài viết mô hình mới quý III/2018",
             d(2018, 7, 11, 8, 55), "<5B4562F5.7050001@laocai.gov.vn>",
             "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\n"
             "Sở Du lịch gửi bài viết về mô hình homestay ở xã Bản Liền (file PDF đính kèm).\n\n"
             "Trân trọng.\nVăn phòng Sở Du lịch\n",
             attachments=[Part("homestay-Ban-Lien.pdf", make_pdf(NGHIEP), "application/pdf")]),
        unit="so-du-lich", evidence="address", articles=[(NGHIEP, "pdf", 0)],
        notes="text PDF (reportlab, embedded DejaVu) attachment")

    # 09 two .docx = two articles in one e-mail ----------------------------------------------
    lh = ("UBND THÀNH PHỐ LÀO CAI", "PHÒNG NỘI VỤ")
    add(Mail(9, "UBND thành phố Lào Cai <ubnd-tplaocai@laocai.gov.vn>",
             "TP Lào Cai gửi 02 bài viết gương điển hình tháng 8/2018",
             d(2018, 8, 22, 15, 30), "<5B7D1FA6.3000407@laocai.gov.vn>",
             "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\n"
             "UBND thành phố Lào Cai gửi 02 bài viết tháng 8/2018:\n"
             "1. Tổ dân phố số 12 phường Kim Tân;\n2. Cựu chiến binh Trần Văn Bình, xã Hợp Thành.\n\n"
             "Trân trọng.\n",
             attachments=[
                 Part("Bai 1 - TDP so 12 Kim Tan.docx",
                      make_docx(TO_12, letterhead=lh, author="PNV TP Lao Cai", created=d(2018, 8, 21, 9, 0)),
                      DOCX_TYPE),
                 Part("Bai 2 - CCB Tran Van Binh.docx",
                      make_docx(BINH, letterhead=lh, author="PNV TP Lao Cai", created=d(2018, 8, 21, 10, 20)),
                      DOCX_TYPE),
             ]),
        unit="tp-lao-cai", evidence="address", articles=[(TO_12, "docx", 0), (BINH, "docx", 0)],
        notes="two docx attachments = two articles in one e-mail")

    # 10 RFC 2231 Vietnamese attachment file name ----------------------------------------------
    add(Mail(10, "UBND huyện Bảo Thắng <ubnd-baothang@laocai.gov.vn>",
             "Bài viết mô hình mới tháng 9/2018 - huyện Bảo Thắng",
             d(2018, 9, 5, 9, 10), "<5B8F3C56.8010503@laocai.gov.vn>",
             "Kính gửi Ban Thi đua - Khen thưởng tỉnh,\n\n"
             "UBND huyện Bảo Thắng gửi bài viết về Hợp tác xã Nông nghiệp dịch vụ Bản Cầm.\n\n"
             "Trân trọng.\n--\nPhòng Nội vụ huyện Bảo Thắng\n",
             attachments=[Part("Bài viết mô hình mới - Hợp tác xã dứa Bản Cầm.docx",
                               make_docx(BAN_CAM, letterhead=("UBND HUYỆN BẢO THẮNG", "PHÒNG NỘI VỤ"),
                                         author="Phong Noi vu", created=d(2018, 9, 4, 14, 0)),
                               DOCX_TYPE)]),
        unit="bao-thang", evidence="address", articles=[(BAN_CAM, "docx", 0)],
        notes="attachment file name in Vietnamese, RFC 2231 encoded (filename*=utf-8''...)")

    # 11 noise: out-of-office auto-reply -------------------------------------------------------
    add(Mail(11, "Sở Nông nghiệp và PTNT Lào Cai <snnptnt@laocai.gov.vn>",
             "Trả lời tự động: Đôn đốc gửi bài viết gương điển hình quý III/2018",
             datetime(2018, 9, 10, 10, 15, 4, tzinfo=ICT),
             "<5B971A6B.8000205@laocai.gov.vn>",
             "Tôi đang nghỉ phép từ ngày 10/9 đến hết ngày 21/9/2018. Trong thời gian này, việc gấp "
             "xin liên hệ Văn phòng Sở.\n\nXin cảm ơn.\n",
             headers={"In-Reply-To": REMINDER_ID, "Auto-Submitted": "auto-replied",
                      "X-Autoreply": "yes", "Precedence": "auto_reply"}),
        unit=None, evidence=None, articles=[],
        notes="noise: out-of-office auto-reply (Auto-Submitted: auto-replied)")
    # 12 noise: Re: reply with quoted text and a short question -------------------------------
    add(Mail(12, "Phòng Nội vụ huyện Mường Khương <ubnd-muongkhuong@laocai.gov.vn>",
             "Re: Đôn đốc gửi bài viết gương điển hình quý III/2018",
             d(2018, 9, 11, 8, 32), "<5B971A3E.5090108@laocai.gov.vn>",
             "Chào đồng chí,\n\n"
             "Đơn vị đã nhận được văn bản. Cho hỏi bài tháng 9 có bắt buộc gửi kèm ảnh gốc không, hay "
             "chỉ cần ảnh chèn trong file Word? Hạn cuối là ngày 25 hay hết tháng ạ?\n\n"
             "Trân trọng.\nLý Thị Hoa - Phòng Nội vụ huyện Mường Khương\n\n"
             "Vào 10:15 Thứ Hai, ngày 10/09/2018, Ban Thi đua - Khen thưởng tỉnh "
             "<btdkt-snv@laocai.gov.vn> đã viết:\n"
             "> Kính gửi các huyện, thành phố và các sở, ban, ngành,\n"
             "> Thực hiện kế hoạch tuyên truyền gương điển hình tiên tiến giai đoạn 2017 - 2020, Ban\n"
             "> Thi đua - Khen thưởng đề nghị các đơn vị gửi bài viết của tháng 9 và quý III/2018\n"
             "> về hộp thư này trước ngày 25/9/2018.\n"
             "> Trân trọng.\n",
             headers={"In-Reply-To": REMINDER_ID, "References": REMINDER_ID}),
        unit="muong-khuong", evidence="address", articles=[],
        notes="noise: reply with a quoted reminder and a question, no article")

    return mails, labels


# --- output --------------------------------------------------------------------------------

def label_json(mail: Mail, lab: dict, keys: dict[int, str]) -> dict:
    arts = []
    for a, source, images in lab["articles"]:
        arts.append({"title": a.title, "campaigns": a.campaigns, "subject": a.subject, "kind": a.kind,
                     "source": source, "images": images, "key_phrase": a.key_phrase})
    return {
        "file": mail.key,
        "relevant": bool(arts),
        "unit": lab["unit"],
        "unit_evidence": lab["unit_evidence"],
        "date": mail.date.isoformat(),
        "message_id": mail.message_id,
        "duplicate_of": keys[lab["duplicate_of"]] if lab["duplicate_of"] else None,
        "hostile": None,
        "articles": arts,
        "notes": lab["notes"],
    }


def check_content() -> None:
    phrases = []
    for a in ARTICLES:
        for s in [a.title, a.key_phrase, *a.paragraphs]:
            assert unicodedata.is_normalized("NFC", s), s[:40]
        assert 250 <= a.words <= 600, (a.title, a.words)
        assert a.key_phrase in a.text(), a.key_phrase
        assert 6 <= len(a.key_phrase.split()) <= 14, a.key_phrase
        phrases.append(a.key_phrase)
    for p in phrases:
        assert sum(p in a.text() for a in ARTICLES) == 1, p


def write(root: Path) -> dict[str, str]:
    check_content()
    mails, labels = build_mails()
    maildir = root / "maildir"
    if maildir.exists():
        shutil.rmtree(maildir)
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    keys = {m.n: m.key for m in mails}
    out = []
    for mail, lab in zip(mails, labels):
        (maildir / "new" / mail.key).write_bytes(mail.build())
        out.append(label_json(mail, lab, keys))
    (root / "labels.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return digests(root)


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "maildir").rglob("*")) if p.is_file()} | {
        "labels.json": hashlib.sha256((root / "labels.json").read_bytes()).hexdigest()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write maildir/ and labels.json into")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary folder and compare with --out byte for byte")
    args = ap.parse_args(argv)
    if args.check:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            fresh = write(Path(tmp))
        have = digests(args.out) if (args.out / "maildir").exists() else {}
        if fresh != have:
            for k in sorted(set(fresh) | set(have)):
                if fresh.get(k) != have.get(k):
                    print(f"differs: {k}", file=sys.stderr)
            return 1
        print(f"ok: {len(fresh)} files identical")
        return 0
    files = write(args.out)
    for name in files:
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
