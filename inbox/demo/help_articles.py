"""The demo shop's help centre: the questions a Dutch bed-linen and towel shop gets most, in Dutch and English.

Each entry: (category, published, (Dutch title, Dutch text), (English title, English text)), in Markdown.
"""
from __future__ import annotations

ARTICLES = [
    ("late_delivery", True,
     ("Wat is de levertijd?",
      "Op werkdagen besteld **vóór 16:00** = vandaag verzonden. PostNL bezorgt de volgende werkdag, in België "
      "binnen 2 werkdagen.\n\n"
      "- Nederland: gratis verzending vanaf € 50, anders € 4,95\n"
      "- België: gratis vanaf € 75, anders € 7,95\n\n"
      "Zodra je pakket onderweg is, krijg je een e-mail met een track & trace-link. Op zaterdag en zondag "
      "versturen we niet; rond feestdagen kan het een dag langer duren."),
     ("How long does delivery take?",
      "Order on a working day **before 16:00** and we ship the same day. PostNL delivers the next working day in "
      "the Netherlands and within 2 working days in Belgium.\n\n"
      "- Netherlands: free shipping from € 50, otherwise € 4.95\n"
      "- Belgium: free from € 75, otherwise € 7.95\n\n"
      "As soon as your parcel is on its way you get an e-mail with a track & trace link. We do not ship on "
      "Saturdays and Sundays; around public holidays it may take a day longer.")),
    ("late_delivery", True,
     ("Mijn pakket is nog niet aangekomen",
      "Vervelend! Kijk eerst in de track & trace-link uit je verzendmail: daar zie je waar je pakket nu is.\n\n"
      "1. Staat er *bezorgd* maar heb je niets? Kijk bij de buren en in je brievenbus, en controleer of er een "
      "kaartje is achtergelaten.\n"
      "2. Staat het pakket al **2 werkdagen stil**? Stuur ons je ordernummer via het contactformulier. We zoeken "
      "het uit bij PostNL en sturen zo nodig kosteloos een nieuw pakket."),
     ("My parcel has not arrived yet",
      "Sorry about that! First check the track & trace link in your shipping e-mail: it shows where your parcel "
      "is right now.\n\n"
      "1. Says *delivered* but you have nothing? Check with your neighbours and your letterbox, and look for a "
      "card from the courier.\n"
      "2. Has the parcel **not moved for 2 working days**? Send us your order number through the contact form. "
      "We take it up with PostNL and send a new parcel at no cost if needed.")),
    ("return", True,
     ("Hoe stuur ik iets retour?",
      "Je hebt **30 dagen bedenktijd** na ontvangst.\n\n"
      "1. Meld je retour aan via *Mijn account › Bestellingen › Retourneren*.\n"
      "2. Je krijgt een retourlabel per e-mail (€ 4,95, gratis bij een beschadigd of verkeerd artikel).\n"
      "3. Breng het pakket binnen 14 dagen naar een PostNL-punt.\n\n"
      "Stuur artikelen ongewassen en het liefst in de originele verpakking terug. Hoeslakens en dekbedovertrekken "
      "uit de verpakking mogen, zolang ze niet gebruikt zijn."),
     ("How do I return something?",
      "You have **30 days** after delivery to change your mind.\n\n"
      "1. Register your return under *My account › Orders › Return*.\n"
      "2. You get a return label by e-mail (€ 4.95, free for a damaged or wrong item).\n"
      "3. Drop the parcel off at a PostNL point within 14 days.\n\n"
      "Send items back unwashed and preferably in their original packaging. Fitted sheets and duvet covers taken "
      "out of their packaging are fine, as long as they have not been used.")),
    ("refund", True,
     ("Wanneer krijg ik mijn geld terug?",
      "Zodra je retour bij ons binnen is, controleren we hem binnen **2 werkdagen**. Daarna storten we het bedrag "
      "terug op de rekening of kaart waarmee je betaalde.\n\n"
      "- iDEAL en Bancontact: 1 à 2 werkdagen\n"
      "- Creditcard: tot 5 werkdagen\n"
      "- Achteraf betalen met Klarna: Klarna past je factuur aan\n\n"
      "Je krijgt een e-mail zodra de terugbetaling onderweg is."),
     ("When will I get my money back?",
      "Once your return reaches us we check it within **2 working days**. Then we refund the amount to the account "
      "or card you paid with.\n\n"
      "- iDEAL and Bancontact: 1 to 2 working days\n"
      "- Credit card: up to 5 working days\n"
      "- Pay later with Klarna: Klarna adjusts your invoice\n\n"
      "You get an e-mail as soon as the refund is on its way.")),
    ("invoice", True,
     ("Waar vind ik mijn factuur?",
      "Je factuur zit als pdf bij de verzendbevestiging. Kwijt? Je downloadt hem altijd opnieuw via *Mijn account "
      "› Bestellingen › Factuur*.\n\n"
      "Bestel je zakelijk en wil je je bedrijfsnaam of btw-nummer op de factuur? Vul ze in bij het afrekenen, of "
      "stuur ons binnen 14 dagen je ordernummer met de gegevens: dan maken we een nieuwe factuur."),
     ("Where can I find my invoice?",
      "Your invoice comes as a PDF with the shipping confirmation. Lost it? You can always download it again under "
      "*My account › Orders › Invoice*.\n\n"
      "Ordering for a business and need your company name or VAT number on the invoice? Enter them at checkout, or "
      "send us your order number with the details within 14 days and we make a new invoice.")),
    ("damaged_item", True,
     ("Mijn bestelling is beschadigd aangekomen",
      "Wat vervelend! Dit lossen we snel op.\n\n"
      "1. Maak een foto van het artikel en, als het kan, van de doos.\n"
      "2. Stuur de foto's met je ordernummer via het contactformulier.\n\n"
      "Je kiest daarna zelf: een **nieuw exemplaar**, vandaag nog verzonden, of je **geld terug**. Het beschadigde "
      "artikel hoef je meestal niet terug te sturen."),
     ("My order arrived damaged",
      "We are sorry! We will sort this out quickly.\n\n"
      "1. Take a photo of the item and, if you can, of the box.\n"
      "2. Send the photos with your order number through the contact form.\n\n"
      "Then you choose: a **new one**, shipped the same day, or your **money back**. Usually you do not need to "
      "send the damaged item back.")),
    ("wrong_item", True,
     ("Welke maat dekbedovertrek heb ik nodig?",
      "Neem de maat van je **dekbed**, niet van je bed. Het overtrek is even groot als het dekbed.\n\n"
      "| Dekbed | Overtrek | Past op bed |\n|---|---|---|\n"
      "| 140 × 200/220 | 140 × 200/220 | 1-persoons, 90 of 100 cm breed |\n"
      "| 200 × 200/220 | 200 × 200/220 | 2-persoons, 140 of 160 cm |\n"
      "| 240 × 200/220 | 240 × 200/220 | lits-jumeaux, 180 of 200 cm |\n\n"
      "Hoeslakens kies je op de maat van je matras; onze hoeslakens passen op matrassen tot 30 cm dik. "
      "Verkeerde maat besteld? Omruilen is gratis binnen 30 dagen."),
     ("Which duvet cover size do I need?",
      "Measure your **duvet**, not your bed: the cover is the same size as the duvet.\n\n"
      "| Duvet | Cover | Fits bed |\n|---|---|---|\n"
      "| 140 × 200/220 | 140 × 200/220 | single, 90 or 100 cm wide |\n"
      "| 200 × 200/220 | 200 × 200/220 | double, 140 or 160 cm |\n"
      "| 240 × 200/220 | 240 × 200/220 | king, 180 or 200 cm |\n\n"
      "Choose fitted sheets by the size of your mattress; ours fit mattresses up to 30 cm deep. Ordered the wrong "
      "size? Exchanges are free within 30 days.")),
    ("general", True,
     ("Hoe kan ik betalen?",
      "Je betaalt veilig met **iDEAL**, **Bancontact**, creditcard (Visa, Mastercard), PayPal of achteraf met "
      "Klarna (binnen 30 dagen).\n\n"
      "Mislukte de betaling? Dan is er niets afgeschreven en staat je bestelling nog 24 uur voor je klaar: je "
      "krijgt een e-mail met een link om opnieuw te betalen."),
     ("How can I pay?",
      "You pay securely with **iDEAL**, **Bancontact**, credit card (Visa, Mastercard), PayPal, or later with "
      "Klarna (within 30 days).\n\n"
      "Did the payment fail? Then nothing was charged and your order is kept for 24 hours: you get an e-mail with a "
      "link to pay again.")),
    ("general", True,
     ("Kan ik mijn bestelling nog wijzigen of annuleren?",
      "Zolang je bestelling nog niet is ingepakt wel. Op werkdagen pakken we om **16:00** in.\n\n"
      "Stuur ons zo snel mogelijk je ordernummer en wat je wilt wijzigen (maat, kleur, adres). Is het pakket al "
      "onderweg? Dan kun je het na ontvangst gratis omruilen of retourneren."),
     ("Can I still change or cancel my order?",
      "Yes, as long as it has not been packed. On working days we pack at **16:00**.\n\n"
      "Send us your order number and what you want to change (size, colour, address) as soon as you can. Is the "
      "parcel already on its way? Then you can exchange or return it for free once it arrives.")),
    ("product_question", True,
     ("Hoe zit het met garantie?",
      "Op al onze artikelen zit **2 jaar garantie** op materiaal- en naaifouten. Een losse naad, een rits die het "
      "niet meer doet of een kleur die na de eerste wasbeurt flink uitloopt: stuur ons een foto met je "
      "ordernummer.\n\n"
      "Slijtage door gebruik en schade door wassen op een te hoge temperatuur vallen niet onder de garantie. "
      "Kijk daarom altijd even op het waslabel."),
     ("What about the warranty?",
      "All our products come with a **2-year warranty** against faults in material and sewing. A loose seam, a zip "
      "that stopped working or a colour that runs badly after the first wash: send us a photo with your order "
      "number.\n\n"
      "Wear from use and damage from washing too hot are not covered, so always check the care label.")),
    ("product_question", True,
     ("Hoe was ik linnen en percale beddengoed?",
      "- Was op **40 °C** met een mild wasmiddel, zonder wasverzachter.\n"
      "- Was donkere kleuren de eerste twee keer apart.\n"
      "- Linnen kan in de droger op lage stand; haal het er licht vochtig uit, dan kreukt het minder.\n\n"
      "Linnen wordt na elke wasbeurt zachter. Een beetje krimp (tot 3%) is normaal; daar houden onze maten "
      "rekening mee."),
     ("How do I wash linen and percale bedding?",
      "- Wash at **40 °C** with a mild detergent, without fabric softener.\n"
      "- Wash dark colours separately the first two times.\n"
      "- Linen can go in the dryer on low; take it out slightly damp and it creases less.\n\n"
      "Linen gets softer with every wash. A little shrinkage (up to 3%) is normal and our sizes allow for it.")),
    ("general", False,
     ("Cadeaubonnen (concept)",
      "Vanaf december verkopen we cadeaubonnen van € 25, € 50 en € 100. Ze zijn een jaar geldig."),
     ("", "")),
]


