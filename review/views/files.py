"""Photos, thumbnails, original attachments, raw messages, and the public feed.

What mail carried is served so that a browser never runs it: an image is shown inline only
when its bytes are a JPEG, PNG, GIF or WebP (the sender's Content-Type is not trusted;
SVG, which can hold script, is never inline); everything else, and every "download", is
``Content-Disposition: attachment`` as ``application/octet-stream``, with nosniff.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from dienhinh.review.app import Console
from dienhinh.review.web import content_disposition
from dienhinh.store.blobs import BlobStore
from dienhinh.store.models import Asset, Message

__all__ = ["asset_download", "asset_inline", "asset_thumb", "feed", "feed_media", "raw_message"]

log = logging.getLogger(__name__)

# Mail content (raw messages, attachments, photos and their thumbnails) is never written
# to the browser's disk cache: an office PC is shared, and a logout must leave nothing of
# it behind. Only the public feed's photos are cacheable (feed_media).
_CACHE = "no-store"


def image_type(data: bytes) -> str | None:
    """The image type the bytes really are, among the ones a browser may show inline."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _asset(console: Console, asset_id: int) -> tuple[Asset, bytes]:
    with console.sessions() as s:
        asset = s.get(Asset, asset_id)
        if asset is None:
            raise HTTPException(404, "Không có tệp này.")
        s.expunge(asset)
    try:
        return asset, console.blobs.read(asset.sha256)
    except (OSError, ValueError) as err:
        raise HTTPException(404, "Tệp không còn trong kho lưu trữ.") from err


def _download(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition("attachment", filename),
            "Cache-Control": _CACHE,
        },
    )


def _inline(data: bytes, asset: Asset) -> Response:
    kind = image_type(data)
    if kind is None:
        return _download(data, asset.filename or f"tep-{asset.id}")
    return Response(
        data,
        media_type=kind,
        headers={
            "Content-Disposition": content_disposition(
                "inline", asset.filename or f"anh-{asset.id}"
            ),
            "Cache-Control": _CACHE,
        },
    )


def asset_inline(request: Request) -> Response:
    asset, data = _asset(request.app.state.console, request.path_params["asset_id"])
    return _inline(data, asset)


def asset_download(request: Request) -> Response:
    asset, data = _asset(request.app.state.console, request.path_params["asset_id"])
    return _download(data, asset.filename or f"tep-{asset.id}")


@lru_cache(maxsize=512)
def _thumbnail(root: str, sha: str) -> bytes | None:
    from PIL import Image, UnidentifiedImageError

    data = BlobStore(Path(root)).read(sha)
    if image_type(data) is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.draft("RGB", (480, 480))  # JPEG: decode at a reduced scale, much faster
            img = img.convert("RGB")
            img.thumbnail((320, 320))
            out = io.BytesIO()
            img.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def asset_thumb(request: Request) -> Response:
    console: Console = request.app.state.console
    with console.sessions() as s:
        sha = s.execute(
            select(Asset.sha256).where(Asset.id == request.path_params["asset_id"])
        ).scalar()
    if sha is None:
        raise HTTPException(404, "Không có ảnh này.")
    try:
        thumb = _thumbnail(str(console.blobs.root), sha)
    except (OSError, ValueError) as err:
        raise HTTPException(404, "Ảnh không còn trong kho lưu trữ.") from err
    if thumb is None:
        raise HTTPException(404, "Tệp này không phải ảnh.")
    return Response(thumb, media_type="image/jpeg", headers={"Cache-Control": _CACHE})


def raw_message(request: Request) -> Response:
    """The email exactly as received (.eml), as a download."""
    console: Console = request.app.state.console
    with console.sessions() as s:
        msg = s.get(Message, request.path_params["message_id"])
        if msg is None:
            raise HTTPException(404, "Không có thư này.")
        sha, pk = msg.sha256, msg.id
    try:
        data = BlobStore(console.config.raw_dir).read(sha)
    except (OSError, ValueError) as err:
        raise HTTPException(404, "Thư gốc không còn trong kho lưu trữ.") from err
    return _download(data, f"thu-{pk}.eml")


# --- public ------------------------------------------------------------------------------


def feed(request: Request) -> Response:
    """The Atom feed of published articles (public: a portal pulls it). Its links are built
    on ``review.base_url`` only: a request's Host header is the client's to choose, and
    the feed is cached publicly, so one forged Host would hand every reader links to
    another site. Without the setting the feed is not served (503, and a log line)."""
    from dienhinh.publish.atom import render_feed

    console: Console = request.app.state.console
    base = console.review.base_url
    if not base:
        log.error(
            "feed: review.base_url is not set; /feed.atom answers 503 until it is "
            "(the console's public address, e.g. https://bantdkt.laocai.gov.vn)"
        )
        return PlainTextResponse(
            "Nguồn tin chưa được cấu hình: quản trị viên cần đặt review.base_url "
            "(địa chỉ công khai của hệ thống) trong config.toml.",
            status_code=503,
            headers={"Cache-Control": "no-store", "Retry-After": "3600"},
        )
    with console.sessions() as s:
        body = render_feed(s, console.config, base_url=base.rstrip("/"))
    return Response(
        body,
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "public, max-age=60"},
    )


def feed_media(request: Request) -> Response:
    """A photo of a published article, as the feed lists it (public, for feed readers);
    anything else is 404, as if it did not exist."""
    from dienhinh.publish.atom import feed_media as published_photo

    console: Console = request.app.state.console
    asset_id = request.path_params["asset_id"]
    with console.sessions() as s:
        found = published_photo(s, asset_id) is not None
    if not found:
        raise HTTPException(404, "Không có ảnh này.")
    asset, data = _asset(console, asset_id)
    if image_type(data) is None:
        raise HTTPException(404, "Không có ảnh này.")
    response = _inline(data, asset)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
