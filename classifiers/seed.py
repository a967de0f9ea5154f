"""A starter set of labelled articles, so the learned model works before editors confirm any.

Every snippet here was written for dienhinh: short (80-200 words) invented exemplar
articles in the styles units use (news story, achievement report, interview, list), across
all campaigns, subject types and kinds. The people, places and figures are fictitious,
though the communes and districts are real names of Lào Cai. A few are typed without
diacritics, as some units' mail is.

Each entry: ``title``, ``text``, ``campaigns`` (codes of campaigns.toml, the first is the
main one), ``subject`` (ca-nhan | tap-the | ho-gia-dinh) and ``kind``
(dien-hinh-tien-tien | mo-hinh-moi | nhan-to-moi).
"""

from __future__ import annotations

from typing import TypedDict

__all__ = ["SEED_ARTICLES", "SeedArticle"]


class SeedArticle(TypedDict):
    title: str
    text: str
    campaigns: list[str]
    subject: str
    kind: str


SEED_ARTICLES: list[SeedArticle] = [
    # ------------------------------------------------------------------ nông thôn mới
    {
        "title": "Vợ chồng anh Lù Văn Pủ vươn lên khá giả từ đàn bò vỗ béo",
        "text": (
            "Cách đây sáu năm, gia đình anh Lù Văn Pủ ở thôn Na Lốc, xã Bản Lầu vẫn là hộ "
            "nghèo nhất thôn. Được vay 50 triệu đồng vốn ưu đãi, hai vợ chồng anh mua bốn con "
            "bò gầy về vỗ béo, trồng thêm hai sào cỏ voi làm thức ăn. Chị Pủ lo chuồng trại, "
            "anh đi học cách ủ thức ăn lên men do cán bộ khuyến nông hướng dẫn. Mỗi lứa bò "
            "nuôi bốn tháng, lãi từ 5 đến 7 triệu đồng một con. Đến nay chuồng nhà anh thường "
            "xuyên có 20 con, thu nhập mỗi năm trên 150 triệu đồng. Gia đình đã thoát nghèo, "
            "làm nhà mới và cho hai con học trung cấp. Anh Pủ còn cho ba hộ trong thôn mượn bò "
            "giống, hướng dẫn cách làm chuồng cách xa nhà ở để giữ vệ sinh."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "ho-gia-dinh",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Hợp tác xã Nông nghiệp Bảo Hà đưa sản phẩm chuối sấy vào chuỗi OCOP",
        "text": (
            "Thành lập năm 2016 với 9 xã viên, Hợp tác xã Nông nghiệp Bảo Hà, huyện Bảo Yên "
            "đã liên kết với 140 hộ trồng chuối trên địa bàn xã. Hợp tác xã ký hợp đồng bao "
            "tiêu toàn bộ sản phẩm với giá ổn định, cung ứng giống chuối tiêu hồng nuôi cấy mô "
            "và hướng dẫn quy trình chăm sóc. Năm 2019, hợp tác xã đầu tư dây chuyền sấy lạnh, "
            "cho ra sản phẩm chuối sấy dẻo đạt tiêu chuẩn 3 sao OCOP. Doanh thu năm qua đạt 4,2 "
            "tỷ đồng, tạo việc làm thường xuyên cho 25 lao động. Nhờ liên kết sản xuất, thu "
            "nhập của các hộ trồng chuối tăng gấp rưỡi, 17 hộ đã thoát nghèo. Mô hình hợp tác xã "
            "kiểu mới này góp phần giúp xã đạt tiêu chí tổ chức sản xuất trong xây dựng nông "
            "thôn mới."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Thôn Cốc Lầu về đích nông thôn mới nhờ sức dân",
        "text": (
            "Ba năm trước, thôn Cốc Lầu của xã Bản Phiệt mới đạt 9 trên 19 tiêu chí nông thôn "
            "mới. Đường vào thôn lầy lội, nhiều hộ chưa có nhà tiêu hợp vệ sinh. Chi bộ và Ban "
            "phát triển thôn họp dân, bàn bạc công khai từng việc. Bà con tự nguyện hiến hơn "
            "3.000 mét vuông đất, góp 1.200 ngày công để bê tông hóa 2,5 km đường nội thôn. Mỗi "
            "hộ nhận chăm sóc một đoạn đường, trồng hoa hai bên. Thôn thành lập tổ liên kết "
            "trồng rau an toàn, bán cho các bếp ăn trường học. Đến cuối năm 2018, thôn đạt đủ "
            "19 tiêu chí, tỷ lệ hộ nghèo giảm từ 21% xuống còn 4%. Thôn Cốc Lầu được huyện "
            "khen thưởng là tập thể tiêu biểu trong phong trào xây dựng nông thôn mới."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Ông Vàng Seo Chúng - người tiên phong trồng mận tam hoa trên đất dốc",
        "text": (
            "Ở xã Lùng Phình, huyện Bắc Hà, ai cũng biết ông Vàng Seo Chúng, người đầu tiên "
            "trong xã mạnh dạn phá bỏ diện tích ngô năng suất thấp để trồng mận. Những năm đầu, "
            "nhiều người can ngăn vì sợ không có đầu ra. Ông kiên trì học kỹ thuật ghép cành, "
            "tỉa tán, bón phân hữu cơ. Nay vườn mận của ông rộng 3 ha với hơn 1.500 gốc, mỗi vụ "
            "thu khoảng 20 tấn quả, trừ chi phí lãi trên 200 triệu đồng. Ông Chúng là hội viên "
            "nông dân sản xuất kinh doanh giỏi cấp tỉnh nhiều năm liền. Ông còn cung cấp cây "
            "giống giá gốc, trực tiếp hướng dẫn hơn 30 hộ trong xã chuyển đổi cơ cấu cây trồng, "
            "trong đó nhiều hộ đã thoát nghèo."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Mô hình nuôi cá tầm nước lạnh của tổ hợp tác thôn Séo Mý Tỷ",
        "text": (
            "Tận dụng nguồn nước suối lạnh quanh năm, năm 2017 bảy hộ dân thôn Séo Mý Tỷ, xã Tả "
            "Van thành lập tổ hợp tác nuôi cá tầm. Các hộ góp đất, góp công đào bể, được dự án "
            "giảm nghèo hỗ trợ 40% tiền mua cá giống và thức ăn. Tổ phân công người trực bể, "
            "ghi chép nhiệt độ nước và lượng thức ăn hằng ngày. Sau 18 tháng, lứa cá đầu tiên "
            "đạt trọng lượng 2 kg mỗi con, được các nhà hàng ở thị trấn thu mua tận nơi. Mỗi "
            "năm tổ xuất bán khoảng 8 tấn cá, thu nhập bình quân mỗi hộ thành viên đạt 90 triệu "
            "đồng. Mô hình đang được xã nhân rộng ra ba thôn có nguồn nước phù hợp, mở hướng "
            "phát triển kinh tế mới cho vùng cao."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Hộ ông Hoàng Văn Thạch hiến 800 mét vuông đất làm đường liên thôn",
        "text": (
            "Khi xã Xuân Quang triển khai làm đường bê tông liên thôn, tuyến đường phải mở rộng "
            "qua vườn cam của gia đình ông Hoàng Văn Thạch. Không đợi vận động lâu, ông cùng vợ "
            "và các con bàn bạc rồi tự nguyện hiến 800 mét vuông đất, chặt bỏ 40 gốc cam đang "
            "cho quả mà không nhận đền bù. Ông nói: con đường mở ra thì cả thôn được hưởng, xe "
            "vào tận nơi thu mua nông sản, trẻ con đi học đỡ vất vả. Việc làm của gia đình ông "
            "đã lan tỏa, 26 hộ khác trong thôn cũng hiến đất, góp tiền, góp công. Tuyến đường "
            "dài 1,8 km hoàn thành sớm hai tháng, góp phần giúp xã đạt tiêu chí giao thông nông "
            "thôn mới."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "ho-gia-dinh",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Chi hội phụ nữ Phìn Giàng với mô hình tiết kiệm xoay vòng giúp nhau thoát nghèo",
        "text": (
            "Mỗi tháng, 35 hội viên Chi hội phụ nữ thôn Phìn Giàng góp 50 nghìn đồng vào quỹ "
            "tiết kiệm của chi hội. Số tiền được cho các chị em khó khăn nhất vay không lãi để "
            "mua lợn giống, gà giống, trả dần sau mỗi lứa xuất chuồng. Sau bốn năm, quỹ đã xoay "
            "vòng cho 60 lượt hội viên vay, tổng số tiền gần 300 triệu đồng. Chi hội còn tổ "
            "chức các buổi sinh hoạt chuyên đề về chăn nuôi, trồng rau sạch, ghi chép chi tiêu "
            "gia đình. Từ 14 hộ nghèo, nay thôn chỉ còn 3 hộ. Chị Thào Thị Mai, chi hội trưởng, "
            "cho biết cách làm đơn giản nhưng giúp chị em tự tin, mạnh dạn làm kinh tế."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Trưởng thôn Lý Láo Lở và con đường thoát nghèo của thôn Làng Mới",
        "text": (
            "Làm trưởng thôn Làng Mới, xã Trịnh Tường đã mười năm, anh Lý Láo Lở luôn trăn trở "
            "làm sao để bà con thoát cảnh thiếu đói giáp hạt. Anh đi tham quan mô hình trồng "
            "lúa hai vụ ở xã bạn, về thuyết phục từng hộ cải tạo ruộng bậc thang, làm mương dẫn "
            "nước. Chính gia đình anh làm trước, vụ đầu năng suất tăng gần gấp đôi. Thấy hiệu "
            "quả, cả thôn làm theo. Anh còn vận động bà con trồng thêm 30 ha thảo quả dưới tán "
            "rừng, thành lập nhóm bảo vệ rừng. Tỷ lệ hộ nghèo của thôn giảm từ 48% xuống 15% "
            "sau năm năm. Anh Lở được tặng Bằng khen của Chủ tịch UBND tỉnh vì có thành tích "
            "xuất sắc trong công tác giảm nghèo."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "9X bỏ phố về quê trồng rau thủy canh",
        "text": (
            "Tốt nghiệp đại học ngành công nghệ sinh học, Lương Văn Kiên sinh năm 1994 không ở "
            "lại Hà Nội mà về quê xã Gia Phú, huyện Bảo Thắng. Anh vay vốn từ chương trình hỗ "
            "trợ thanh niên lập nghiệp, dựng 1.000 mét vuông nhà màng để trồng rau thủy canh. "
            "Là người đầu tiên trong huyện áp dụng công nghệ này, những tháng đầu Kiên thất bại "
            "vì rau bị nấm. Không nản, anh liên hệ thầy cô ở trường cũ để được tư vấn, tự lắp "
            "hệ thống cảm biến nhiệt độ. Nay mỗi tháng trang trại cung cấp 3 tấn rau sạch cho "
            "các siêu thị ở thành phố Lào Cai, tạo việc làm cho 6 đoàn viên thanh niên trong "
            "thôn. Kiên nói anh muốn chứng minh người trẻ có thể làm giàu ngay trên đồng đất "
            "quê hương."
        ),
        "campaigns": ["nong-thon-moi", "thanh-nien"],
        "subject": "ca-nhan",
        "kind": "nhan-to-moi",
    },
    {
        "title": "Gia dinh chi Sung Thi Va lam giau tu nghe nuoi ong",
        "text": (
            "Truoc nam 2015, gia dinh chi Sung Thi Va o xa Si Ma Cai thuoc dien ho ngheo. Duoc "
            "Hoi Nong dan xa tap huan ky thuat, chi cung chong mua 20 dan ong noi, dat tren "
            "suon doi trong hoa tam giac mach va rung cay an qua. Hai vo chong hoc cach chia "
            "dan, phong benh cho ong, lam thung nuoi bang go pomu. Den nay gia dinh co 120 dan "
            "ong, moi nam thu 1,5 tan mat, ban duoc gan 300 trieu dong. Gia dinh da thoat "
            "ngheo, xay nha kien co. Chi Va con nhan huong dan cho 15 ho trong thon cung nuoi "
            "ong, gop phan giam ngheo ben vung o dia phuong."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "ho-gia-dinh",
        "kind": "dien-hinh-tien-tien",
    },
    # ------------------------------------------------------------------ giáo dục
    {
        "title": "Thầy giáo Phạm Văn Tới mười hai năm cắm bản ở điểm trường Nậm Chày",
        "text": (
            "Điểm trường Nậm Chày thuộc Trường PTDTBT Tiểu học Nậm Chày, huyện Văn Bàn, chỉ có "
            "hai phòng học ghép. Từ năm 2006, thầy giáo Phạm Văn Tới tình nguyện xin lên đây "
            "dạy học. Thầy dạy lớp ghép hai trình độ, buổi tối lại mở lớp xóa mù chữ cho phụ "
            "huynh. Mỗi khi có học sinh nghỉ học, thầy lội suối đến tận nhà vận động. Nhờ kiên "
            "trì, nhiều năm liền điểm trường duy trì sĩ số 100%, không có học sinh bỏ học. Thầy "
            "còn tự làm đồ dùng dạy học từ tre, nứa, vỏ chai. Thầy Tới nhiều lần đạt danh hiệu "
            "giáo viên dạy giỏi cấp huyện và chiến sĩ thi đua cơ sở."
        ),
        "campaigns": ["giao-duc"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Trường Mầm non Sơn Hải với mô hình bếp ăn bán trú do phụ huynh cùng góp",
        "text": (
            "Trường Mầm non Sơn Hải, huyện Bảo Thắng có 210 trẻ, phần lớn là con em đồng bào "
            "dân tộc. Trước đây trẻ chỉ học buổi sáng, buổi chiều theo bố mẹ lên nương. Năm học "
            "2017-2018, nhà trường họp phụ huynh, thống nhất xây dựng mô hình bếp ăn bán trú: "
            "mỗi gia đình góp gạo, rau theo tháng, nhà trường lo bếp và giáo viên chăm trẻ ngủ "
            "trưa. Ban đại diện cha mẹ học sinh phân công giám sát chất lượng bữa ăn. Sau một "
            "năm, tỷ lệ trẻ suy dinh dưỡng giảm từ 18% xuống 7%, trẻ đi học đều và mạnh dạn "
            "giao tiếp bằng tiếng Việt hơn. Cách làm đã được Phòng Giáo dục và Đào tạo huyện "
            "nhân rộng ra tám trường mầm non khác."
        ),
        "campaigns": ["giao-duc"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Em Giàng Thị Mỷ, cô học trò nghèo đạt giải Nhất học sinh giỏi cấp tỉnh",
        "text": (
            "Nhà ở thôn Sín Chéng cách trường hơn 10 km, em Giàng Thị Mỷ, học sinh lớp 9 Trường "
            "PTDTNT huyện Si Ma Cai, mỗi cuối tuần lại đi bộ về giúp mẹ làm nương. Bố mất sớm, "
            "mẹ ốm yếu, nhưng Mỷ chưa bao giờ có ý định bỏ học. Em tự học tiếng Anh qua những "
            "cuốn sách cũ thầy cô cho mượn, học nhóm với bạn vào buổi tối. Năm học vừa qua, Mỷ "
            "đạt giải Nhất môn Ngữ văn trong kỳ thi học sinh giỏi cấp tỉnh, là học sinh người "
            "Mông đầu tiên của huyện đạt thành tích này. Cô giáo chủ nhiệm cho biết em luôn "
            "giúp các bạn yếu trong lớp. Tấm gương hiếu học của Mỷ là động lực cho nhiều học "
            "sinh vùng cao."
        ),
        "campaigns": ["giao-duc"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Thư viện xanh ở Trường THCS Bản Cầm",
        "text": (
            "Không đợi kinh phí xây phòng thư viện, thầy cô Trường THCS Bản Cầm, huyện Bảo "
            "Thắng tận dụng gốc cây trong sân trường, đóng giá sách bằng gỗ, che mái lá để làm "
            "thư viện xanh. Sách được học sinh và phụ huynh quyên góp, tổng cộng gần 2.000 "
            "cuốn. Mỗi lớp cử hai em làm cán bộ thư viện, tự ghi sổ mượn trả. Giờ ra chơi, học "
            "sinh ngồi đọc sách dưới bóng cây thay vì chạy nhảy ngoài cổng. Nhà trường tổ chức "
            "ngày hội đọc sách mỗi học kỳ, khuyến khích các em kể lại câu chuyện đã đọc. Mô hình "
            "giúp văn hóa đọc lan tỏa, kỹ năng diễn đạt của học sinh tiến bộ rõ."
        ),
        "campaigns": ["giao-duc"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Cô hiệu trưởng Trần Thị Thu Hà và hành trình đưa trường đạt chuẩn quốc gia",
        "text": (
            "Khi cô Trần Thị Thu Hà về làm hiệu trưởng Trường Tiểu học Cam Đường năm 2012, nhà "
            "trường còn nhiều phòng học xuống cấp, chất lượng giáo dục chưa đồng đều. Cô xây "
            "dựng kế hoạch từng năm, chú trọng bồi dưỡng chuyên môn cho giáo viên qua sinh hoạt "
            "tổ khối, dự giờ thăm lớp. Cô vận động các doanh nghiệp, phụ huynh hỗ trợ xây thêm "
            "sáu phòng học và sân chơi. Năm 2016, trường được công nhận đạt chuẩn quốc gia mức "
            "độ 2; tỷ lệ học sinh hoàn thành chương trình lớp học đạt 99,6%. Cô Hà nhiều năm "
            "liền đạt danh hiệu chiến sĩ thi đua cấp tỉnh, được Bộ Giáo dục và Đào tạo tặng "
            "Bằng khen."
        ),
        "campaigns": ["giao-duc"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Lớp học tiếng Việt cho trẻ trước tuổi đến trường ở Y Tý",
        "text": (
            "Nhiều trẻ người Hà Nhì, người Mông ở xã Y Tý khi vào lớp Một chưa nói được tiếng "
            "Việt. Từ năm học 2018-2019, Trường Mầm non Y Tý mở lớp học tiếng Việt hè cho trẻ "
            "năm tuổi. Giáo viên người dân tộc tại chỗ dạy song ngữ qua trò chơi, bài hát, "
            "tranh ảnh. Phụ huynh thay nhau nấu cơm trưa cho các cháu. Sau hai tháng, các em "
            "nhận biết được mặt chữ, mạnh dạn chào hỏi, kể chuyện. Giáo viên tiểu học nhận xét "
            "học sinh lớp Một năm nay theo kịp bài nhanh hơn hẳn các khóa trước. Đây là cách "
            "làm mới, chuẩn bị tốt cho trẻ vùng cao bước vào bậc tiểu học."
        ),
        "campaigns": ["giao-duc"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Co giao Lo Thi Thuy va nhung buoi day hoc ban dem cho phu nu ban Na Kem",
        "text": (
            "Ban ngay day lop Hai o diem truong Na Kem, buoi toi co giao Lo Thi Thuy lai mo "
            "lop xoa mu chu cho 24 chi em phu nu trong ban. Co tu bo tien mua vo, but, den pin "
            "cho hoc vien. Nhieu chi lan dau cam but da run tay, co kien nhan cam tay chi viec. "
            "Sau mot nam, 20 hoc vien doc thong, viet thao, biet ghi so chi tieu gia dinh va "
            "doc huong dan su dung thuoc. Phong Giao duc huyen da khen thuong co Thuy vi co "
            "nhieu dong gop cho cong tac pho cap giao duc, xoa mu chu o vung cao."
        ),
        "campaigns": ["giao-duc"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Tập thể giáo viên Trường PTDTBT THCS Pa Cheo giữ chân học sinh bán trú",
        "text": (
            "Trường PTDTBT THCS Pa Cheo có 260 học sinh, trong đó 180 em ở bán trú. Để các em "
            "yên tâm học tập, tập thể giáo viên nhà trường chia nhau trực buổi tối, kèm các em "
            "tự học, dạy thêm kỹ năng sống như giặt quần áo, nấu ăn, giữ gìn vệ sinh. Thầy cô "
            "trồng rau, nuôi gà cải thiện bữa ăn; cuối tuần đến từng nhà học sinh có nguy cơ "
            "bỏ học để động viên. Ba năm liền trường không có học sinh bỏ học, tỷ lệ tốt nghiệp "
            "THCS đạt 100%. Nhà trường được tặng cờ thi đua của UBND tỉnh, là tập thể lao động "
            "xuất sắc của ngành giáo dục."
        ),
        "campaigns": ["giao-duc"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    # ------------------------------------------------------------------ sức khỏe
    {
        "title": "Bác sĩ Nguyễn Văn Hưng, người thầy thuốc của đồng bào vùng cao Mường Khương",
        "text": (
            "Gần hai mươi năm công tác tại Trung tâm Y tế huyện Mường Khương, bác sĩ Nguyễn "
            "Văn Hưng đã trực tiếp thực hiện hàng nghìn ca cấp cứu, phẫu thuật. Nhiều đêm nhận "
            "tin báo bệnh nhân nguy kịch ở xã xa, anh cùng kíp trực vượt đèo trong mưa để kịp "
            "sơ cứu. Anh luôn ân cần với người bệnh, giải thích bằng tiếng địa phương để bà "
            "con yên tâm điều trị. Anh còn nghiên cứu đề tài cải tiến quy trình tiếp nhận bệnh "
            "nhân, giảm thời gian chờ khám. Bác sĩ Hưng hai lần được tôn vinh Gương sáng Y đức "
            "cấp tỉnh, là tấm gương tiêu biểu trong phong trào bảo vệ, chăm sóc sức khỏe nhân "
            "dân."
        ),
        "campaigns": ["suc-khoe"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Trạm Y tế xã Tả Phìn - nơi bà con tin tưởng gửi gắm sức khỏe",
        "text": (
            "Trạm Y tế xã Tả Phìn, huyện Sa Pa có sáu cán bộ, phụ trách hơn 3.500 dân. Trạm "
            "chia cán bộ về phụ trách từng thôn, phối hợp với nhân viên y tế thôn bản theo dõi "
            "phụ nữ mang thai và trẻ dưới năm tuổi. Nhờ vậy, tỷ lệ tiêm chủng đầy đủ đạt trên "
            "97%, tỷ lệ sinh con tại trạm tăng từ 30% lên 78% sau ba năm. Trạm xây dựng vườn "
            "thuốc nam với 80 loại cây, kết hợp y học cổ truyền trong điều trị. Năm 2018, trạm "
            "đạt Bộ tiêu chí quốc gia về y tế xã, được Sở Y tế tặng giấy khen là tập thể tiêu "
            "biểu trong công tác khám chữa bệnh ban đầu."
        ),
        "campaigns": ["suc-khoe"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Cô đỡ thôn bản Sần Thị Dín đi đẻ cùng chị em",
        "text": (
            "Từ khi được đào tạo làm cô đỡ thôn bản năm 2014, chị Sần Thị Dín ở thôn Lử Thẩn "
            "đã hỗ trợ an toàn cho hơn 60 ca sinh. Chị đến từng nhà có thai phụ, dặn khám thai "
            "định kỳ, nhận biết dấu hiệu nguy hiểm. Khi sản phụ trở dạ, chị gọi trạm y tế và "
            "thường đi cùng đến trạm. Nhiều gia đình trước đây quen để con dâu sinh con tại nhà, "
            "nay đã thay đổi nhờ chị kiên trì vận động. Chị còn hướng dẫn các bà mẹ cho con bú "
            "sớm, chăm sóc trẻ sơ sinh. Dù phụ cấp ít ỏi, chị Dín vẫn gắn bó với công việc vì "
            "muốn mẹ tròn con vuông."
        ),
        "campaigns": ["suc-khoe"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Khoa Hồi sức tích cực Bệnh viện Đa khoa tỉnh triển khai lọc máu liên tục",
        "text": (
            "Năm 2018, Khoa Hồi sức tích cực - Chống độc, Bệnh viện Đa khoa tỉnh Lào Cai lần "
            "đầu triển khai kỹ thuật lọc máu liên tục cho bệnh nhân suy đa tạng. Trước đây, "
            "những ca bệnh này phải chuyển lên tuyến trung ương, nhiều người không qua khỏi "
            "trên đường đi. Tập thể y bác sĩ của khoa được cử đi học tại Bệnh viện Bạch Mai, về "
            "xây dựng quy trình và luân phiên trực 24 giờ. Đến nay khoa đã điều trị thành công "
            "cho 45 bệnh nhân, tiết kiệm cho người bệnh hàng tỷ đồng chi phí. Kỹ thuật mới này "
            "giúp giảm tải tuyến trên và nâng cao chất lượng khám chữa bệnh tại tỉnh."
        ),
        "campaigns": ["suc-khoe"],
        "subject": "tap-the",
        "kind": "nhan-to-moi",
    },
    {
        "title": "Lương y Tẩn Láo Lở giữ bài thuốc tắm của người Dao đỏ",
        "text": (
            "Ông Tẩn Láo Lở, 68 tuổi, ở thôn Tả Phìn là lương y được bà con tin cậy. Ông nắm "
            "hơn 120 loại cây thuốc nam, trong đó có bài thuốc tắm giúp phụ nữ sau sinh mau hồi "
            "phục sức khỏe. Ông đã khám, bốc thuốc miễn phí cho hàng trăm người nghèo. Để bài "
            "thuốc không bị mai một, ông truyền dạy cho con cháu và cộng tác với Hội Đông y "
            "huyện ghi chép lại từng vị thuốc. Ông còn vận động bà con trồng cây thuốc thay vì "
            "vào rừng khai thác, bảo tồn nguồn dược liệu quý. Ông Lở được Hội Đông y tỉnh tặng "
            "giấy khen vì có nhiều đóng góp trong việc gìn giữ y học cổ truyền."
        ),
        "campaigns": ["suc-khoe"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Mô hình Câu lạc bộ dinh dưỡng cho bà mẹ có con dưới hai tuổi ở Nàn Sẩn",
        "text": (
            "Nhằm giảm tỷ lệ trẻ suy dinh dưỡng thấp còi, Trạm Y tế xã Nàn Sẩn phối hợp Hội "
            "Phụ nữ thành lập Câu lạc bộ dinh dưỡng với 40 bà mẹ có con dưới hai tuổi. Mỗi "
            "tháng câu lạc bộ sinh hoạt một lần: cân đo trẻ, thực hành nấu cháo bổ sung từ thực "
            "phẩm sẵn có như trứng, đậu, rau ngót, cá suối. Các bà mẹ được hướng dẫn vệ sinh "
            "khi chế biến thức ăn, cách chăm sóc trẻ khi bị tiêu chảy. Sau hai năm, tỷ lệ trẻ "
            "suy dinh dưỡng trong câu lạc bộ giảm 12%. Mô hình chi phí thấp, dễ làm, đang được "
            "ngành y tế huyện nhân rộng."
        ),
        "campaigns": ["suc-khoe"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Điều dưỡng Lê Thị Hạnh tận tụy bên giường bệnh",
        "text": (
            "Mười lăm năm làm điều dưỡng tại Khoa Nhi, Bệnh viện Đa khoa huyện Bảo Yên, chị Lê "
            "Thị Hạnh được đồng nghiệp quý mến vì sự chu đáo, tận tụy. Chị nhớ tên từng bệnh "
            "nhi, dỗ dành các cháu khi tiêm, hướng dẫn cha mẹ theo dõi nhiệt độ, cho uống thuốc "
            "đúng giờ. Nhiều gia đình khó khăn được chị giúp tiền ăn, tìm quần áo ấm. Chị có "
            "sáng kiến làm bảng hình ảnh hướng dẫn chăm sóc trẻ bằng ba thứ tiếng, dán tại "
            "buồng bệnh. Chị Hạnh nhiều năm được bình chọn là điều dưỡng giỏi, thực hiện tốt "
            "quy tắc ứng xử, đổi mới phong cách, thái độ phục vụ người bệnh."
        ),
        "campaigns": ["suc-khoe"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Y si Vu Thi Lan mang y te ve tung ban o Pha Long",
        "text": (
            "Hon muoi nam cong tac tai Tram y te xa Pha Long, y si Vu Thi Lan da di khap cac "
            "thon vung cao de kham benh, tiem chung cho tre em. Chi lap so theo doi tung phu nu "
            "mang thai, tung chau be duoi mot tuoi, nhac lich tiem bang tieng Mong. Trong dot "
            "dich soi nam 2019, chi cung dong nghiep truc ngay dem, khong de xay ra tu vong. "
            "Chi Lan con huong dan ba con an chin uong soi, lam nha tieu hop ve sinh de phong "
            "benh. Nam qua chi duoc So Y te tang giay khen la ca nhan tieu bieu trong cong tac "
            "cham soc suc khoe ban dau."
        ),
        "campaigns": ["suc-khoe"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    # ------------------------------------------------------------------ thanh niên
    {
        "title": "Chàng trai Dao khởi nghiệp với trà shan tuyết cổ thụ",
        "text": (
            "Sinh năm 1995, Triệu Văn Hải ở xã Nậm Tha, huyện Văn Bàn đã nhiều lần đi làm thuê "
            "ở khu công nghiệp. Năm 2018, anh quyết định trở về quê, cùng ba đoàn viên thanh "
            "niên trong thôn góp vốn mua máy sao chè, thu mua búp chè shan tuyết từ những cây "
            "cổ thụ trên núi. Hải tự học cách thiết kế bao bì, mở trang bán hàng trên mạng xã "
            "hội. Sản phẩm trà của nhóm nhanh chóng có khách quen ở Hà Nội. Dự án của Hải đạt "
            "giải Ba cuộc thi ý tưởng khởi nghiệp do Tỉnh đoàn tổ chức. Hiện cơ sở tạo việc làm "
            "cho 8 lao động trẻ, giúp bà con bán búp chè với giá cao hơn trước."
        ),
        "campaigns": ["thanh-nien", "nong-thon-moi"],
        "subject": "ca-nhan",
        "kind": "nhan-to-moi",
    },
    {
        "title": "Chi đoàn thôn Phố Cũ với công trình thắp sáng đường quê",
        "text": (
            "Hưởng ứng Tháng Thanh niên, Chi đoàn thôn Phố Cũ, xã Phong Niên đã vận động đoàn "
            "viên góp công, xin tài trợ bóng đèn và dây điện để lắp 60 bóng đèn chiếu sáng dọc "
            "2 km đường thôn. Các đoàn viên tự đào hố, dựng cột, đấu nối dưới sự hướng dẫn của "
            "thợ điện. Công trình thanh niên hoàn thành sau ba tuần, giúp bà con đi lại an toàn "
            "vào buổi tối. Chi đoàn còn duy trì đội hình thanh niên tình nguyện dọn vệ sinh, "
            "sửa đèn hỏng hằng tháng. Năm 2019, Chi đoàn được Huyện đoàn Bảo Thắng công nhận là "
            "chi đoàn vững mạnh xuất sắc."
        ),
        "campaigns": ["thanh-nien"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Nữ đoàn viên Hoàng Thị Nhung và 12 lần hiến máu tình nguyện",
        "text": (
            "Hoàng Thị Nhung, đoàn viên Chi đoàn Trung tâm Văn hóa huyện Bát Xát, lần đầu hiến "
            "máu khi còn là sinh viên năm nhất. Đến nay, chị đã 12 lần hiến máu tình nguyện và "
            "là thành viên Câu lạc bộ Ngân hàng máu sống của huyện, sẵn sàng có mặt khi bệnh "
            "viện cần nhóm máu hiếm. Chị còn tham gia các chương trình tình nguyện mùa đông, "
            "quyên góp áo ấm cho học sinh vùng cao. Với chị, tuổi trẻ phải sống có ích. Chị "
            "Nhung được Tỉnh đoàn tặng Bằng khen vì có thành tích xuất sắc trong công tác Đoàn "
            "và phong trào thanh niên."
        ),
        "campaigns": ["thanh-nien"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Đội thanh niên xung kích xã Cốc San làm đường cứu hộ sau lũ",
        "text": (
            "Trận lũ quét tháng 8 năm 2018 làm sạt lở nhiều đoạn đường liên thôn ở xã Cốc San. "
            "Ngay trong đêm, Đội thanh niên xung kích của xã gồm 25 đoàn viên đã có mặt, giúp "
            "di dời 14 hộ dân ra khỏi vùng nguy hiểm, khuân vác đồ đạc, lúa gạo. Những ngày sau "
            "đó, đội cùng bộ đội và dân quân dọn bùn đất, san gạt đường để xe cứu trợ vào được. "
            "Các bạn trẻ còn quyên góp tiền, mì tôm, nước sạch cho bà con bị thiệt hại. Đội được "
            "Ban Thường vụ Tỉnh đoàn khen thưởng đột xuất vì tinh thần xung kích, tình nguyện."
        ),
        "campaigns": ["thanh-nien"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Mô hình Chi đoàn số ở Trường Cao đẳng: sinh hoạt đoàn trên điện thoại",
        "text": (
            "Năm học 2019-2020, Đoàn trường Cao đẳng Lào Cai thí điểm mô hình chi đoàn số. "
            "Mỗi chi đoàn có nhóm trên ứng dụng nhắn tin, đăng tải nghị quyết, lịch sinh hoạt, "
            "tổ chức thi tìm hiểu trực tuyến về lịch sử Đoàn. Đoàn viên nộp đoàn phí, đăng ký "
            "tham gia hoạt động tình nguyện qua biểu mẫu điện tử. Bí thư chi đoàn theo dõi được "
            "mức độ tham gia của từng bạn. Sau một học kỳ, tỷ lệ đoàn viên tham gia sinh hoạt "
            "đạt 95%, các buổi sinh hoạt sôi nổi hơn. Mô hình được Tỉnh đoàn đánh giá là cách "
            "làm mới, phù hợp với thanh niên thời đại số."
        ),
        "campaigns": ["thanh-nien"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Cô gái Tày mở xưởng may thổ cẩm, tạo việc làm cho chị em",
        "text": (
            "Tốt nghiệp cao đẳng, Ma Thị Thúy, sinh năm 1993 ở xã Nghĩa Đô không tìm việc ở "
            "thành phố mà về quê mở xưởng may các sản phẩm túi, ví, khăn từ vải thổ cẩm truyền "
            "thống. Thúy là người đầu tiên trong xã đưa sản phẩm thổ cẩm lên sàn thương mại "
            "điện tử. Từ hai máy may ban đầu, nay xưởng có 15 lao động nữ, thu nhập 4 triệu đồng "
            "mỗi tháng. Thúy còn dạy nghề miễn phí cho các bạn trẻ trong vùng. Năm 2020, Thúy "
            "được Trung ương Đoàn trao Giải thưởng Lương Định Của dành cho thanh niên nông thôn "
            "tiêu biểu."
        ),
        "campaigns": ["thanh-nien"],
        "subject": "ca-nhan",
        "kind": "nhan-to-moi",
    },
    {
        "title": "Thanh nien tinh nguyen xa Ban Xeo ho tro ba con thu hoach lua",
        "text": (
            "Vao mua gat, nhieu gia dinh o xa Ban Xeo thieu nhan luc vi con em di lam xa. Doan "
            "xa da thanh lap doi hinh thanh nien tinh nguyen gom 30 doan vien, chia thanh "
            "nhom giup cac ho neo don, ho chinh sach gat lua, van chuyen thoc ve nha. Trong "
            "hai tuan, doi da giup 42 ho thu hoach hon 15 ha lua. Cac ban tre con sua lai mot "
            "doan muong bi sat, don ve sinh nha van hoa thon. Hoat dong cua doi hinh duoc ba "
            "con danh gia cao, goi la nhung nguoi con cua ban."
        ),
        "campaigns": ["thanh-nien"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Người trẻ đầu tiên đưa máy bay không người lái phun thuốc về Bảo Thắng",
        "text": (
            "Vũ Đức Mạnh, 26 tuổi, kỹ sư cơ khí, là người trẻ đầu tiên ở huyện Bảo Thắng đầu "
            "tư thiết bị bay không người lái để phun thuốc, bón phân cho ruộng lúa và vườn cây. "
            "Mạnh vay 300 triệu đồng từ quỹ hỗ trợ thanh niên khởi nghiệp, học điều khiển và "
            "bảo dưỡng thiết bị. Mỗi giờ thiết bị phun được 4 ha, tiết kiệm 30% thuốc và giúp "
            "nông dân không phải tiếp xúc trực tiếp với hóa chất. Sau một năm, Mạnh đã phục vụ "
            "hơn 600 hộ trong và ngoài huyện. Anh là một nhân tố mới trong phong trào thanh niên "
            "làm chủ đất nước."
        ),
        "campaigns": ["thanh-nien", "nong-thon-moi"],
        "subject": "ca-nhan",
        "kind": "nhan-to-moi",
    },
    # ------------------------------------------------------------------ quốc phòng, an ninh
    {
        "title": "Đồn Biên phòng Bản Vược với chương trình nâng bước em tới trường",
        "text": (
            "Đồn Biên phòng Bản Vược đang nhận đỡ đầu 12 học sinh có hoàn cảnh khó khăn, mỗi "
            "em được hỗ trợ 500 nghìn đồng mỗi tháng. Bên cạnh nhiệm vụ quản lý, bảo vệ đường "
            "biên giới và cột mốc, cán bộ, chiến sĩ của đồn thường xuyên đến nhà từng em, động "
            "viên gia đình cho con đi học. Đồn còn phối hợp với xã tuyên truyền pháp luật, vận "
            "động bà con không nghe kẻ xấu xuất cảnh trái phép. Nhờ gần dân, đồn nắm chắc tình "
            "hình, giữ vững an ninh trật tự khu vực biên giới. Đồn được tặng Bằng khen của Bộ "
            "Tư lệnh Bộ đội Biên phòng."
        ),
        "campaigns": ["quoc-phong-an-ninh"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Trung đội trưởng dân quân Sùng Seo Dìn và những đêm tuần tra",
        "text": (
            "Là trung đội trưởng dân quân xã Tả Gia Khâu, anh Sùng Seo Dìn luôn gương mẫu trong "
            "huấn luyện và tuần tra. Mỗi tháng, anh cùng dân quân phối hợp với công an xã tổ "
            "chức tuần tra ban đêm, phát hiện và ngăn chặn nhiều vụ trộm trâu bò. Anh vận động "
            "thanh niên trong thôn hăng hái lên đường nhập ngũ, chính em trai anh cũng tòng quân "
            "năm 2017. Trong diễn tập khu vực phòng thủ huyện, trung đội của anh hoàn thành xuất "
            "sắc nhiệm vụ. Anh Dìn được Bộ Chỉ huy Quân sự tỉnh tặng giấy khen vì có thành tích "
            "trong xây dựng lực lượng dân quân tự vệ."
        ),
        "campaigns": ["quoc-phong-an-ninh"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Mô hình Tổ an ninh tự quản dòng họ ở xã Dìn Chin",
        "text": (
            "Xã Dìn Chin có nhiều dòng họ người Mông sinh sống lâu đời. Từ năm 2017, Công an xã "
            "vận động các trưởng họ thành lập tổ an ninh tự quản theo dòng họ. Mỗi tổ do trưởng "
            "họ làm tổ trưởng, các thành viên cam kết không để con cháu vi phạm pháp luật, không "
            "nghe theo tà đạo, không tham gia mua bán ma túy. Khi trong họ có mâu thuẫn, tổ tự "
            "hòa giải ngay từ đầu. Sau ba năm, 9 tổ tự quản đã hòa giải thành 27 vụ việc, cung "
            "cấp nhiều nguồn tin giúp công an xử lý kịp thời. Mô hình góp phần giữ vững an ninh "
            "trật tự ở địa bàn biên giới."
        ),
        "campaigns": ["quoc-phong-an-ninh"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Gia đình ông Lồ Văn Lìn ba thế hệ tự nguyện bảo vệ cột mốc",
        "text": (
            "Nhà ông Lồ Văn Lìn ở thôn Lũng Pô, xã A Mú Sung cách cột mốc biên giới chưa đầy "
            "một cây số. Từ năm 2002, gia đình ông nhận tự quản đoạn đường biên dài 2 km. Ông "
            "dạy con cháu nhận biết mốc giới, thường xuyên phát quang, báo ngay cho đồn biên "
            "phòng khi có người lạ qua lại. Con trai ông nay là thôn đội trưởng, cháu nội vừa "
            "nhập ngũ vào bộ đội biên phòng. Gia đình ông ba lần được UBND tỉnh tặng bằng khen "
            "trong phong trào toàn dân tham gia bảo vệ chủ quyền lãnh thổ, an ninh biên giới "
            "quốc gia."
        ),
        "campaigns": ["quoc-phong-an-ninh"],
        "subject": "ho-gia-dinh",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Thượng úy Giàng A Tủa, cảnh sát khu vực được lòng dân",
        "text": (
            "Phụ trách địa bàn phường Bắc Cường, Thượng úy Giàng A Tủa, Công an thành phố Lào "
            "Cai luôn sâu sát cơ sở. Anh thuộc từng con ngõ, nắm rõ các đối tượng có nguy cơ vi "
            "phạm pháp luật. Năm 2019, từ nguồn tin do quần chúng cung cấp, anh cùng đồng đội "
            "phá thành công hai chuyên án mua bán trái phép chất ma túy. Anh tham gia cảm hóa "
            "năm thanh niên từng nghiện hút, giúp họ có việc làm ổn định. Thượng úy Tủa được "
            "Giám đốc Công an tỉnh tặng danh hiệu chiến sĩ thi đua cơ sở, là điển hình trong "
            "phong trào toàn dân bảo vệ an ninh Tổ quốc."
        ),
        "campaigns": ["quoc-phong-an-ninh"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Hội Cựu chiến binh xã Bản Lầu giữ bình yên thôn bản",
        "text": (
            "Hội Cựu chiến binh xã Bản Lầu có 86 hội viên. Phát huy phẩm chất bộ đội Cụ Hồ, "
            "hội thành lập ba tổ cựu chiến binh tham gia giữ gìn an ninh trật tự ở các thôn "
            "giáp biên. Các hội viên tuyên truyền cho bà con không vượt biên làm thuê trái "
            "phép, không tàng trữ hàng cấm. Hằng quý, tổ phối hợp với Đồn Biên phòng tuần tra "
            "đường biên, cột mốc. Ba năm qua, hội viên đã phát hiện, báo cáo 11 vụ việc, góp "
            "phần để địa bàn không xảy ra tội phạm nghiêm trọng. Hội được Hội Cựu chiến binh "
            "tỉnh tặng cờ thi đua."
        ),
        "campaigns": ["quoc-phong-an-ninh"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Camera nối mạng điện thoại - cách làm mới giữ an ninh thôn Pạc Tà",
        "text": (
            "Thôn Pạc Tà, xã Bản Xèo vừa lắp bốn mắt camera tại các ngả đường chính bằng tiền "
            "đóng góp của 70 hộ dân. Hình ảnh được truyền về điện thoại của trưởng thôn, công "
            "an viên và tổ trưởng tổ tự quản. Lần đầu tiên ở xã có một thôn tự giám sát an "
            "ninh theo cách này. Nhờ hình ảnh camera, công an xã nhanh chóng tìm ra kẻ trộm xe "
            "máy và trả lại cho người dân. Đêm đêm, bà con yên tâm để trâu bò ngoài chuồng. "
            "Cách làm được huyện đánh giá là nhân tố mới trong phong trào bảo vệ an ninh Tổ "
            "quốc."
        ),
        "campaigns": ["quoc-phong-an-ninh"],
        "subject": "tap-the",
        "kind": "nhan-to-moi",
    },
    {
        "title": "Dan quan Vang A Senh phat hien doi tuong van chuyen ma tuy qua bien gioi",
        "text": (
            "Trong mot dem tuan tra thang 3 nam 2019, dan quan Vang A Senh o xa Pa Cheo phat "
            "hien hai doi tuong mang theo ba lo di duong mon sat duong bien. Anh bi mat bam "
            "theo va bao ngay cho Don Bien phong Trinh Tuong. Luc luong chuc nang bat giu doi "
            "tuong, thu giu 2 banh heroin. Truoc do, anh Senh tung nhieu lan cung cap nguon "
            "tin ve nguoi la qua lai khu vuc bien gioi. Anh duoc Chu tich UBND tinh tang bang "
            "khen vi co thanh tich xuat sac trong dau tranh phong chong toi pham ma tuy."
        ),
        "campaigns": ["quoc-phong-an-ninh"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    # ------------------------------------------------------------------ du lịch
    {
        "title": "Gia đình chị Tẩn Mẩy Lở làm homestay, thoát nghèo ở Tả Phìn",
        "text": (
            "Năm 2016, gia đình chị Tẩn Mẩy Lở người Dao đỏ ở xã Tả Phìn còn là hộ nghèo. "
            "Được huyện hỗ trợ tập huấn làm du lịch cộng đồng, vợ chồng chị sửa lại ngôi nhà gỗ, "
            "làm thêm khu vệ sinh khép kín, mua chăn đệm để đón khách nghỉ qua đêm. Chị học nấu "
            "các món ăn truyền thống và hướng dẫn du khách ngâm lá thuốc tắm của người Dao. "
            "Mỗi năm homestay đón gần 1.500 lượt khách, phần lớn là khách nước ngoài, thu nhập "
            "trên 200 triệu đồng. Gia đình chị đã thoát nghèo, còn thuê thêm ba lao động trong "
            "thôn. Nhiều hộ láng giềng học theo mở dịch vụ lưu trú."
        ),
        "campaigns": ["du-lich", "nong-thon-moi"],
        "subject": "ho-gia-dinh",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Hướng dẫn viên 9X người Mông nói thạo ba ngoại ngữ",
        "text": (
            "Chưa học hết phổ thông, Thào Thị Mỷ, sinh năm 1996 ở Sa Pa đã theo các chị trong "
            "bản dẫn khách đi bộ qua các thung lũng. Mỷ tự học tiếng Anh, tiếng Pháp và tiếng "
            "Tây Ban Nha từ chính du khách. Năm 2018, Mỷ cùng bốn bạn gái người Mông thành lập "
            "nhóm hướng dẫn viên địa phương, nhận đặt tour qua trang mạng cá nhân. Nhóm đưa "
            "khách về ăn ở tại nhà dân, dạy khách thêu, nhuộm chàm. Mỗi năm nhóm đón hơn 800 "
            "khách quốc tế. Mỷ là gương mặt trẻ tiêu biểu của du lịch Sa Pa, góp phần giới "
            "thiệu bản sắc văn hóa dân tộc Mông với bạn bè năm châu."
        ),
        "campaigns": ["du-lich", "thanh-nien"],
        "subject": "ca-nhan",
        "kind": "nhan-to-moi",
    },
    {
        "title": "Bản Nậm Đăm - điểm du lịch cộng đồng do người dân tự quản",
        "text": (
            "Bản Nậm Đăm, xã Quản Bạ có 56 hộ người Dao. Năm 2012, bản thành lập Ban quản lý "
            "du lịch cộng đồng, đưa ra quy ước chung: giữ nhà trình tường, không bán hàng đeo "
            "bám khách, chia sẻ lợi nhuận cho quỹ chung của bản. Hiện có 12 hộ làm homestay, "
            "đội văn nghệ của bản biểu diễn múa, hát cho khách mỗi tối. Năm 2019, bản đón hơn "
            "10.000 lượt du khách, doanh thu từ du lịch chiếm một nửa thu nhập của bản. Mô hình "
            "du lịch cộng đồng Nậm Đăm được nhiều địa phương đến học tập kinh nghiệm."
        ),
        "campaigns": ["du-lich"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Nghệ nhân Lý Seo Chà giữ lửa múa khèn ở chợ phiên Bắc Hà",
        "text": (
            "Mỗi chủ nhật, du khách đến chợ phiên Bắc Hà đều dừng chân xem ông Lý Seo Chà, 72 "
            "tuổi, thổi khèn và múa những điệu múa cổ của người Mông. Ông đã dạy khèn cho hơn "
            "50 thanh thiếu niên trong huyện, thành lập đội biểu diễn phục vụ khách tham quan. "
            "Ông còn sưu tầm những bài khèn cổ, phối hợp với Phòng Văn hóa ghi âm lưu giữ. Nhờ "
            "những người như ông, nghệ thuật khèn Mông không bị mai một mà trở thành sản phẩm "
            "du lịch đặc sắc. Năm 2019, ông Chà được Nhà nước phong tặng danh hiệu Nghệ nhân ưu "
            "tú."
        ),
        "campaigns": ["du-lich"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Công ty lữ hành đưa khách về bản, chia lợi ích cho người dân",
        "text": (
            "Công ty TNHH Du lịch Hoàng Liên đã xây dựng 14 tour trải nghiệm đưa khách về các "
            "bản vùng cao Bát Xát, Bắc Hà. Công ty ký hợp đồng với 30 hộ dân làm dịch vụ lưu "
            "trú, ăn uống, dẫn đường; tập huấn cho bà con cách đón tiếp khách, giữ vệ sinh. Mỗi "
            "lượt khách, công ty trích một phần doanh thu cho quỹ phát triển của bản. Năm 2018, "
            "công ty đưa đón gần 20.000 khách, giải quyết việc làm cho trên 100 lao động địa "
            "phương. Cách làm gắn lữ hành với cộng đồng được Sở Du lịch giới thiệu nhân rộng."
        ),
        "campaigns": ["du-lich"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Tổ thổ cẩm xã Bản Hồ biến nghề truyền thống thành quà lưu niệm",
        "text": (
            "Tổ hợp tác dệt thổ cẩm xã Bản Hồ gồm 25 phụ nữ người Tày, người Dao. Các chị em "
            "giữ kỹ thuật dệt, nhuộm chàm, thêu tay của ông bà, đồng thời thay đổi mẫu mã thành "
            "túi nhỏ, khăn quàng, vỏ gối hợp với thị hiếu của du khách. Tổ mở không gian trưng "
            "bày ngay tại nhà văn hóa, khách có thể ngồi thử dệt vải. Mỗi tháng tổ bán được "
            "khoảng 60 triệu đồng hàng lưu niệm. Nhờ nghề dệt, thu nhập của các chị tăng đáng "
            "kể, nhiều hộ đã thoát nghèo. Sản phẩm của tổ được trưng bày tại Năm Du lịch Quốc "
            "gia."
        ),
        "campaigns": ["du-lich", "nong-thon-moi"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Le tan khach san Bui Thi Hoa va nu cuoi than thien danh cho du khach",
        "text": (
            "Lam le tan tai mot khach san o thi xa Sa Pa da tam nam, chi Bui Thi Hoa duoc nhieu "
            "du khach nho den vi su tan tinh, chu dao. Chi thuoc long lich tau, xe, cac tuyen "
            "di bo, san sang tu van mien phi cho khach. Mot lan, chi nhat duoc tui xach co hon "
            "2.000 do la cua mot du khach Phap, da tim cach lien lac de tra lai. Chi con huong "
            "dan dong nghiep tre cach giao tiep voi khach quoc te. Chi Hoa duoc So Du lich bieu "
            "duong la nguoi lao dong tieu bieu nganh du lich."
        ),
        "campaigns": ["du-lich"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    # ------------------------------------------------------------------ văn minh đô thị
    {
        "title": "Tổ dân phố số 12 phường Kim Tân nói không với lấn chiếm vỉa hè",
        "text": (
            "Tổ dân phố số 12, phường Kim Tân có nhiều hộ kinh doanh ăn uống. Trước đây bàn ghế "
            "bày tràn vỉa hè, người đi bộ phải xuống lòng đường. Năm 2017, tổ tổ chức cho các "
            "hộ ký cam kết, kẻ vạch giới hạn kinh doanh, dành lối đi một mét cho người đi bộ. "
            "Tổ trưởng, tổ phó và Chi hội phụ nữ chia nhau nhắc nhở mỗi tối. Các hộ còn góp tiền "
            "trồng cây xanh, lắp thùng rác có nắp trước cửa. Sau một năm, tuyến phố thông "
            "thoáng, sạch đẹp; tổ được UBND thành phố công nhận là tổ dân phố văn minh đô thị "
            "tiêu biểu."
        ),
        "campaigns": ["van-minh-do-thi"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Chị công nhân môi trường Đỗ Thị Thanh 20 năm quét đường đêm",
        "text": (
            "Hai mươi năm nay, cứ 9 giờ tối chị Đỗ Thị Thanh, công nhân Công ty Môi trường đô "
            "thị Lào Cai lại bắt đầu ca làm việc. Chị phụ trách quét dọn 3 km đường phố trung "
            "tâm, thu gom rác thải đến tận khuya. Có những đêm mưa rét, chị vẫn đẩy xe rác qua "
            "từng ngõ. Chị thường nhắc nhở các hộ đổ rác đúng giờ, đúng nơi. Chị từng nhặt được "
            "ví tiền và giấy tờ, tìm trả cho người đánh rơi. Với những người như chị, thành phố "
            "mỗi sáng thức dậy đều sạch đẹp. Chị Thanh được Chủ tịch UBND tỉnh tặng bằng khen "
            "trong Năm trật tự văn minh đô thị."
        ),
        "campaigns": ["van-minh-do-thi"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Mô hình phân loại rác tại nguồn ở phường Bình Minh",
        "text": (
            "Từ tháng 3 năm 2019, phường Bình Minh thí điểm phân loại rác tại nguồn ở ba tổ dân "
            "phố. Mỗi hộ được phát hai thùng rác: rác hữu cơ và rác vô cơ. Rác hữu cơ được ủ "
            "làm phân bón cho vườn hoa của phường; chai nhựa, giấy vụn được Hội Phụ nữ thu gom, "
            "bán lấy tiền giúp học sinh nghèo. Tổ dân phố cử người hướng dẫn, kiểm tra hằng "
            "tuần. Sau sáu tháng, lượng rác chuyển đến bãi chôn lấp giảm gần 40%. Mô hình giúp "
            "người dân hình thành thói quen mới, góp phần xây dựng đô thị xanh, sạch, đẹp."
        ),
        "campaigns": ["van-minh-do-thi"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Tuyến phố văn minh ở thị trấn Bắc Hà",
        "text": (
            "Hưởng ứng Năm trật tự văn minh đô thị, tổ dân phố Na Cồ, thị trấn Bắc Hà vận động "
            "nhân dân xây dựng tuyến phố văn minh. Các hộ tự tháo dỡ mái che, biển quảng cáo "
            "sai quy định, sơn lại tường rào cùng màu. Mỗi sáng thứ bảy, cả tổ cùng quét dọn vệ "
            "sinh môi trường, khơi thông cống rãnh. Tổ trồng 200 gốc hoa đào dọc hai bên đường, "
            "giao cho từng hộ chăm sóc. Tuyến phố trở thành nơi du khách dừng chân chụp ảnh mỗi "
            "dịp Tết. Kết quả này đã góp phần giúp thị trấn Bắc Hà giữ vững danh hiệu đô thị "
            "loại V văn minh."
        ),
        "campaigns": ["van-minh-do-thi"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Ông Ngô Văn Thuận, tổ trưởng tổ dân phố gương mẫu",
        "text": (
            "Nghỉ hưu từ năm 2010, ông Ngô Văn Thuận được bà con tổ dân phố số 7 phường Phố Mới "
            "tín nhiệm bầu làm tổ trưởng. Ông đi từng nhà vận động các hộ không để vật liệu xây "
            "dựng trên vỉa hè, không đốt rác, giữ trật tự nơi công cộng. Ông lập nhóm trực tiếp "
            "nhận phản ánh của người dân để báo chính quyền xử lý. Cũng chính ông khởi xướng "
            "phong trào mỗi gia đình một chậu hoa trước cửa. Tổ dân phố số 7 ba năm liền đạt "
            "danh hiệu khu dân cư văn hóa. Ông Thuận được UBND thành phố khen thưởng vì có thành "
            "tích trong xây dựng nếp sống văn minh đô thị."
        ),
        "campaigns": ["van-minh-do-thi"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Doi thanh nien tinh nguyen dieu tiet giao thong truoc cong truong",
        "text": (
            "Moi buoi sang va chieu, 20 doan vien Doan phuong Coc Leu lai co mat truoc cong "
            "cac truong hoc tren dia ban de huong dan phu huynh dung xe dung cho, giup hoc sinh "
            "qua duong an toan. Doi hinh con nhac nho nguoi dan khong lan chiem via he, khong "
            "do xe duoi long duong. Sau mot nam, tinh trang un tac giao thong gio tan truong "
            "giam ro ret. Phuong danh gia day la mo hinh hay, gop phan xay dung trat tu do thi "
            "va an toan giao thong."
        ),
        "campaigns": ["van-minh-do-thi", "thanh-nien"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Hội Phụ nữ phường Duyên Hải với con đường hoa tự quản",
        "text": (
            "Hơn 1 km đường ven sông thuộc phường Duyên Hải từng là nơi người dân đổ trộm phế "
            "thải xây dựng. Hội Liên hiệp Phụ nữ phường đã vận động hội viên dọn sạch, trồng hoa "
            "mười giờ, dừa cạn và hoa giấy dọc hai bên đường. Mỗi chi hội nhận một đoạn, phân "
            "công người tưới nước, nhổ cỏ. Con đường hoa giờ trở thành nơi người dân đi bộ, tập "
            "thể dục mỗi sáng. Việc đổ phế thải không còn tái diễn. Con đường hoa tự quản của "
            "phụ nữ Duyên Hải là điểm sáng trong phong trào xây dựng đô thị văn minh, sạch đẹp."
        ),
        "campaigns": ["van-minh-do-thi"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    # ------------------------------------------------------------------ học tập Bác Hồ
    {
        "title": "Bí thư Đảng ủy xã Nậm Lúc gương mẫu làm theo lời Bác",
        "text": (
            "Làm Bí thư Đảng ủy xã Nậm Lúc, đồng chí Hoàng Văn Sơn luôn lấy lời Bác dạy cán bộ "
            "phải gần dân, hiểu dân làm kim chỉ nam. Mỗi tháng, đồng chí dành ít nhất mười ngày "
            "xuống thôn, ăn cùng, ở cùng bà con để nắm tâm tư. Đồng chí nói ít làm nhiều, việc "
            "gì khó đều đứng ra nhận trước. Gia đình đồng chí là hộ đầu tiên hiến đất làm "
            "đường. Nhờ sự nêu gương của người đứng đầu, cán bộ, đảng viên trong xã đoàn kết, "
            "tận tụy phục vụ nhân dân. Đồng chí Sơn được Tỉnh ủy biểu dương là điển hình trong "
            "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh."
        ),
        "campaigns": ["hoc-tap-bac-ho"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Chi bộ thôn Làng Giàng với mô hình mỗi tháng một lời Bác dạy",
        "text": (
            "Từ năm 2017, Chi bộ thôn Làng Giàng thực hiện mô hình mỗi tháng một lời Bác dạy. "
            "Tại buổi sinh hoạt chi bộ, một đảng viên trình bày một câu chuyện về Bác Hồ, sau "
            "đó cả chi bộ thảo luận, liên hệ với việc làm cụ thể của từng người trong tháng. "
            "Mỗi đảng viên đăng ký một việc làm theo như giúp hộ nghèo ngày công, vận động con "
            "em đi học. Cuối năm, chi bộ bình chọn những đảng viên tiêu biểu. Nhờ cách làm này, "
            "sinh hoạt chi bộ không còn khô cứng; việc thực hiện Chỉ thị 05 của Bộ Chính trị đi "
            "vào chiều sâu."
        ),
        "campaigns": ["hoc-tap-bac-ho"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Người đảng viên già 50 năm tuổi Đảng vẫn miệt mài việc thôn",
        "text": (
            "Ông Lục Văn Bảy năm nay 78 tuổi, đã có 50 năm tuổi Đảng. Dù tuổi cao, ông vẫn tham "
            "gia tổ hòa giải, ban công tác mặt trận thôn. Ông sống giản dị, tiết kiệm, dành "
            "tiền lương hưu giúp các cháu học sinh nghèo mua sách vở. Mỗi dịp sinh hoạt, ông kể "
            "cho lớp trẻ nghe những câu chuyện về tấm gương đạo đức của Bác Hồ mà ông đã đọc và "
            "ghi chép. Ông nói: học Bác là học những việc nhỏ nhất, làm ngay từ hôm nay. Người "
            "dân trong thôn coi ông là chỗ dựa tinh thần, là tấm gương sáng về lòng trung thành "
            "và tinh thần phục vụ nhân dân."
        ),
        "campaigns": ["hoc-tap-bac-ho"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Cán bộ một cửa Nông Thị Vân tận tình với dân",
        "text": (
            "Chị Nông Thị Vân, công chức văn phòng - thống kê xã Xuân Giao, phụ trách bộ phận "
            "tiếp nhận và trả kết quả. Chị luôn niềm nở, hướng dẫn người dân làm hồ sơ chu đáo, "
            "nhiều lần mang giấy tờ đến tận nhà cho người già yếu. Chị tự soạn bảng hướng dẫn "
            "thủ tục bằng hình ảnh để người không biết chữ cũng hiểu. Chị không nhận quà biếu "
            "của dân, sống giản dị, khiêm tốn. Ba năm liền không có hồ sơ nào trễ hẹn. Chị Vân "
            "được huyện biểu dương là gương điển hình trong thực hiện Chỉ thị 05 về học tập và "
            "làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh."
        ),
        "campaigns": ["hoc-tap-bac-ho", "don-vi"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Đại úy Phạm Quốc Huy - người chiến sĩ công an thấm nhuần lời Bác",
        "text": (
            "Khắc ghi sáu điều Bác Hồ dạy công an nhân dân, Đại úy Phạm Quốc Huy, Đội Cảnh sát "
            "giao thông Công an huyện Bảo Yên, luôn giữ tác phong đúng mực, kính trọng, lễ phép "
            "với nhân dân. Khi làm nhiệm vụ, anh kiên quyết xử lý vi phạm nhưng luôn giải "
            "thích tận tình. Anh từng nhiều lần chở người bị tai nạn đi cấp cứu, tự bỏ tiền "
            "giúp đỡ. Anh cùng đồng đội xây dựng nhà tình nghĩa cho gia đình chính sách. Đại úy "
            "Huy được Bộ Công an tặng bằng khen trong thực hiện cuộc vận động học tập và làm "
            "theo tư tưởng, đạo đức, phong cách Hồ Chí Minh."
        ),
        "campaigns": ["hoc-tap-bac-ho", "quoc-phong-an-ninh"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Cô giáo Lường Thị Hoa và lớp học đạo đức Bác Hồ cho thiếu nhi",
        "text": (
            "Cô giáo Lường Thị Hoa, Trường Tiểu học Phố Ràng số 1, đã biên soạn tập truyện kể "
            "về Bác Hồ với thiếu nhi phù hợp với học sinh tiểu học. Mỗi tuần, cô dành một tiết "
            "sinh hoạt để kể chuyện, cho học sinh đóng vai, rút ra bài học về lòng trung thực, "
            "chăm chỉ, biết yêu thương. Học sinh của cô ghi vào sổ việc tốt mỗi ngày. Nhà trường "
            "đã nhân rộng cách làm của cô ra toàn trường. Cô Hoa là tấm gương tiêu biểu trong "
            "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh của ngành giáo dục "
            "huyện."
        ),
        "campaigns": ["hoc-tap-bac-ho", "giao-duc"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Hoc tap va lam theo Bac o Trung tam Hanh chinh cong",
        "text": (
            "Thuc hien Chi thi 05, tap the can bo Trung tam Phuc vu hanh chinh cong huyen Bat "
            "Xat dang ky nhung viec lam cu the: khong de nguoi dan cho doi, cong khai so dien "
            "thoai de nhan phan anh, tra ket qua dung hen. Moi thang, chi bo danh gia viec lam "
            "theo cua tung dang vien. Trung tam bo tri goc sach ve Bac, khu vuc nghi cho nguoi "
            "gia va tre nho. Nam 2019, ty le nguoi dan hai long dat 98%. Tap the trung tam duoc "
            "Huyen uy tang giay khen trong hoc tap va lam theo tu tuong, dao duc, phong cach Ho "
            "Chi Minh."
        ),
        "campaigns": ["hoc-tap-bac-ho"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    # ------------------------------------------------------------------ don vi
    {
        "title": "Công nhân Lò Văn Quý với sáng kiến cải tiến máy nghiền quặng",
        "text": (
            "Anh Lò Văn Quý, thợ sửa chữa cơ khí Nhà máy tuyển quặng, Công ty Apatit, đã có "
            "năm sáng kiến cải tiến kỹ thuật được công ty công nhận. Sáng kiến thay đổi kết cấu "
            "búa nghiền giúp tuổi thọ thiết bị tăng gấp đôi, làm lợi cho công ty hơn 1 tỷ đồng "
            "mỗi năm. Anh luôn hoàn thành vượt mức kế hoạch, chấp hành nghiêm quy định an toàn "
            "lao động và kèm cặp nhiều công nhân trẻ. Anh Quý là chiến sĩ thi đua cơ sở nhiều "
            "năm liền, được Công đoàn ngành tặng bằng khen trong phong trào thi đua lao động "
            "sản xuất."
        ),
        "campaigns": ["don-vi"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Tổ kỹ thuật VNPT vùng cao giữ thông tin liên lạc trong mùa lũ",
        "text": (
            "Tổ kỹ thuật Trung tâm Viễn thông Bát Xát có 12 người, quản lý hơn 80 trạm phát "
            "sóng và 600 km cáp quang. Mùa mưa lũ năm 2018, nhiều tuyến cáp bị đứt, tổ chia "
            "thành ba nhóm, mang máy phát điện cõng bộ vào các trạm bị cô lập. Chỉ sau 48 giờ, "
            "liên lạc tại các xã vùng lũ được khôi phục, phục vụ kịp thời công tác chỉ đạo "
            "cứu hộ. Tổ còn nghiên cứu lắp đặt tủ nguồn dự phòng bằng năng lượng mặt trời, "
            "tiết kiệm chi phí vận hành. Tổ được Tập đoàn khen thưởng là tập thể lao động xuất "
            "sắc."
        ),
        "campaigns": ["don-vi"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Mô hình tiếp nhận hồ sơ thuế qua mạng của Chi cục Thuế khu vực",
        "text": (
            "Năm 2019, Chi cục Thuế khu vực Bảo Thắng - Bảo Yên triển khai mô hình hỗ trợ doanh "
            "nghiệp và hộ kinh doanh khai thuế qua mạng. Cán bộ thuế chia nhau hướng dẫn trực "
            "tiếp tại chỗ, lập nhóm hỗ trợ trên điện thoại để giải đáp vướng mắc. Thời gian xử "
            "lý hồ sơ rút ngắn từ ba ngày xuống còn trong ngày. Tỷ lệ doanh nghiệp nộp thuế "
            "điện tử đạt 99%. Người nộp thuế không phải đi lại, giảm chi phí. Mô hình là kết "
            "quả của phong trào thi đua cải cách hành chính của đơn vị."
        ),
        "campaigns": ["don-vi"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Phóng viên Trần Minh Đức - mười năm theo chân các sự kiện vùng biên",
        "text": (
            "Là phóng viên của Đài Phát thanh và Truyền hình tỉnh, anh Trần Minh Đức đã thực "
            "hiện hàng nghìn tin bài, phóng sự về đời sống đồng bào vùng cao. Nhiều chuyến tác "
            "nghiệp anh phải đi bộ cả ngày đường, ngủ lại nhà dân. Loạt phóng sự của anh về "
            "những lớp học tạm bợ đã góp phần kêu gọi các nhà hảo tâm xây mới ba điểm trường. "
            "Anh ba lần đạt giải báo chí cấp tỉnh. Anh luôn hoàn thành xuất sắc nhiệm vụ, là "
            "điển hình trong phong trào thi đua của cơ quan."
        ),
        "campaigns": ["don-vi"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Đội quản lý điện Bảo Yên và dịch vụ điện không cần đến giao dịch",
        "text": (
            "Đội Quản lý điện Bảo Yên, Công ty Điện lực Lào Cai triển khai cung cấp dịch vụ điện "
            "qua mạng: khách hàng đăng ký cấp điện mới, đổi tên hợp đồng, báo sự cố trên điện "
            "thoại mà không phải đến phòng giao dịch. Công nhân của đội nhận yêu cầu, đến lắp "
            "đặt công tơ trong vòng hai ngày. Đội còn thành lập nhóm xử lý sự cố lưới điện 24/7. "
            "Sau một năm, thời gian cấp điện giảm một nửa, mức độ hài lòng của khách hàng tăng "
            "rõ rệt. Đây là mô hình mới trong phong trào thi đua của ngành điện."
        ),
        "campaigns": ["don-vi"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Chị Đinh Thị Mai, kế toán Sở Tài chính với phần mềm quản lý ngân sách",
        "text": (
            "Là chuyên viên Phòng Quản lý ngân sách, Sở Tài chính, chị Đinh Thị Mai đã tự xây "
            "dựng bảng tính tổng hợp số liệu quyết toán từ các huyện, thay cho việc nhập tay "
            "trước đây. Sáng kiến giúp rút ngắn thời gian tổng hợp báo cáo từ hai tuần xuống ba "
            "ngày, hạn chế sai sót. Chị tận tình hướng dẫn kế toán các đơn vị dự toán sử dụng. "
            "Chị nhiều năm liền là chiến sĩ thi đua cơ sở, hoàn thành xuất sắc nhiệm vụ, được "
            "cơ quan chọn là gương điển hình trong phong trào thi đua của ngành tài chính."
        ),
        "campaigns": ["don-vi"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Công đoàn cơ sở Công ty Cấp nước chăm lo đời sống người lao động",
        "text": (
            "Công đoàn cơ sở Công ty Cổ phần Cấp nước Lào Cai có 230 đoàn viên. Công đoàn phối "
            "hợp với ban giám đốc tổ chức phong trào thi đua lao động sản xuất, thu hút hơn 40 "
            "sáng kiến mỗi năm. Công đoàn duy trì quỹ tương trợ, hỗ trợ đoàn viên bị ốm đau, "
            "hoạn nạn; xây dựng nhà ăn ca và khu thể thao cho công nhân. Mỗi năm công ty cấp "
            "nước an toàn, liên tục cho hơn 35.000 khách hàng. Công đoàn được Liên đoàn Lao động "
            "tỉnh tặng cờ thi đua là công đoàn cơ sở vững mạnh xuất sắc."
        ),
        "campaigns": ["don-vi"],
        "subject": "tap-the",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Kỹ sư trẻ Vi Văn Long lần đầu số hóa bản đồ lưới điện huyện",
        "text": (
            "Mới về công tác tại Điện lực Bắc Hà được hai năm, kỹ sư Vi Văn Long, 27 tuổi, đã "
            "đề xuất số hóa toàn bộ sơ đồ lưới điện của huyện trên nền bản đồ trực tuyến. Mỗi "
            "cột điện, trạm biến áp đều có tọa độ, hình ảnh và lịch sử sửa chữa. Khi có sự cố, "
            "công nhân chỉ cần mở điện thoại là biết vị trí và thiết bị cần mang theo. Thời gian "
            "khắc phục sự cố rút ngắn 30%. Đây là lần đầu một đơn vị điện lực cấp huyện của "
            "tỉnh có bản đồ số hoàn chỉnh. Sáng kiến của anh đang được công ty áp dụng ở các "
            "điện lực khác."
        ),
        "campaigns": ["don-vi"],
        "subject": "ca-nhan",
        "kind": "nhan-to-moi",
    },
    # ------------------------------------------------------------------ more mixed
    {
        "title": "Vợ chồng anh chị Đặng Văn Thành mở nhà hàng ẩm thực Dao đỏ đón khách",
        "text": (
            "Năm 2017, vợ chồng anh Đặng Văn Thành ở xã Tả Van vay vốn mở nhà hàng nhỏ bên "
            "đường đi bộ của du khách. Thực đơn là các món ăn của người Dao đỏ: gà đồi nướng, "
            "rau cải mèo, rượu ngô men lá. Chị Thành đảm việc bếp, anh lo đón khách, giới thiệu "
            "về phong tục của người Dao. Nhà hàng nhanh chóng được khách trong nước và quốc tế "
            "biết đến qua các trang đánh giá du lịch. Mỗi ngày quán đón 60 đến 80 lượt khách, "
            "tạo việc làm cho năm thanh niên trong thôn. Gia đình anh chị là hộ kinh doanh du "
            "lịch tiêu biểu của xã."
        ),
        "campaigns": ["du-lich"],
        "subject": "ho-gia-dinh",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Hộ gia đình bà Nguyễn Thị Lụa gương mẫu giữ vệ sinh đường làng ngõ xóm",
        "text": (
            "Gia đình bà Nguyễn Thị Lụa ở tổ dân phố số 3, thị trấn Phố Lu có ba thế hệ cùng "
            "sống. Bà và các con tự làm hố ủ rác hữu cơ sau vườn, phân loại chai lọ để bán, "
            "không bao giờ đổ rác ra đường. Chiều thứ sáu hằng tuần, cả nhà cùng quét dọn đoạn "
            "đường trước ngõ, nhổ cỏ, tưới hoa. Các cháu nhỏ trong nhà nhắc nhau không vứt rác "
            "bừa bãi. Hàng xóm thấy vậy cũng làm theo. Gia đình bà nhiều năm liền đạt danh hiệu "
            "gia đình văn hóa, được thị trấn biểu dương trong phong trào văn minh đô thị."
        ),
        "campaigns": ["van-minh-do-thi"],
        "subject": "ho-gia-dinh",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Gia đình thầy giáo Sầm Văn Kiên, ba thế hệ nhà giáo",
        "text": (
            "Ở xã Võ Lao, gia đình ông Sầm Văn Kiên được nhiều người biết đến là gia đình nhà "
            "giáo. Ông Kiên dạy học hơn 35 năm ở các trường vùng cao trước khi nghỉ hưu. Hai "
            "người con của ông đều là giáo viên tiểu học, con dâu dạy mầm non, cháu nội đang "
            "học sư phạm. Cả gia đình lập tủ sách chung cho trẻ em trong thôn mượn đọc, dạy "
            "kèm miễn phí cho học sinh yếu vào dịp hè. Gia đình ông được Hội Khuyến học tỉnh "
            "công nhận là gia đình hiếu học tiêu biểu."
        ),
        "campaigns": ["giao-duc"],
        "subject": "ho-gia-dinh",
        "kind": "dien-hinh-tien-tien",
    },
    {
        "title": "Trạm y tế lưu động bằng xe máy của Trung tâm Y tế Si Ma Cai",
        "text": (
            "Nhiều thôn ở Si Ma Cai cách trạm y tế xã hàng chục cây số, người già và trẻ nhỏ "
            "ngại đi khám. Năm 2019, Trung tâm Y tế huyện lập ba tổ y tế lưu động, mỗi tổ gồm "
            "bác sĩ, điều dưỡng và dược sĩ, đi xe máy chở theo thuốc và máy siêu âm cầm tay. "
            "Các tổ đến từng thôn theo lịch cố định, khám bệnh, tư vấn dinh dưỡng, phát hiện "
            "sớm bệnh tăng huyết áp. Sau một năm, hơn 6.000 lượt người được khám tại nhà. Đây "
            "là mô hình mới đưa dịch vụ y tế đến gần dân vùng cao."
        ),
        "campaigns": ["suc-khoe"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Thiếu úy trẻ dạy chữ cho bà con thôn biên giới",
        "text": (
            "Tốt nghiệp Học viện Biên phòng, Thiếu úy Nông Văn Tâm, 24 tuổi, về nhận công tác "
            "tại Đồn Biên phòng Mường Khương. Thấy nhiều bà con trong thôn biên giới chưa biết "
            "chữ, anh đề xuất mở lớp xóa mù chữ buổi tối tại nhà văn hóa thôn. Anh tự soạn bài "
            "giảng, kết hợp dạy chữ với tuyên truyền pháp luật về biên giới, phòng chống mua "
            "bán người. Lớp học có 30 học viên, sau sáu tháng phần lớn đã đọc được, viết được. "
            "Anh Tâm là một trong những đoàn viên thanh niên tiêu biểu của lực lượng bộ đội "
            "biên phòng tỉnh."
        ),
        "campaigns": ["quoc-phong-an-ninh", "giao-duc"],
        "subject": "ca-nhan",
        "kind": "nhan-to-moi",
    },
    {
        "title": "THÔN BẢN LIỀN MẪU HÌNH SẢN XUẤT LÚA HÀNG HÓA",
        "text": (
            "Thôn Bản Liền, xã Bản Liền, huyện Bắc Hà đã chuyển từ trồng lúa truyền thống sang "
            "sản xuất lúa hữu cơ theo hướng hàng hóa. Các hộ liên kết thành cánh đồng mẫu rộng "
            "35 ha, dùng chung giống, cùng lịch gieo cấy, không dùng phân bón hóa học. Gạo của "
            "thôn được một doanh nghiệp ký hợp đồng bao tiêu với giá cao hơn thị trường 20%. "
            "Thu nhập bình quân đầu người của thôn tăng từ 18 lên 32 triệu đồng mỗi năm. Mô hình "
            "góp phần giúp xã về đích nông thôn mới năm 2019."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "tap-the",
        "kind": "mo-hinh-moi",
    },
    {
        "title": "Nữ chủ tịch Hội Nông dân xã và tổ hợp tác trồng dược liệu",
        "text": (
            "Chị Vàng Thị Sâu, Chủ tịch Hội Nông dân xã Tả Củ Tỷ, là người đầu tiên thử trồng "
            "cây atiso và đương quy trên đất nương cằn. Thành công, chị vận động 22 hộ lập tổ "
            "hợp tác trồng dược liệu, liên kết với một công ty dược bao tiêu sản phẩm. Chị trực "
            "tiếp hướng dẫn kỹ thuật, đứng ra vay vốn cho các hộ khó khăn. Năm 2019, tổ thu "
            "hoạch 120 tấn dược liệu, thu nhập của các hộ tăng gấp ba so với trồng ngô. Nhiều "
            "hộ đã thoát nghèo. Chị Sâu được Trung ương Hội Nông dân Việt Nam tặng bằng khen."
        ),
        "campaigns": ["nong-thon-moi"],
        "subject": "ca-nhan",
        "kind": "dien-hinh-tien-tien",
    },
]
