"""The help centre: managers write articles in two languages, customers read and search them, the contact form
suggests them while the question is typed, and the counters give each article its deflection rate."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import HelpArticle, HelpArticleWeek, Message, RateCount, Ticket
from inbox.services import help as help_service
from inbox.workflow import MessageKind

HX = {"HX-Request": "true"}
BROWSER = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36"}

RETURN_NL = ("Je hebt 30 dagen bedenktijd. **Meld je retour aan** via je account en stuur het pakket terug met het "
             "retourlabel.\n\n- Ongebruikt\n- In de originele verpakking")
RETURN_EN = "You have 30 days to change your mind. **Register your return** in your account."


def article_form(**overrides):
    data = {"category": "return", "title_nl": "Hoe stuur ik iets retour?", "body_nl": RETURN_NL,
            "title_en": "How do I return something?", "body_en": RETURN_EN, "published": "y", "action": "save"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def write(shop, by, published=True, category="return", nl=("Hoe stuur ik iets retour?", RETURN_NL),
          en=("How do I return something?", RETURN_EN)):
    article = help_service.save(HelpArticle(shop_id=shop.id), category=category, published=published,
                                texts={"nl": nl, "en": en}, by=by)
    db.session.commit()
    return article


def counters(article) -> dict:
    row = db.session.scalar(sa.select(HelpArticleWeek).where(HelpArticleWeek.article_id == article.id))
    db.session.expire_all()
    return {c: getattr(row, c) for c in help_service.COUNTERS} if row else {c: 0 for c in help_service.COUNTERS}


# --------------------------------------------------------------------------- writing (staff)

def test_a_manager_writes_an_article_that_stays_private_until_published(client, login_as, shop):
    login_as("manager")
    response = client.post("/articles/new", data=article_form(published=None))
    assert response.status_code == 303
    article = db.session.scalar(sa.select(HelpArticle))
    assert (article.title_nl, article.published, article.category) == ("Hoe stuur ik iets retour?", False, "return")
    assert client.get(f"/help/{shop.id}/{article.id}-x").status_code == 404
    assert "Hoe stuur ik" not in client.get(f"/help/{shop.id}?lang=nl").get_data(as_text=True)

    client.post(f"/articles/{article.id}/edit", data=article_form())
    page = client.get(f"/help/{shop.id}?lang=nl").get_data(as_text=True)
    assert "Hoe stuur ik iets retour?" in page and "Retour" in page


@pytest.mark.parametrize("method, path", [("get", "/articles"), ("get", "/articles/new"), ("post", "/articles/new"),
                                          ("get", "/articles/figures"), ("post", "/articles/{id}/move"),
                                          ("post", "/articles/{id}/delete"), ("get", "/articles/{id}/edit")])
def test_agents_cannot_write_articles(client, login_as, shop, staff, method, path):
    article = write(shop, staff["owner"])
    login_as("agent")
    response = getattr(client, method)(path.format(id=article.id), data=article_form())
    assert response.status_code == 403


def test_preview_renders_the_markdown_without_saving(client, login_as):
    login_as("owner")
    response = client.post("/articles/new", data=article_form(action="preview"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>Meld je retour aan</strong>" in page and "<li>Ongebruikt</li>" in page
    assert db.session.scalar(sa.select(sa.func.count(HelpArticle.id))) == 0


def test_bad_input_is_refused_with_field_errors_and_keeps_what_was_typed(client, login_as):
    login_as("manager")
    response = client.post("/articles/new", data=article_form(body_nl="", title_en="x" * 201,
                                                              body_en="Kept\x00 text"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write the text for this title" in page and "Kept" in page
    assert client.post("/articles/new", data=article_form(title_nl="", body_nl="", title_en="", body_en="")
                       ).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(HelpArticle.id))) == 0


def test_html_and_script_links_in_an_article_never_reach_the_page(client, shop, staff):
    article = write(shop, staff["owner"], nl=("Veilig", '<script>alert(1)</script> [klik](javascript:alert(1)) '
                                                       '[site](https://example.com)'))
    page = client.get(f"/help/{shop.id}/{article.id}-veilig?lang=nl").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "href=\"javascript" not in page
    assert 'href="https://example.com"' in page and "noopener" in page


def test_articles_move_up_and_down_within_their_category(client, login_as, shop, staff):
    first, second = write(shop, staff["owner"], nl=("Eerste", "a"), en=("", "")), write(shop, staff["owner"], nl=("Tweede", "b"), en=("", ""))
    login_as("manager")
    client.post(f"/articles/{second.id}/move", data={"direction": "up"})
    page = client.get(f"/help/{shop.id}?lang=nl").get_data(as_text=True)
    assert page.index("Tweede") < page.index("Eerste")
    client.post(f"/articles/{second.id}/move", data={"direction": "down"})
    page = client.get(f"/help/{shop.id}?lang=nl").get_data(as_text=True)
    assert page.index("Eerste") < page.index("Tweede")


def a_ticket_with_a_good_reply(shop, make_ticket):
    ticket = make_ticket(shop, subject="Factuur kwijt")
    ticket.category = "invoice"
    reply = Message(shop_id=shop.id, ticket_id=ticket.id, kind=MessageKind.REPLY.value,
                    body="Je factuur staat in je account onder Bestellingen.")
    db.session.add(reply)
    db.session.commit()
    return ticket, reply


def test_a_good_reply_becomes_a_prefilled_draft_article(client, login_as, shop, staff, make_ticket, make_shop):
    ticket, reply = a_ticket_with_a_good_reply(shop, make_ticket)
    login_as("manager")
    page = client.get(f"/articles/new?message={reply.id}").get_data(as_text=True)
    assert 'value="Factuur kwijt"' in page and "Je factuur staat in je account" in page
    assert '<option selected value="invoice">' in page

    other = make_shop("Other Shop")
    elsewhere = make_ticket(other, subject="Geheim")
    theirs = db.session.scalar(sa.select(Message).where(Message.ticket_id == elsewhere.id))
    assert client.get(f"/articles/new?message={theirs.id}").status_code == 404


# --------------------------------------------------------------------------- reading (customers)

def test_an_article_keeps_its_address_when_its_title_changes(client, shop, staff):
    article = write(shop, staff["owner"])
    old = f"/help/{shop.id}/{article.id}-hoe-stuur-ik-iets-retour?lang=nl"
    assert client.get(old).status_code == 200
    help_service.save(article, category="return", published=True, texts={"nl": ("Retour sturen", RETURN_NL)},
                      by=staff["owner"])
    db.session.commit()
    response = client.get(old)
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/help/{shop.id}/{article.id}-retour-sturen?lang=nl")


def test_the_page_follows_the_browser_language_and_falls_back_to_the_other(client, shop, staff):
    write(shop, staff["owner"])
    only_english = write(shop, staff["owner"], category="invoice", nl=("", ""), en=("Where is my invoice?", "In your account."))
    page = client.get(f"/help/{shop.id}", headers={"Accept-Language": "nl-NL,nl;q=0.9"}).get_data(as_text=True)
    assert "Hoe stuur ik iets retour?" in page and "Where is my invoice?" in page and "Hoe kunnen we helpen?" in page
    english = client.get(f"/help/{shop.id}?lang=en").get_data(as_text=True)
    assert "How do I return something?" in english and "How can we help?" in english
    page = client.get(f"/help/{shop.id}/{only_english.id}-where-is-my-invoice?lang=nl").get_data(as_text=True)
    assert "Where is my invoice?" in page and 'lang="en"' in page


def test_searching_the_help_page_finds_other_forms_of_a_word(client, shop, staff):
    write(shop, staff["owner"])
    write(shop, staff["owner"], category="invoice", nl=("Waar vind ik mijn factuur?", "In je account."), en=("", ""))
    page = client.get(f"/help/{shop.id}?lang=nl&q=retourneren").get_data(as_text=True)
    assert "Hoe stuur ik iets retour?" in page and "Waar vind ik mijn factuur?" not in page
    assert "nothing" in client.get(f"/help/{shop.id}?lang=en&q=zzzqqq").get_data(as_text=True)


def test_the_help_page_reads_two_small_queries_once_the_index_is_kept(client, shop, staff, count_queries, frozen):
    # Frozen: both requests fall in one minute of the shared budget (a new minute's first request also sweeps).
    for n in range(5):
        write(shop, staff["owner"], nl=(f"Artikel {n}", "tekst"), en=("", ""))
    url = f"/help/{shop.id}?q=artikel"
    client.get(url)
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    # the address's shared request count (one upsert; on PostgreSQL after a SET LOCAL that lets its commit skip
    # waiting for the disk), the shop, and whether its articles changed
    queries = [s for s in statements if not s.startswith("SET LOCAL synchronous_commit")]
    assert len(queries) <= 3, [s[:60] for s in statements]


def test_public_pages_slow_down_a_client_that_asks_too_often(app, client, shop):
    import time_machine
    with time_machine.travel("2026-12-03 10:00:10Z", tick=False):   # all within one minute's budget
        statuses = [client.get(f"/help/{shop.id}").status_code for _ in range(40)]
        app.extensions.clear()   # as if the next requests reached another app process: the budget is shared
        statuses += [client.get(f"/help/{shop.id}").status_code for _ in range(21)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RateCount)) == 1   # one row per address


def test_the_shared_budget_starts_again_in_the_next_minute(client, shop):
    import time_machine
    with time_machine.travel("2026-12-03 10:00:30Z", tick=False):
        assert [client.get(f"/help/{shop.id}").status_code for _ in range(61)][-1] == 429
    with time_machine.travel("2026-12-03 10:01:01Z", tick=False):
        assert client.get(f"/help/{shop.id}").status_code == 200
    with time_machine.travel("2026-12-03 10:05:00Z", tick=False):
        assert client.get(f"/help/{shop.id}").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RateCount)) == 1   # old windows cleared


def test_an_unknown_shop_or_article_is_not_found(client, shop, staff):
    article = write(shop, staff["owner"], published=False)
    assert client.get("/help/9999").status_code == 404
    assert client.get(f"/help/{shop.id}/{article.id}-x").status_code == 404
    assert client.post(f"/help/{shop.id}/{article.id}/answered").status_code == 404


# --------------------------------------------------------------------------- suggestions and deflection

def test_the_contact_form_suggests_articles_while_the_customer_types(client, shop, staff):
    article = write(shop, staff["owner"])
    write(shop, staff["owner"], category="invoice", nl=("Waar vind ik mijn factuur?", "In je account."), en=("", ""))
    form = client.get(f"/contact/{shop.id}").get_data(as_text=True)
    assert 'hx-trigger="keyup changed delay:300ms from:#subject' in form and 'aria-live="polite"' in form
    assert f'href="/help/{shop.id}' in form   # without JavaScript: a link to the help centre

    response = client.post(f"/help/{shop.id}/suggest", data={"subject": "Pakket terugsturen", "body": "Ik wil mijn "
                           "bestelling retourneren, hoe doe ik dat?", "lang": "nl"}, headers={**HX, **BROWSER})
    page = response.get_data(as_text=True)
    assert "Hoe stuur ik iets retour?" in page and "factuur" not in page
    assert f'<input type="hidden" name="shown" value="{article.id}">' in page   # remembered in the form
    assert counters(article)["shown"] == 1
    # On a phone the suggestions are below the form: a line under the question points to them.
    assert 'id="help-suggest-note" class="help-suggest-note" hx-swap-oob="true"' in page
    assert "1 hulpartikel beantwoordt misschien je vraag: lees het hieronder." in page

    # The same form asking again (it carries what it was shown) does not count the article twice.
    client.post(f"/help/{shop.id}/suggest", data={"subject": "Retour", "shown": str(article.id)}, headers={**HX, **BROWSER})
    assert counters(article)["shown"] == 1


def test_a_form_shown_again_with_field_errors_suggests_articles_for_what_was_typed(client, shop, staff):
    article = write(shop, staff["owner"])
    response = client.post(f"/contact/{shop.id}", headers={**BROWSER, "Accept-Language": "nl"}, data={
        "name": "Ingrid", "email": "geen-adres", "subject": "Retour", "body": "Ik wil het terugsturen."})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Hoe stuur ik iets retour?" in page
    assert "1 hulpartikel beantwoordt misschien je vraag: lees het hieronder." in page
    assert f'<input type="hidden" name="shown" value="{article.id}">' in page and counters(article)["shown"] == 1
    # Shown again with the article already remembered: not counted twice.
    client.post(f"/contact/{shop.id}", headers=BROWSER, data={
        "name": "Ingrid", "email": "geen-adres", "subject": "Retour", "body": "x", "shown": str(article.id)})
    assert counters(article)["shown"] == 1


def test_crawlers_are_not_counted(client, shop, staff):
    article = write(shop, staff["owner"])
    client.post(f"/help/{shop.id}/suggest", data={"subject": "retour"}, headers={"User-Agent": "Googlebot/2.1"})
    client.get(f"/help/{shop.id}/{article.id}-hoe-stuur-ik-iets-retour", headers={"User-Agent": "Googlebot/2.1"})
    assert counters(article) == {"shown": 0, "opened": 0, "answered": 0, "sent": 0}


def test_this_answered_my_question_closes_the_form_without_sending(client, shop, staff):
    article = write(shop, staff["owner"])
    client.post(f"/help/{shop.id}/suggest", data={"subject": "retour"}, headers={**HX, **BROWSER})
    read = client.get(f"/help/{shop.id}/{article.id}-hoe-stuur-ik-iets-retour?lang=nl", headers={**HX, **BROWSER})
    assert "<strong>Meld je retour aan</strong>" in read.get_data(as_text=True)
    response = client.post(f"/help/{shop.id}/{article.id}/answered", data={"lang": "nl"}, headers=BROWSER)
    assert response.status_code == 303
    assert "niet verstuurd" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0
    assert counters(article) == {"shown": 1, "opened": 1, "answered": 1, "sent": 0}


def test_a_question_sent_after_a_suggestion_counts_against_its_deflection_rate(client, login_as, shop, staff):
    article = write(shop, staff["owner"])
    for _ in range(4):   # four customers were offered it; one still sent the question
        client.post(f"/help/{shop.id}/suggest", data={"subject": "retour"}, headers={**HX, **BROWSER})
    client.post(f"/contact/{shop.id}", headers=BROWSER, data={
        "name": "Ingrid", "email": "ingrid@example.com", "subject": "Retour", "body": "Het past niet.",
        "shown": [str(article.id), "999999"]})
    assert counters(article)["sent"] == 1
    login_as("manager")
    page = client.get("/articles/figures").get_data(as_text=True)
    assert "75%" in page and "Hoe stuur ik iets retour?" in page


def test_counters_are_one_row_per_article_per_week(client, shop, staff):
    article = write(shop, staff["owner"])
    for _ in range(3):
        client.get(f"/help/{shop.id}/{article.id}-hoe-stuur-ik-iets-retour?lang=nl", headers=BROWSER)
    assert db.session.scalar(sa.select(sa.func.count(HelpArticleWeek.id))) == 1
    assert counters(article)["opened"] == 3


# --------------------------------------------------------------------------- the composer

def test_an_agent_links_the_article_that_fits_the_question_into_a_reply(client, login_as, shop, staff, make_ticket):
    invoice = write(shop, staff["owner"], category="invoice", nl=("Waar vind ik mijn factuur?", "In je account."),
                    en=("Where is my invoice?", "In your account."))
    write(shop, staff["owner"])
    draft = write(shop, staff["owner"], published=False, nl=("Nog niet klaar", "concept"), en=("", ""))
    ticket = make_ticket(shop, subject="Factuur nodig", body="Kunt u mij de factuur van mijn bestelling sturen?")
    login_as("agent")
    listed = client.get(f"/tickets/{ticket.id}/articles", headers=HX).get_data(as_text=True)
    assert listed.index("Waar vind ik mijn factuur?") < listed.index("Hoe stuur ik iets retour?")
    assert "Nog niet klaar" not in listed
    searched = client.get(f"/tickets/{ticket.id}/articles?q=retour", headers=HX).get_data(as_text=True)
    assert "Hoe stuur ik iets retour?" in searched and "factuur" not in searched

    response = client.post(f"/tickets/{ticket.id}/articles/{invoice.id}/insert", data={"body": "Beste Ingrid,"},
                           headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert (f"Beste Ingrid,\n\nWaar vind ik mijn factuur?: http://localhost/help/{shop.id}/{invoice.id}"
            "-waar-vind-ik-mijn-factuur?lang=nl") in body
    assert client.post(f"/tickets/{ticket.id}/articles/{draft.id}/insert", headers=HX).status_code == 404


def test_managers_see_a_make_an_article_link_on_replies(client, login_as, shop, staff, make_ticket):
    ticket = make_ticket(shop)
    db.session.add(Message(shop_id=shop.id, ticket_id=ticket.id, kind=MessageKind.REPLY.value, body="Zo werkt het."))
    db.session.commit()
    login_as("agent")
    assert "Make a help article" not in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    client.post("/logout")
    login_as("manager")
    assert "Make a help article" in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)


def test_an_agent_turns_a_good_reply_into_a_draft_for_a_manager(client, login_as, shop, staff, make_ticket, make_shop):
    ticket, reply = a_ticket_with_a_good_reply(shop, make_ticket)
    login_as("agent")
    assert "Suggest as a help article" in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    for _ in range(2):   # a double click makes one draft
        response = client.post(f"/articles/from-reply/{reply.id}")
        assert response.status_code == 303 and response.headers["Location"].endswith(f"#message-{reply.id}")
    [draft] = db.session.scalars(sa.select(HelpArticle)).all()
    assert draft.published is False and draft.title_nl == "Factuur kwijt" and draft.category == "invoice"
    assert "Factuur kwijt" not in client.get(f"/help/{shop.id}?lang=nl").get_data(as_text=True)   # not public
    other = make_shop("Other Shop")
    theirs = db.session.scalar(sa.select(Message).where(Message.ticket_id == make_ticket(other).id))
    assert client.post(f"/articles/from-reply/{theirs.id}").status_code == 404
    client.post("/logout")
    login_as("manager")
    assert "Factuur kwijt" in client.get("/articles").get_data(as_text=True)


def test_a_snippet_keeps_the_hyphens_inside_words(client, shop, staff):
    write(shop, staff["owner"], nl=("Retourlabel", "Je krijgt een **retourlabel** per e-mail.\n\n- Ongebruikt\n- Heel"),
          en=("", ""))
    page = client.post(f"/help/{shop.id}/suggest", data={"subject": "retourlabel", "lang": "nl"},
                       headers={**HX, **BROWSER}).get_data(as_text=True)
    assert "per e-mail. Ongebruikt Heel" in page