def install(shop, by) -> int:
    """Give a shop these articles through the help service; returns how many were added."""
    from inbox.models import HelpArticle
    from inbox.services import help as help_service

    for category, published, nl, en in ARTICLES:
        help_service.save(HelpArticle(shop_id=shop.id), category=category, published=published,
                          texts={"nl": nl, "en": en}, by=by)
    return len(ARTICLES)


# How often the contact form offers each category per week in a shop this size (the demo's figures page).
WEEKLY_SUGGESTIONS = {"late_delivery": 45, "return": 38, "refund": 22, "invoice": 26, "damaged_item": 14,
                      "wrong_item": 24, "general": 12, "product_question": 9}


def seed_counters(rng, shop, weeks: int = 8) -> None:
    """Eight weeks of counters, so the managers' deflection view reads like a shop that has had its help centre
    for a while; this week so far is partial."""
    from datetime import timedelta

    import sqlalchemy as sa

    from inbox import clock
    from inbox.extensions import db
    from inbox.models import HelpArticle, HelpArticleWeek
    from inbox.services import help as help_service

    this_week = help_service.week_of(shop)
    so_far = (clock.now().astimezone(shop.tz).weekday() + 0.5) / 7
    articles = db.session.scalars(sa.select(HelpArticle).where(HelpArticle.shop_id == shop.id,
                                                               HelpArticle.published.is_(True)))
    for article in articles:
        usual = WEEKLY_SUGGESTIONS.get(article.category, 10)
        for back in range(weeks):
            shown = round(usual * rng.uniform(.7, 1.3) * (so_far if back == 0 else 1) * (1 + (weeks - back) / 20))
            opened = round(shown * rng.uniform(.35, .55))
            answered = round(opened * rng.uniform(.3, .6))
            sent = min(shown - answered, round(shown * rng.uniform(.3, .55)))
            db.session.add(HelpArticleWeek(shop_id=shop.id, article_id=article.id,
                                           week=this_week - timedelta(weeks=back), shown=shown, opened=opened,
                                           answered=answered, sent=sent))
