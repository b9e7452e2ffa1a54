"""The shop's public help centre (beside /contact): articles, search, and the suggestions on the contact form.
No sign-in; rate-limited per address; the counters it keeps are weekly totals per article, nothing per visitor."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale

from inbox import throttle
from inbox.extensions import db
from inbox.htmx import is_htmx
from inbox.i18n import _, force_locale
from inbox.ids import read_ids
from inbox.models import Shop
from inbox.services import help as help_service

bp = Blueprint("help", __name__, url_prefix="/help")

# Requests per minute per address: HELP_RATE_LIMIT pages, twice that many suggestions (typing with a 300 ms pause
# asks a few times a second at most, in bursts).
PAGES, SUGGESTIONS = 1, 2
CATEGORY_PREVIEW = 8           # articles per category on the overview; the rest behind "all in this category"
# Crawlers and link previews read pages too: their visits are not customers' and do not count.
BOT = re.compile(r"bot|crawl|spider|slurp|preview|headless|monitor|fetch|curl|wget|python|httpx|scrapy", re.I)


def language() -> str:
    """The customer's choice (?lang=), else the browser's language."""
    chosen = request.args.get("lang") or request.form.get("lang")
    if chosen in help_service.LANGUAGES:
        return chosen
    locale = str(get_locale())
    return locale if locale in help_service.LANGUAGES else "en"


def counts() -> bool:
    """Whether this request is a person's (counted) rather than a crawler's."""
    return request.method != "HEAD" and not BOT.search(request.user_agent.string or "")


def _shop_or_404(shop_id: int) -> Shop:
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        abort(404)
    return shop


def _throttle(share: int) -> None:
    if not throttle.public_request_allowed("help-suggest" if share == SUGGESTIONS else "help", share):
        abort(429)


@bp.get("/<int:shop_id>")
def index(shop_id: int):
    """The shop's help centre: every published article by category, or those that match a search."""
    _throttle(PAGES)
    shop = _shop_or_404(shop_id)
    lang, query = language(), (request.args.get("q") or "")[:200]
    category = request.args.get("category")
    index = help_service.index_for(shop.id)
    if query.strip():
        groups, results = [], help_service.search(index, query, 30)
    else:
        results = None
        entries = [e for e in index.ordered if e.category == category] if category in help_service.CATEGORIES \
            else index.ordered
        groups = help_service.grouped(entries)
    with force_locale(lang):
        return render_template("help/index.html", shop=shop, lang=lang, query=query, results=results, groups=groups,
                               category=category if category in help_service.CATEGORIES else None,
                               preview=None if category else CATEGORY_PREVIEW)


@bp.get("/<int:shop_id>/<int:article_id>-<slug>")
def article(shop_id: int, article_id: int, slug: str):
    """One article; its id is its address, so an old title's link is sent on to the current one."""
    _throttle(PAGES)
    shop = _shop_or_404(shop_id)
    found = help_service.published(shop.id, article_id)
    if found is None:
        abort(404)
    lang = language()
    head, body, written_in = help_service.page_text(found, lang)
    wanted = help_service.slug(head)
    if slug != wanted and not is_htmx():
        args = {"lang": request.args["lang"]} if "lang" in request.args else {}
        return redirect(url_for("help.article", shop_id=shop.id, article_id=found.id, slug=wanted, **args), 301)
    if counts():
        throttle.relax_commit()
        help_service.count(shop, [found.id], "opened")
        db.session.commit()
    page = "help/_reading.html" if is_htmx() else "help/article.html"
    with force_locale(lang):
        return render_template(page, shop=shop, lang=lang, article=found, title=head, body=body, slug=wanted,
                               written_in=written_in, category=found.category)


@bp.post("/<int:shop_id>/suggest")
def suggest(shop_id: int):
    """Articles that match what the customer is typing on the contact form (htmx, debounced)."""
    _throttle(SUGGESTIONS)
    shop = _shop_or_404(shop_id)
    lang = language()
    entries = help_service.suggest(help_service.index_for(shop.id), request.form.get("subject", ""),
                                   request.form.get("body", ""))
    already = {str(i) for i in read_ids(request.form.getlist("shown"), 50)}
    new = [e.id for e in entries if str(e.id) not in already]
    if new and counts():
        throttle.relax_commit()   # a count only: it may skip waiting for the disk
        help_service.count(shop, new, "shown")
        db.session.commit()
    with force_locale(lang):
        return render_template("help/_suggestions.html", shop=shop, lang=lang, entries=entries, new=new,
                               typed=bool(request.form.get("subject", "").strip()
                                          or request.form.get("body", "").strip()))


@bp.post("/<int:shop_id>/<int:article_id>/answered")
def answered(shop_id: int, article_id: int):
    """"This answered my question": counted for the article, and the question is not sent."""
    _throttle(PAGES)
    shop = _shop_or_404(shop_id)
    found = help_service.published(shop.id, article_id)
    if found is None:
        abort(404)
    lang = language()
    if counts():
        throttle.relax_commit()
        help_service.count(shop, [found.id], "answered")
        db.session.commit()
    with force_locale(lang):
        flash(_("Good to hear that helped. Your question has not been sent; you can always still ask us."), "success")
    return redirect(url_for("help.index", shop_id=shop.id, lang=lang), 303)
