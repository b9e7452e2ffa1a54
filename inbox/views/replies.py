"""Saved replies (templates): owners and managers write them, agents insert them from the composer."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from inbox import placeholders
from inbox.access import require, shop_row_or_404
from inbox.extensions import db
from inbox.forms import choices
from inbox.i18n import _, lazy_gettext as _l
from inbox.models import ReplyTemplate
from inbox.nudges import CATEGORIES
from inbox.services import reply_templates, uploads
from inbox.labels import CATEGORY_LABELS, LANGUAGE_NAMES

bp = Blueprint("replies", __name__, url_prefix="/templates")   # named after its folder, templates/replies/

MAX_OPTIONS = 8
OPTION_LENGTH = 300


class TemplateForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)],
                        description=_l("What agents see in the composer, e.g. “Damaged item: options”."))
    category = SelectField(_l("Category"), choices=choices([(c, CATEGORY_LABELS[c]) for c in CATEGORIES]))
    language = SelectField(_l("Language"), choices=choices([(code, name) for code, name in LANGUAGE_NAMES.items()]))
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 14})

    def validate_body(self, field):
        # A typo like {customer_frist_name} would reach the customer as-is: refuse it here, where it is made.
        unknown = placeholders.unknown_placeholders(field.data or "")
        if unknown:
            raise ValidationError(_(
                "Unknown placeholder: %(names)s. Use one of the placeholders listed next to the text.",
                names=", ".join("{" + name + "}" for name in unknown)))


def _options_from_form() -> tuple[list[str], list[str]]:
    """The solution rows as typed (blank ones dropped), and what is wrong with them."""
    options = [text.strip() for text in request.form.getlist("option") if text.strip()]
    errors = []
    if len(options) > MAX_OPTIONS:
        errors.append(_("At most %(n)s solutions; agents tick the ones that fit.", n=MAX_OPTIONS))
    if any(len(text) > OPTION_LENGTH for text in options):
        errors.append(_("Keep each solution under %(n)s characters.", n=OPTION_LENGTH))
    if any("{options}" in text for text in options):
        errors.append(_("A solution cannot contain {options}."))
    bad = [name for text in options for name in placeholders.unknown_placeholders(text)]
    if bad:
        errors.append(_("Unknown placeholder: %(names)s.", names=", ".join("{" + n + "}" for n in dict.fromkeys(bad))))
    return options, errors


@bp.get("")
@require("manage_templates")
def index():
    """All templates of the shop, active or archived."""
    archived = request.args.get("archived") == "1"
    rows = reply_templates.for_shop(current_user.shop_id, archived=archived)
    return render_template("replies/index.html", templates=rows, archived=archived)


def _edit(template: ReplyTemplate, form: TemplateForm, options: list[str]):
    option_errors: list[str] = []
    if request.method == "POST":
        options, option_errors = _options_from_form()
        if form.validate() and not option_errors:
            created = template.id is None
            reply_templates.save(template, title=form.title.data, category=form.category.data,
                                 language=form.language.data, body=form.body.data, options=options,
                                 by=current_user)
            db.session.commit()
            flash(_("Template “%(title)s” created.", title=template.title) if created
                  else _("Template “%(title)s” saved.", title=template.title), "success")
            return redirect(url_for("replies.index"), 303)
    status = 422 if form.errors or option_errors else 200
    return render_template("replies/edit.html", form=form, template=template, options=options,
                           option_errors=option_errors, placeholder_names=placeholders.PLACEHOLDERS,
                           files=reply_templates.files(template) if template.id else [],
                           limits=uploads.limits_for(current_user.shop)), status


@bp.route("/new", methods=["GET", "POST"])
@require("manage_templates")
def new():
    """Write a new reply template."""
    form = TemplateForm(data={"language": request.args.get("language", "nl")})
    template = ReplyTemplate(shop_id=current_user.shop_id)
    return _edit(template, form, ["", ""])


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
@require("manage_templates")
def edit(template_id: int):
    """Edit a reply template of the shop (404 for another shop's)."""
    template = shop_row_or_404(ReplyTemplate, template_id)
    form = TemplateForm(obj=template) if request.method == "GET" else TemplateForm()
    return _edit(template, form, [o.text for o in template.options] or [""])


@bp.post("/<int:template_id>/archive")
@require("manage_templates")
def archive(template_id: int):
    """Archived templates are no longer offered in the composer; nothing is deleted."""
    template = shop_row_or_404(ReplyTemplate, template_id)
    reply_templates.set_archived(template, True, by=current_user)
    db.session.commit()
    flash(_("Template “%(title)s” archived.", title=template.title), "success")
    return redirect(url_for("replies.index"), 303)


@bp.post("/<int:template_id>/unarchive")
@require("manage_templates")
def unarchive(template_id: int):
    """Offer an archived reply template in the composer again."""
    template = shop_row_or_404(ReplyTemplate, template_id)
    reply_templates.set_archived(template, False, by=current_user)
    db.session.commit()
    flash(_("Template “%(title)s” is offered again.", title=template.title), "success")
    return redirect(url_for("replies.index", archived=1), 303)


@bp.get("/option-row")
@require("manage_templates")
def option_row():
    """One more empty solution row for the editor."""
    return render_template("replies/_option_row.html", text="")
