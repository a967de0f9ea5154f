"""Learned sender addresses for admins (/admin/addresses; the session gate refuses /admin
to editors): every address an editor or ``dienhinh assign`` taught, the unit it counts
for, who taught it, when and from which article, with "Bỏ ghi nhớ" to undo one. Teaching
and undoing are audited (object type ``address``, actions ``learn-address`` and
``forget-address``), like the command line's ``forget-address``.
"""

from __future__ import annotations

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dienhinh.learning.editors import forget_address, learned_addresses
from dienhinh.review.app import Console
from dienhinh.review.flash import flash_message
from dienhinh.review.web import checked_form, form_str, user_of
from dienhinh.store.models import Article

__all__ = ["addresses_page", "forget"]


def addresses_page(request: Request) -> Response:
    console: Console = request.app.state.console
    with console.sessions() as s:
        rows = learned_addresses(s)
        wanted = sorted({r.source_article_id for r in rows if r.source_article_id})
        # Articles a reprocess replaced no longer exist: those rows link to the message.
        articles = set(s.execute(select(Article.id).where(Article.id.in_(wanted))).scalars())
    return console.render(
        request,
        "addresses.html",
        {
            "active": "addresses",
            "remembered": [r for r in rows if r.active],
            "forgotten": [r for r in rows if not r.active],
            "articles": articles,
            "flash": flash_message(request),
        },
    )


async def forget(request: Request) -> Response:
    """ "Bỏ ghi nhớ": later mail from the address is attributed from what it says again."""
    console: Console = request.app.state.console
    form = await checked_form(request)
    admin = user_of(request)
    address = form_str(form, "address")

    def run() -> bool:
        with console.sessions() as s:
            done = forget_address(s, address, editor=admin.login)
            s.commit()
            return done

    done = await run_in_threadpool(run)
    outcome = "address-forgotten" if done else "address-not-learned"
    return RedirectResponse(f"/admin/addresses?msg={outcome}", status_code=303)
