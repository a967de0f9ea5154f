"""The WordPress portal, through its REST API (``/wp-json/wp/v2``) with an Application
Password (HTTP Basic).

Idempotency, so that a retry after a timeout never makes a second post: every post this
publisher makes has the slug ``<slug_prefix>-<article id>`` ("dienhinh-42"), and every
photo ``<slug_prefix>-<article id>-<sha256 prefix>``. Before creating anything it looks
it up, first by the post id stored from the last success, then by slug (WordPress keeps an
explicit slug on drafts too). So a POST that reached WordPress but whose answer was lost is
found on the next try and updated, not repeated. Categories are found or created by the
campaign code as slug, with the campaign's title as name.

Errors: a timeout, a dropped connection, HTTP 5xx, 408 and 429 may pass (retryable);
any other 4xx (bad password, missing rights, invalid field) and an answer that is not the
REST API (a redirect, an HTML page) will not (permanent). Each message carries WordPress's
own error code and text, which the dashboard shows.

Everything the sender wrote goes to WordPress as text, never as markup: WordPress keeps
a post's ``title.raw``, excerpt and an attachment's title and caption as given and prints
them into its pages as HTML (``the_title`` adds no escaping, and the account publishing
is usually an administrator, whose ``unfiltered_html`` capability turns kses off). So
each such field is sent HTML-escaped (:func:`wp_text`): WordPress stores ``&lt;script&gt;``
and the reader sees "<script>"; "Hội LHPN & Đoàn" is stored ``&amp;`` and shown with its
ampersand (``esc_html`` and ``convert_chars`` never encode an entity twice). The content
is built escaped by :func:`~dienhinh.publish.render.article_html`. On top, the characters
WordPress would rewrite in printed text are sent as numeric references: a ``[`` (so a
sender's "[embed]" or "[gallery]" is no shortcode), and the "--", "...", " :)" that
wptexturize and the smilies would turn into other characters.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

from dienhinh import __version__
from dienhinh.core.config import Config
from dienhinh.core.errors import PermanentPublishError, RetryablePublishError

from .base import CampaignRef, ImageItem, PublicationItem, Receipt
from .config import PublishSettings, WordPressSettings
from .render import article_html

if TYPE_CHECKING:
    import httpx

__all__ = ["WordPressPublisher", "wp_html", "wp_text"]

log = logging.getLogger(__name__)

_RETRYABLE_STATUS = frozenset({408, 425, 429})


# What WordPress would rewrite in text it prints: a shortcode's "[" (do_shortcode), and
# what wptexturize and convert_smilies turn into other characters or an <img> ("--" into a
# dash, "..." into an ellipsis, 3x4 into a multiplication sign, " :)" into a smiley). Sent
# as numeric references, which the browser shows as the sender's very characters.
_WP_REWRITES = re.compile(r"\[|-{2,}|\.{3,}|`{2,}|(?<=\d)x(?=\d)|\((?=tm\))|(?:(?<=\s)|^)[:;8]")
_TAG = re.compile(r"(<[^>]*>)")


def _literal(text: str) -> str:
    return _WP_REWRITES.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group()), text)


def wp_html(html: str) -> str:
    """HTML we built (every text escaped) as WordPress content: its text shown literally,
    no shortcode (tags, our own, are kept as they are)."""
    return "".join(part if _TAG.fullmatch(part) else _literal(part) for part in _TAG.split(html))


def wp_text(text: str) -> str:
    """A sender's plain text for a WordPress field that WordPress prints as HTML (post
    and attachment title, excerpt, caption, alt text): escaped, quotes included, and shown
    literally (see :func:`wp_html`)."""
    return _literal(escape(text, quote=True))


@dataclass(frozen=True)
class _Media:
    id: int
    url: str


class WordPressPublisher:
    name: ClassVar[str] = "wordpress"

    def __init__(
        self, settings: WordPressSettings, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._password = settings.secret()  # a ConfigError naming the key when missing
        self._transport = transport
        self._categories: dict[str, int] = {}
        self._authenticated = False

    @classmethod
    def from_settings(cls, settings: PublishSettings, config: Config) -> WordPressPublisher:
        return cls(settings.wordpress)

    # -- HTTP ----------------------------------------------------------------------------

    def _client(self) -> httpx.Client:
        import httpx  # here, not at the top: `dienhinh poll` imports this package's registry

        s = self.settings
        return httpx.Client(
            auth=httpx.BasicAuth(s.user, self._password.reveal()),
            timeout=httpx.Timeout(s.timeout_seconds),
            verify=s.tls_verify,
            transport=self._transport,
            follow_redirects=False,
            headers={"User-Agent": f"dienhinh/{__version__}", "Accept": "application/json"},
        )

    def _call(
        self,
        client: httpx.Client,
        method: str,
        path: str,
        *,
        ok: tuple[int, ...] = (200, 201),
        **kwargs: Any,
    ) -> httpx.Response:
        """One request; transport failures and error answers become publish errors.
        Statuses in ``ok`` are returned to the caller (404 where "not there" is an answer).
        """
        import httpx

        url = self.settings.api + path
        where = f"WordPress {method} {path}"
        try:
            r = client.request(method, url, **kwargs)
        except httpx.TimeoutException as err:
            raise RetryablePublishError(
                f"{where}: no answer within {self.settings.timeout_seconds:g} s "
                f"({type(err).__name__})"
            ) from err
        except httpx.TransportError as err:
            raise RetryablePublishError(f"{where}: {type(err).__name__}: {err}") from err
        if r.status_code in ok:
            return r
        if r.status_code >= 500 or r.status_code in _RETRYABLE_STATUS:
            raise RetryablePublishError(f"{where}: HTTP {r.status_code} {_wp_error(r)}")
        if r.is_redirect:
            raise PermanentPublishError(
                f"{where}: redirected to {r.headers.get('location', '?')}; the REST API must "
                f"answer at {self.settings.api} (check publish.wordpress.url and that "
                "WordPress permalinks are not 'Plain')"
            )
        raise PermanentPublishError(f"{where}: HTTP {r.status_code} {_wp_error(r)}")

    def _json(self, r: httpx.Response) -> Any:
        try:
            return r.json()
        except ValueError as err:
            raise PermanentPublishError(
                f"WordPress {r.request.method} {r.request.url.path}: HTTP {r.status_code} "
                f"answered {r.headers.get('content-type', 'no content type')}, not JSON: is "
                f"{self.settings.api} the WordPress REST API?"
            ) from err

    # -- the publication -----------------------------------------------------------------

    def slug(self, item: PublicationItem) -> str:
        return f"{self.settings.slug_prefix}-{item.article_id}"

    def publish(self, item: PublicationItem) -> Receipt:
        with self._client() as client:
            if not self._authenticated:
                self._check_login(client)
            slug = self.slug(item)
            post = self._find_post(client, item, slug)
            media = {img.asset_id: self._media(client, item, img, slug) for img in item.images}
            categories = [self._category(client, c) for c in item.campaigns]
            cover = item.cover
            body: dict[str, Any] = {
                "title": wp_text(item.title),
                "content": wp_html(
                    article_html(item, lambda img: media[img.asset_id].url, include_cover=False)
                ),
                "excerpt": wp_text(item.lead),
                "slug": slug,
                "categories": categories,
                "featured_media": media[cover.asset_id].id if cover is not None else 0,
            }
            if post is None:
                body["status"] = self.settings.status
                r = self._call(client, "POST", "/posts", json=body)
                action = "created"
            else:
                # Re-publishing an edit never takes a live post offline: "draft" applies
                # to new posts; one an editor already published on the portal stays so.
                if post.get("status") != "publish":
                    body["status"] = self.settings.status
                r = self._call(client, "POST", f"/posts/{int(post['id'])}", json=body)
                action = "updated"
            data = self._json(r)
            log.info(
                "WordPress post %s %s for article %s (%s)",
                data.get("id"),
                action,
                item.article_id,
                data.get("link"),
            )
            return Receipt(
                remote_id=str(data["id"]),
                url=data.get("link") or None,
                detail=f"{action} post {data['id']} ({data.get('status')})",
            )

    def _check_login(self, client: httpx.Client) -> None:
        """Ask who we are before anything else. WordPress treats wrong credentials as an
        anonymous visitor, so without this the first symptom would be a baffling "Status
        is forbidden" on the post lookup instead of "not logged in"."""
        r = self._call(client, "GET", "/users/me", ok=(200, 401, 403))
        if r.status_code != 200:
            raise PermanentPublishError(
                f"WordPress GET /users/me: HTTP {r.status_code} {_wp_error(r)} (check "
                f"publish.wordpress.user {self.settings.user!r} and its Application Password)"
            )
        self._authenticated = True

    def _find_post(
        self, client: httpx.Client, item: PublicationItem, slug: str
    ) -> dict[str, Any] | None:
        """The post of an earlier attempt: by the stored id, else by slug."""
        if item.remote_id and item.remote_id.isdigit():
            r = self._call(
                client,
                "GET",
                f"/posts/{int(item.remote_id)}",
                params={"context": "edit"},
                ok=(200, 404, 410),
            )
            if r.status_code == 200:
                return dict(self._json(r))
            log.warning(
                "WordPress post %s of article %s is gone; looking up slug %s",
                item.remote_id,
                item.article_id,
                slug,
            )
        r = self._call(
            client,
            "GET",
            "/posts",
            params={"slug": slug, "status": "any", "context": "edit", "per_page": 5},
        )
        found = self._json(r)
        return dict(found[0]) if isinstance(found, list) and found else None

    def _media(
        self, client: httpx.Client, item: PublicationItem, img: ImageItem, post_slug: str
    ) -> _Media:
        slug = f"{post_slug}-{img.sha256[:16]}"
        r = self._call(client, "GET", "/media", params={"slug": slug, "context": "edit"})
        found = self._json(r)
        if isinstance(found, list) and found:
            return _Media(int(found[0]["id"]), str(found[0]["source_url"]))
        try:
            data = img.path.read_bytes()
        except OSError as err:
            raise PermanentPublishError(
                f"photo {img.asset_id} of article {item.article_id}: cannot read {img.path}: "
                f"{err.strerror}"
            ) from err
        fields = {
            "slug": slug,
            "title": wp_text(img.caption or item.title),
            "alt_text": wp_text(img.caption),
        }
        if img.caption:
            fields["caption"] = wp_text(img.caption)
        r = self._call(
            client,
            "POST",
            "/media",
            files={"file": (f"{slug}{img.extension}", data, img.content_type)},
            data=fields,
        )
        got = self._json(r)
        return _Media(int(got["id"]), str(got["source_url"]))

    def _category(self, client: httpx.Client, campaign: CampaignRef) -> int:
        if campaign.code in self._categories:
            return self._categories[campaign.code]
        r = self._call(client, "GET", "/categories", params={"slug": campaign.code})
        found = self._json(r)
        if isinstance(found, list) and found:
            cid = int(found[0]["id"])
        else:
            r = self._call(
                client,
                "POST",
                "/categories",
                json={"name": campaign.label, "slug": campaign.code},
                ok=(200, 201, 400),
            )
            got = self._json(r)
            if r.status_code == 400:
                # Another worker (or a person) made it meanwhile, or a category with this
                # name exists under another slug: WordPress names the existing term.
                err = got if isinstance(got, dict) else {}
                detail = err.get("data")
                term = detail.get("term_id") if isinstance(detail, dict) else None
                if err.get("code") != "term_exists" or term is None:
                    raise PermanentPublishError(
                        f"WordPress POST /categories: HTTP 400 {_wp_error(r)}"
                    )
                cid = int(term)
            else:
                cid = int(got["id"])
        self._categories[campaign.code] = cid
        return cid


def _wp_error(r: httpx.Response) -> str:
    """WordPress's error as "code: message" (its JSON error body), else the start of the
    body, so the dashboard shows what the portal said."""
    try:
        data = r.json()
    except ValueError:
        text = " ".join(r.text.split())
        return text[:300] or r.reason_phrase
    if isinstance(data, dict) and ("code" in data or "message" in data):
        return f"{data.get('code', '')}: {data.get('message', '')}".strip(": ")[:500]
    return str(data)[:300]
