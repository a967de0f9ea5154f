"""Imported only as the last preload of the extraction pool's forkserver (see
ingest/extraction.py): it runs the extraction and the taggers once on two small sample
messages, so that what they build on first use (the unit directory, the campaign
vocabulary, the phrase indexes of both the toned and the untoned text, the image library's
plugins) is built once in the forkserver and shared by every worker it forks, instead of
once per worker on its first message (about 0.2 s each, again at every poll of the
long-running worker, whose pools are new at each run).

The tagging settings come from the environment (:data:`WARM_ENV`, set by the process that
starts the forkserver, which inherits it). Nothing here may stop the forkserver: any
failure is logged and the workers then build what they need themselves, as before.
"""

from __future__ import annotations

import base64
import logging
import os
import pickle
import tempfile
import unicodedata
from email.message import EmailMessage
from pathlib import Path

__all__ = ["WARM_ENV", "encode_settings", "warm"]

log = logging.getLogger(__name__)

# The pickled tagging settings (base64), written by this program's own process into the
# environment its forkserver inherits; unset or empty: nothing is warmed.
WARM_ENV = "DIENHINH_POOL_WARM"

_TEXT = (
    "Tuổi trẻ huyện Bắc Hà ra quân tình nguyện hè\n\n"
    "Sáng 5/3, Huyện đoàn Bắc Hà tổ chức lễ ra quân chiến dịch thanh niên tình nguyện "
    "hè năm 2024 với sự tham gia của 300 đoàn viên, thanh niên.\n\n"
    "Các đội hình tình nguyện đã dọn vệ sinh môi trường, sửa đường giao thông nông thôn "
    "và tặng quà cho thiếu nhi có hoàn cảnh khó khăn tại xã Bản Phố.\n\n"
    "Huyện đoàn Bắc Hà\n"
)


def encode_settings(settings: object) -> str:
    """The value of :data:`WARM_ENV` for these tagging settings."""
    return base64.b64encode(pickle.dumps(settings)).decode("ascii")


def _untoned(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _sample(text: str, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Huyện đoàn Bắc Hà <huyendoan-bacha@laocai.gov.vn>"
    msg["To"] = "bantin@tinhdoan.laocai.gov.vn"
    msg["Subject"] = text.split("\n", 1)[0]
    msg["Message-ID"] = f"<warm-{n}@dienhinh.invalid>"
    msg["Date"] = "Tue, 05 Mar 2024 09:00:00 +0700"
    msg.set_content(text)
    return msg.as_bytes()


def warm() -> bool:
    """Extract and tag the samples with the settings in :data:`WARM_ENV`; True when done.
    The extraction writes nothing outside a temporary folder, removed afterwards."""
    encoded = os.environ.get(WARM_ENV, "")
    if not encoded:
        return False
    try:
        from PIL import Image

        from dienhinh.ingest.context import ExtractContext
        from dienhinh.ingest.extraction_task import extract_bytes

        Image.preinit()
        settings = pickle.loads(base64.b64decode(encoded))  # noqa: S301 - our own process wrote it
        with tempfile.TemporaryDirectory(prefix="dienhinh-warm-") as tmp:
            ctx = ExtractContext(blob_root=Path(tmp), tagging=settings)
            for n, text in enumerate((_TEXT, _untoned(_TEXT))):
                extract_bytes(_sample(text, n), ctx)
        return True
    except Exception:  # never stop the forkserver: the workers then warm up alone
        log.warning("the extraction pool's forkserver could not warm up", exc_info=True)
        return False


warm()
