"""Rendering: templates compiled once per language with their fixed texts translated in (inbox.templating), and
the addresses a ticket page builds (inbox.ui)."""
from flask import render_template, render_template_string, url_for
from inbox.i18n import force_locale
from jinja2 import DictLoader, FileSystemBytecodeCache

from inbox import create_app

from inbox.ui import ticket_url

SHORTCUTS = "tickets/_shortcuts.html"


def _render_in(locale, name):
    with force_locale(locale):
        return render_template(name)


def test_one_process_shows_each_language_its_own_compiled_template(app):
    with app.test_request_context():
        dutch = _render_in("nl", SHORTCUTS)
        english = _render_in("en", SHORTCUTS)
        assert _render_in("nl", SHORTCUTS) == dutch

    assert "Sneltoetsen" in dutch and "Keyboard shortcuts" not in dutch
    assert "Keyboard shortcuts" in english
    assert sorted(app.jinja_env.languages) == ["en", "nl"]
    dutch_env = app.jinja_env.languages["nl"]
    assert dutch_env.get_template(SHORTCUTS) is dutch_env.get_template(SHORTCUTS)   # compiled once


def test_a_standard_bytecode_cache_gives_english_readers_english(tmp_path):
    # Two processes sharing one cache directory: the first compiles for a Dutch reader, the second serves English.
    rendered = {}
    for language in ("nl", "en"):
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(tmp_path))
        with app.test_request_context():
            rendered[language] = _render_in(language, SHORTCUTS)
    assert any(tmp_path.iterdir())
    assert "Sneltoetsen" in rendered["nl"]
    assert "Keyboard shortcuts" in rendered["en"] and "Sneltoetsen" not in rendered["en"]


def test_texts_with_values_are_still_translated_when_shown(app):
    source = '{{ _("%(d)s late", d=late) }} · {{ _(chosen) }} · {{ _("Reply due") }}'
    with app.test_request_context(), force_locale("nl"):
        html = render_template_string(source, late="<2h>", chosen="Reply due")
    assert html == "&lt;2h&gt; te laat · Antwoord uiterlijk · Antwoord uiterlijk"


def test_fixed_texts_keep_markup_and_percent_signs_as_before(app):
    with app.test_request_context(), force_locale("en"):
        html = render_template_string('{{ _("<b>100%%</b> on time") }}|{{ "<b>" }}')
    # A translation is trusted like the template itself; a value is escaped.
    assert html == "<b>100%</b> on time|&lt;b&gt;"


def test_a_tickets_addresses_match_url_for_also_under_a_mount_point(app):
    for root in ("", "/helpdesk"):
        with app.test_request_context(base_url=f"http://shop.example{root}/"):
            assert ticket_url("tickets.assign", 42) == url_for("tickets.assign", ticket_id=42)
            assert ticket_url("tickets.assign", 42) == f"{root}/tickets/42/assign"
            assert ticket_url("composer.pick_template", 7, template_id=3) == url_for(
                "composer.pick_template", ticket_id=7, template_id=3)
            assert ticket_url("tickets.show", 2718281828) == f"{root}/tickets/2718281828"


def test_macros_imported_without_context_see_the_page_globals(app):
    # Jinja hands such an import the globals the importing page has and the macro file lacks (globals_keys).
    env = app.jinja_env.overlay(loader=DictLoader({
        "macros.html": "{% macro badge() %}{{ STATUS_LABELS['open'] }}/{{ shop_word }}{% endmacro %}",
        "page.html": '{% from "macros.html" import badge %}{{ badge() }}',
    }))
    with app.test_request_context(), force_locale("en"):
        assert env.get_template("page.html", globals={"shop_word": "Winkel"}).render() == "Open/Winkel"


def test_fixed_texts_are_translated_when_the_template_is_compiled(app):
    with app.test_request_context(), force_locale("nl"):
        code = app.jinja_env.for_language().compile('{{ _("Reply due") }}|{{ _(chosen) }}', raw=True)
    assert "Antwoord uiterlijk" in code and "Reply due" not in code


def test_a_replys_timing_is_one_piece_of_markup_wherever_it_shows(app):
    from inbox.views.ticket_rows import reply_timing_html
    with app.test_request_context(), force_locale("en"):
        late, on_time = reply_timing_html(-3600), reply_timing_html(5400)
        short = render_template_string("{{ reply_timing(-60, short=True) }}|{{ reply_timing(0, short=True) }}")
    assert late == '<span class="sla sla-answered_late"><span aria-hidden="true">✕</span> 1h late</span>'
    assert "sla-answered_on_time" in on_time and "on time, 1h 30m to spare" in on_time
    assert short.split("|")[0].endswith("answered late</span>") and short.split("|")[1].endswith("answered on time</span>")
