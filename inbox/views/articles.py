"""Help articles, the staff side: owners and managers write, preview, order and publish them, and see how often
each one answered a question before it was sent. Agents pick them from the composer (views/composer.py) and turn
a good reply into a draft for a manager to finish (`from_reply`)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from inbox.access import require, shop_ticket_or_404
from inbox.extensions import db
from inbox.forms import choices
from inbox.i18n import _, lazy_gettext as _l
from inbox.ids import read_id
from inbox.labels import CATEGORY_LABELS
from inbox.models import HelpArticle
from inbox.services import help as help_service

bp = Blueprint("articles", __name__, url_prefix="/articles")

TITLE_LENGTH = 200
BODY_LENGTH = 50_000


class ArticleForm(FlaskForm):
    category = SelectField(_l("Category"), choices=choices([(c, CATEGORY_LABELS[c]) for c in help_service.CATEGORIES]))
    title_nl = StringField(_l("Title in Dutch"), validators=[Length(max=TITLE_LENGTH)])
    body_nl = TextAreaField(_l("Text in Dutch"), validators=[Length(max=BODY_LENGTH)], render_kw={"rows": 12})
    title_en = StringField(_l("Title in English"), validators=[Length(max=TITLE_LENGTH)])
    body_en = TextAreaField(_l("Text in English"), validators=[Length(max=BODY_LENGTH)], render_kw={"rows": 12})
    published = BooleanField(_l("Published: customers can read it"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        written = 0
        for lang in help_service.LANGUAGES:
            head, body = self[f"title_{lang}"], self[f"body_{lang}"]
            has_title, has_body = bool((head.data or "").strip()), bool((body.data or "").strip())
            if has_title and not has_body:
                body.errors = [*body.errors, _("Write the text for this title, or leave the title empty.")]
                ok = False
            elif has_body and not has_title:
                head.errors = [*head.errors, _("Give this text a title.")]
                ok = False
            written += has_title and has_body
        if not written:
            self.form_errors.append(_("Write the article in Dutch, in English, or in both."))
            ok = False
        return ok


def _article_or_404(article_id: int) -> HelpArticle:
    article = help_service.get(current_user.shop_id, article_id)
    if article is None:
        abort(404, description=f"Article {article_id} doesn't exist.")
    return article


@bp.get("")
@require("manage_help")
def index():
    """All help articles of the shop, drafts too, in the order the help centre shows them."""
    articles = help_service.all_articles(current_user.shop_id)
    return render_template("articles/index.html", groups=help_service.grouped(articles))


def _edit(article: HelpArticle, form: ArticleForm):
    preview = None
    if request.method == "POST":
        valid = form.validate()
        if request.form.get("action") == "preview":
            preview = {lang: (form[f"title_{lang}"].data, help_service.render(form[f"body_{lang}"].data))
                       for lang in help_service.LANGUAGES if (form[f"title_{lang}"].data or "").strip()}
        elif valid:
            created = article.id is None
            help_service.save(article, category=form.category.data, published=form.published.data,
                              texts={lang: (form[f"title_{lang}"].data, form[f"body_{lang}"].data)
                                     for lang in help_service.LANGUAGES}, by=current_user)
            db.session.commit()
            name = help_service.title(article, current_user.locale or "nl")
            flash(_("Article “%(title)s” created.", title=name) if created
                  else _("Article “%(title)s” saved.", title=name), "success")
            return redirect(url_for("articles.index"), 303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("articles/edit.html", form=form, article=article, preview=preview), status


@bp.route("/new", methods=["GET", "POST"])
@require("manage_help")
def new():
    """Write a new help article; ?message= starts it from one of the shop's replies."""
    data = {"category": request.args.get("category", "general")}
    message_id = request.args.get("message", "")
    if request.method == "GET" and message_id:
        reply_id = read_id(message_id)
        found = help_service.draft_from_message(current_user.shop_id, reply_id) if reply_id else None
        if found is None:
            abort(404, description=f"Reply {message_id} doesn't exist.")
        lang, head, body, category = found
        data.update({f"title_{lang}": head, f"body_{lang}": body, "category": category})
    form = ArticleForm(data=data) if request.method == "GET" else ArticleForm()
    return _edit(HelpArticle(shop_id=current_user.shop_id), form)


@bp.post("/from-reply/<int:message_id>")
@require("answer")
def from_reply(message_id: int):
    """An agent turns a good reply into a draft article: saved unpublished, with the reply's text and the question's
    subject and category, for a manager to make general and publish. The same reply twice makes one draft.

    :raise 404: for a reply of another shop."""
    found = help_service.draft_from_message(current_user.shop_id, message_id)
    if found is None:
        abort(404, description=f"Reply {message_id} doesn't exist.")
    lang, head, body, category = found
    article = help_service.draft_for_reply(current_user.shop_id, lang, head, body)
    if article is None:
        article = help_service.save(HelpArticle(shop_id=current_user.shop_id), category=category, published=False,
                                    texts={lang: (head[:TITLE_LENGTH], body[:BODY_LENGTH])}, by=current_user)
        db.session.commit()
    ticket_id = help_service.ticket_of_message(current_user.shop_id, message_id)
    flash(_("Saved as a draft help article. A manager can edit and publish it."), "success")
    return redirect(url_for("tickets.show", ticket_id=shop_ticket_or_404(ticket_id).id) + f"#message-{message_id}",
                    303)


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
@require("manage_help")
def edit(article_id: int):
    """Edit one of the shop's help articles (404 for another shop's)."""
    article = _article_or_404(article_id)
    form = ArticleForm(obj=article) if request.method == "GET" else ArticleForm()
    return _edit(article, form)


@bp.post("/<int:article_id>/move")
@require("manage_help")
def move(article_id: int):
    """Move an article one place up or down within its category."""
    article = _article_or_404(article_id)
    help_service.move(article, -1 if request.form.get("direction") == "up" else 1, by=current_user)
    db.session.commit()
    return redirect(url_for("articles.index", _anchor=f"article-{article.id}"), 303)


@bp.post("/<int:article_id>/delete")
@require("manage_help")
def delete(article_id: int):
    """Delete an article and its counters; its address stops working."""
    article = _article_or_404(article_id)
    name = help_service.title(article, current_user.locale or "nl")
    help_service.delete(article, by=current_user)
    db.session.commit()
    flash(_("Article “%(title)s” deleted.", title=name), "success")
    return redirect(url_for("articles.index"), 303)


@bp.get("/figures")
@require("manage_help")
def figures():
    """How often each article was suggested, read and marked as the answer, and the questions it kept from being
    sent (the deflection rate), per article and per week."""
    by_article, by_week = help_service.figures(current_user.shop)
    return render_template("articles/figures.html", by_article=by_article, by_week=by_week)
