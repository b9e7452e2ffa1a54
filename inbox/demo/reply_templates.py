"""A starter set of saved replies in Dutch and English, one or more per category.

Complaint templates acknowledge the customer's situation, offer at least two solutions ({options} is where the
ticked ones go) and say what happens next. Dutch uses "u" unless the title says "informeel".
Each entry: (language, category, title, body, [solution options]).
"""
from __future__ import annotations

STARTER_TEMPLATES = [
    # ---------------------------------------------------------------- late delivery
    ("nl", "late_delivery", "Vertraagde levering: opties",
     "Beste {customer_name},\n\n"
     "Wat vervelend dat uw bestelling {order_number} nog niet is aangekomen, zeker als u erop rekende. "
     "Ik begrijp uw teleurstelling goed. Ik heb de zending vandaag bij de vervoerder nagevraagd.\n\n"
     "U kunt kiezen wat u het prettigst vindt:\n{options}\n\n"
     "Laat u mij weten wat uw voorkeur heeft? Dan regel ik het vandaag nog.\n\n"
     "Met vriendelijke groet,\n{agent_first_name}\n{shop_name}",
     ["We sturen vandaag kosteloos een nieuw exemplaar met spoedlevering.",
      "U krijgt het volledige bedrag binnen 2 werkdagen terug.",
      "U wacht nog twee werkdagen en krijgt 10% korting op deze bestelling."]),
    ("nl", "late_delivery", "Vertraagde levering: opties (informeel)",
     "Hoi {customer_first_name},\n\n"
     "Balen dat je pakket er nog niet is! Ik snap dat je erop zat te wachten. "
     "Ik heb vandaag bij de vervoerder nagevraagd waar het blijft.\n\n"
     "Wat heeft je voorkeur?\n{options}\n\n"
     "Laat het me weten, dan regel ik het vandaag nog.\n\n"
     "Groetjes,\n{agent_first_name}\n{shop_name}",
     ["We sturen vandaag gratis een nieuwe met spoed.",
      "Je krijgt je geld binnen 2 werkdagen terug.",
      "Je wacht nog twee dagen en krijgt 10% korting."]),
    ("en", "late_delivery", "Late delivery: options",
     "Dear {customer_first_name},\n\n"
     "I'm sorry your order {order_number} has not arrived yet; I understand how frustrating the wait is. "
     "I have asked the carrier about it today.\n\n"
     "You can choose what suits you best:\n{options}\n\n"
     "Just reply with your choice and I will arrange it today.\n\n"
     "Kind regards,\n{agent_first_name}\n{shop_name}",
     ["We send a new one today by express delivery, free of charge.",
      "You get a full refund within 2 business days.",
      "You wait two more business days and get 10% off this order."]),
    # ---------------------------------------------------------------- damaged item
    ("nl", "damaged_item", "Beschadigd product: opties",
     "Beste {customer_name},\n\n"
     "Wat vervelend dat uw {product} beschadigd is aangekomen. Onze excuses daarvoor; "
     "zo hoort het natuurlijk niet.\n\n"
     "Wij bieden u graag een van deze oplossingen:\n{options}\n\n"
     "Laat u mij weten wat u kiest? Dan zorg ik dat het vandaag nog in gang wordt gezet. "
     "Een retourlabel sturen wij u per e-mail.\n\n"
     "Met vriendelijke groet,\n{agent_first_name}\n{shop_name}",
     ["Een nieuw exemplaar, vandaag verzonden, zonder kosten.",
      "Het volledige bedrag terug binnen 2 werkdagen na ontvangst van de retour.",
      "U houdt het product en krijgt 30% van het bedrag terug."]),
    ("nl", "damaged_item", "Kapot aangekomen (informeel)",
     "Hoi {customer_first_name},\n\n"
     "Wat balen dat je {product} kapot is aangekomen! Sorry daarvoor.\n\n"
     "Je kunt kiezen:\n{options}\n\n"
     "Laat je weten wat je wilt? Dan regel ik het vandaag nog.\n\n"
     "Groetjes,\n{agent_first_name}\n{shop_name}",
     ["Je krijgt een nieuwe, vandaag verstuurd.",
      "Je krijgt je geld terug binnen 2 werkdagen.",
      "Je houdt hem en krijgt 30% terug."]),
    ("en", "damaged_item", "Damaged item: options",
     "Dear {customer_first_name},\n\n"
     "I'm so sorry your {product} arrived damaged; I understand how disappointing that is.\n\n"
     "We would like to offer you one of these solutions:\n{options}\n\n"
     "Let me know which you prefer and I will arrange it today. We will e-mail you a free return label.\n\n"
     "Kind regards,\n{agent_first_name}\n{shop_name}",
     ["A replacement, sent today at no cost.",
      "A full refund within 2 business days after we receive the return.",
      "Keep the item and get 30% of the price back."]),
    # ---------------------------------------------------------------- wrong item or size
    ("nl", "wrong_item", "Verkeerd artikel of maat: opties",
     "Beste {customer_name},\n\n"
     "Vervelend dat u niet het juiste artikel of de juiste maat heeft ontvangen. Excuses voor het ongemak.\n\n"
     "Wij lossen het graag op een van deze manieren op:\n{options}\n\n"
     "Laat u mij weten wat u wilt? Dan stuur ik u vandaag nog een gratis retourlabel.\n\n"
     "Met vriendelijke groet,\n{agent_first_name}\n{shop_name}",
     ["We sturen het juiste artikel of de juiste maat vandaag nog naar u toe.",
      "U stuurt het artikel gratis terug en krijgt binnen 2 werkdagen uw geld terug.",
      "U houdt het artikel met 20% korting."]),
    ("en", "wrong_item", "Wrong item or size: options",
     "Dear {customer_first_name},\n\n"
     "I'm sorry you received the wrong item or size; that is annoying when you were looking forward to it.\n\n"
     "We can put it right in one of these ways:\n{options}\n\n"
     "Let me know your choice and I will send you a free return label today.\n\n"
     "Kind regards,\n{agent_first_name}\n{shop_name}",
     ["We send the right item or size today.",
      "You return it free of charge and get a full refund within 2 business days.",
      "You keep it with 20% off."]),
    # ---------------------------------------------------------------- return
    ("nl", "return", "Retour aanmelden",
     "Beste {customer_name},\n\n"
     "Dank u voor uw bericht. U kunt uw {product} binnen 30 dagen kosteloos retourneren.\n\n"
     "Kies wat u het makkelijkst vindt:\n{options}\n\n"
     "Zodra wij de retour binnen hebben, storten wij het bedrag binnen 2 werkdagen terug.\n\n"
     "Met vriendelijke groet,\n{agent_first_name}\n{shop_name}",
     ["Wij mailen u vandaag een gratis retourlabel.",
      "U ruilt het artikel om voor een andere maat of kleur.",
      "U brengt het pakket naar een afhaalpunt bij u in de buurt."]),
    ("en", "return", "Return request",
     "Dear {customer_first_name},\n\n"
     "Thank you for letting us know. You can return your {product} free of charge within 30 days.\n\n"
     "Choose what is easiest for you:\n{options}\n\n"
     "As soon as the return arrives, we refund you within 2 business days.\n\n"
     "Kind regards,\n{agent_first_name}\n{shop_name}",
     ["We e-mail you a free return label today.",
      "You exchange it for another size or colour.",
      "You drop the parcel at a pick-up point near you."]),
    # ---------------------------------------------------------------- refund
    ("nl", "refund", "Terugbetaling: stand van zaken",
     "Beste {customer_name},\n\n"
     "Ik begrijp dat u graag wilt weten waar uw terugbetaling blijft; excuses dat het zo lang duurt. "
     "Ik heb het voor bestelling {order_number} nagekeken.\n\n"
     "U kunt kiezen:\n{options}\n\n"
     "Ik houd het voor u in de gaten en laat u vandaag nog weten wanneer het bedrag is gestort.\n\n"
     "Met vriendelijke groet,\n{agent_first_name}\n{shop_name}",
     ["Wij storten het bedrag vandaag nog terug op uw rekening.",
      "U ontvangt het bedrag als tegoed met 10% extra, direct te gebruiken."]),
    ("en", "refund", "Refund: where it stands",
     "Dear {customer_first_name},\n\n"
     "I understand you want to know where your refund is, and I'm sorry it is taking this long. "
     "I have checked order {order_number} for you.\n\n"
     "You can choose:\n{options}\n\n"
     "I will keep an eye on it and let you know today when the money has been sent.\n\n"
     "Kind regards,\n{agent_first_name}\n{shop_name}",
     ["We transfer the amount to your account today.",
      "You get the amount as store credit plus 10%, to use right away."]),
    # ---------------------------------------------------------------- product question
    ("nl", "product_question", "Productvraag",
     "Beste {customer_name},\n\n"
     "Dank u voor uw vraag over de {product}. [antwoord]\n\n"
     "Heeft u nog andere vragen, dan help ik u graag.\n\n"
     "Met vriendelijke groet,\n{agent_first_name}\n{shop_name}", []),
    ("en", "product_question", "Product question",
     "Dear {customer_first_name},\n\n"
     "Thank you for your question about the {product}. [answer]\n\n"
     "If there is anything else, I'm happy to help.\n\n"
     "Kind regards,\n{agent_first_name}\n{shop_name}", []),
    # ---------------------------------------------------------------- invoice
    ("nl", "invoice", "Factuur opnieuw sturen",
     "Beste {customer_name},\n\n"
     "Dank u voor uw bericht. Ik stuur u de factuur van bestelling {order_number} vandaag nog per e-mail.\n\n"
     "Staat er iets op dat niet klopt, zoals het adres of de btw, laat u het mij dan weten; "
     "dan pas ik het binnen 1 werkdag aan.\n\n"
     "Met vriendelijke groet,\n{agent_first_name}\n{shop_name}", []),
    ("en", "invoice", "Send the invoice again",
     "Dear {customer_first_name},\n\n"
     "Thank you for your message. I will e-mail you the invoice for order {order_number} today.\n\n"
     "If anything on it is not right, such as the address or VAT, let me know and I will correct it within "
     "1 business day.\n\n"
     "Kind regards,\n{agent_first_name}\n{shop_name}", []),
    # ---------------------------------------------------------------- general
    ("nl", "general", "Algemeen antwoord",
     "Beste {customer_name},\n\n"
     "Dank u voor uw bericht. [antwoord]\n\n"
     "Met vriendelijke groet,\n{agent_first_name}\n{shop_name}", []),
    ("nl", "general", "Algemeen antwoord (informeel)",
     "Hoi {customer_first_name},\n\n"
     "Dank je voor je bericht! [antwoord]\n\n"
     "Groetjes,\n{agent_first_name}\n{shop_name}", []),
    ("en", "general", "General reply",
     "Dear {customer_first_name},\n\n"
     "Thank you for your message. [answer]\n\n"
     "Kind regards,\n{agent_first_name}\n{shop_name}", []),
]


# Templates that carry the return conditions (inbox/demo/documents.py) as their standard attachment.
WITH_RETURN_CONDITIONS = {"Retour aanmelden", "Return request"}


def install(shop, by) -> int:
    """Give a shop the starter set through the template service; returns how many were added."""
    from inbox.demo import documents
    from inbox.models import ReplyTemplate
    from inbox.services import reply_templates, uploads

    for language, category, title, body, options in STARTER_TEMPLATES:
        template = ReplyTemplate(shop_id=shop.id)
        reply_templates.save(template, title=title, category=category, language=language, body=body,
                             options=options, by=by)
        if title in WITH_RETURN_CONDITIONS:
            name, data = documents.return_conditions(language, shop.name)
            reply_templates.add_files(template, shop, [uploads.IncomingFile(name, data)], by=by)
    return len(STARTER_TEMPLATES)
