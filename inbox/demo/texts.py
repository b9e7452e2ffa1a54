"""Question and answer texts for the demo shops. {product} and {order} are filled in per ticket.

Each question: (category, language, formal, upset, subject, body). Formal matters for Dutch only ("u" vs "je").
"""

QUESTIONS = [
    # Late delivery
    ("late_delivery", "nl", True, True, "Bestelling {order} nog steeds niet ontvangen",
     "Goedemiddag,\n\nIk heb op {day} het {product} besteld (bestelling {order}), maar ik heb nog steeds niets ontvangen. "
     "De track & trace staat al vier dagen op 'onderweg'. Ik vind dit erg teleurstellend, want het was een cadeau.\n\n"
     "Kunt u mij laten weten wanneer het pakket komt?\n\nMet vriendelijke groet,\n{customer}"),
    ("late_delivery", "nl", False, True, "Waar blijft mijn pakket??",
     "Hoi,\n\nAl twee weken wachten op mijn {product}. Dit is echt belachelijk!! Bestelnummer {order}. "
     "Kun je even checken wat er aan de hand is?\n\n{first}"),
    ("late_delivery", "nl", True, False, "Levertijd bestelling {order}",
     "Beste mensen,\n\nVolgens de bevestiging zou mijn bestelling {order} gisteren bezorgd worden, maar ik heb nog niets gezien. "
     "Zou u kunnen nagaan waar het pakket is?\n\nAlvast bedankt,\n{customer}"),
    ("late_delivery", "en", None, True, "Order {order} still not here",
     "Hello,\n\nI ordered the {product} over a week ago (order {order}) and it still hasn't arrived. "
     "The tracking hasn't changed in days. Honestly this is really frustrating, I needed it for this weekend.\n\n"
     "Can you tell me what is going on?\n\n{customer}"),
    ("late_delivery", "en", None, False, "Delivery date for order {order}?",
     "Hi there,\n\nCould you let me know when order {order} will be delivered? The confirmation said two days but it's been four.\n\n"
     "Thanks,\n{first}"),
    # Damaged item
    ("damaged_item", "nl", True, True, "Beschadigd product ontvangen",
     "Geachte heer/mevrouw,\n\nVandaag ontving ik het {product} (bestelling {order}). Helaas zit er een grote scheur in de stof "
     "en de verpakking was ook kapot. Ik ben hier niet blij mee, het was behoorlijk prijzig.\n\nWat kunt u voor mij doen?\n\n"
     "Met vriendelijke groet,\n{customer}"),
    ("damaged_item", "nl", False, True, "Kapot aangekomen :(",
     "Hey, mijn {product} is kapot aangekomen, er zit een vlek en een gat in. Balen! Bestelnummer {order}. "
     "Kun je me een nieuwe sturen?\n\nGroetjes,\n{first}"),
    ("damaged_item", "en", None, True, "Item arrived damaged",
     "Hello,\n\nThe {product} I received today (order {order}) is damaged: the seam is torn along one side. "
     "I'm quite disappointed as it was a gift. What are my options?\n\nBest,\n{customer}"),
    ("damaged_item", "en", None, False, "Small stain on my {product}",
     "Hi,\n\nMy {product} arrived yesterday. There's a small stain near the label. Not a disaster, "
     "but I'd like to know what you can offer. Order {order}.\n\nKind regards,\n{customer}"),
    # Wrong item or size
    ("wrong_item", "nl", True, False, "Verkeerde maat geleverd",
     "Goedendag,\n\nIk had het {product} in 160x200 besteld, maar ik heb 140x200 ontvangen. Bestelnummer {order}. "
     "Hoe kan ik dit omruilen?\n\nVriendelijke groet,\n{customer}"),
    ("wrong_item", "nl", False, True, "Verkeerd artikel gekregen!",
     "Hallo, ik heb een heel ander artikel gekregen dan ik besteld heb ({product}). Dit is nu al de tweede keer! "
     "Wat moet ik doen? Bestelling {order}.\n\n{first}"),
    ("wrong_item", "en", None, False, "Wrong colour received",
     "Hello, I ordered the {product} in sage green but received it in grey. Order {order}. Could you help me exchange it?\n\n"
     "Thank you,\n{customer}"),
    # Return and refund
    ("return", "nl", True, False, "Retourneren {product}",
     "Beste klantenservice,\n\nIk wil graag het {product} retourneren, het past toch niet bij ons interieur. "
     "Hoe gaat dat in zijn werk en krijg ik het volledige bedrag terug?\n\nMet vriendelijke groet,\n{customer}"),
    ("return", "nl", False, False, "Terugsturen",
     "Hoi! Kan ik het {product} nog terugsturen? Ik heb het vorige week ontvangen maar ik twijfel over de kleur. "
     "Bestelnr {order}.\n\nThanks, {first}"),
    ("refund", "nl", True, True, "Nog geen terugbetaling ontvangen",
     "Geachte klantenservice,\n\nTwee weken geleden heb ik het {product} geretourneerd (bestelling {order}). "
     "Het pakket is volgens PostNL afgeleverd, maar ik heb mijn geld nog steeds niet terug. Ik begin me nu wel zorgen te maken.\n\n"
     "Wanneer kan ik de terugbetaling verwachten?\n\nMet vriendelijke groet,\n{customer}"),
    ("refund", "en", None, True, "Where is my refund?",
     "Hi,\n\nI returned the {product} (order {order}) more than 10 days ago and still have not received my refund. "
     "This is unacceptable. Please sort this out.\n\n{customer}"),
    ("return", "en", None, False, "How do I return an item?",
     "Hello,\n\nI'd like to return the {product} from order {order}, it's unused and in its original packaging. "
     "How do I do that?\n\nMany thanks,\n{customer}"),
    # Product question
    ("product_question", "nl", True, False, "Vraag over {product}",
     "Goedemiddag,\n\nIs het {product} geschikt voor een wasdroger, en op hoeveel graden mag het gewassen worden? "
     "Ik overweeg er twee te bestellen.\n\nMet vriendelijke groet,\n{customer}"),
    ("product_question", "nl", False, False, "Is dit ook in het blauw?",
     "Hoi, ik zie het {product} alleen in grijs en zand. Komt er ook een blauwe versie? Zou 'm graag hebben!\n\nGroetjes,\n{first}"),
    ("product_question", "en", None, False, "Question about the {product}",
     "Hi,\n\nIs the {product} made of organic cotton? And does it shrink after washing? Thinking of ordering two.\n\n"
     "Cheers,\n{first}"),
    # Invoice
    ("invoice", "nl", True, False, "Factuur met btw nodig",
     "Beste,\n\nVoor mijn administratie heb ik een factuur nodig van bestelling {order} met ons btw-nummer erop. "
     "Kunt u die naar mij mailen?\n\nMet vriendelijke groet,\n{customer}"),
    ("invoice", "en", None, False, "Invoice for order {order}",
     "Hello,\n\nCould you send me a VAT invoice for order {order}? Our company details are in the order.\n\nRegards,\n{customer}"),
    ("invoice", "nl", False, False, "Factuurtje?",
     "Hey, kun je mij de factuur van bestelling {order} sturen? Kan hem nergens vinden.\n\nDank je!\n{first}"),
]

# Answers per (category, language, formal). {agent} signs, {first}/{customer} address.
REPLIES = {
    ("late_delivery", "nl", True):
        "Beste {title_name},\n\nWat vervelend dat uw bestelling {order} nog niet is aangekomen, zeker nu het een cadeau is. "
        "Ik heb het bij de vervoerder nagevraagd: het pakket ligt op het sorteercentrum. U kunt kiezen:\n"
        "1. We wachten nog één werkdag; het pakket wordt morgen bezorgd.\n2. We sturen vandaag een nieuw exemplaar met spoed.\n"
        "3. U krijgt het volledige bedrag terug.\n\nLaat u mij weten wat u het liefst heeft? Dan regel ik het vandaag nog.\n\n"
        "Met vriendelijke groet,\n{agent}",
    ("late_delivery", "nl", False):
        "Hoi {first},\n\nSorry, wat balen dat je al zo lang wacht! Ik heb het nagekeken: je pakket is bij de vervoerder blijven hangen. "
        "Ik kan vandaag een nieuw exemplaar versturen, of je krijgt je geld meteen terug. Wat heeft je voorkeur?\n\n"
        "Groetjes,\n{agent}",
    ("late_delivery", "en", None):
        "Dear {first},\n\nI'm sorry your order {order} hasn't arrived yet, I understand how frustrating that is. "
        "The carrier tells me the parcel is stuck at their depot. You can choose:\n1. We send a replacement today by express.\n"
        "2. We refund you in full right away.\n\nJust reply with your choice and I'll arrange it today.\n\nKind regards,\n{agent}",
    ("damaged_item", "nl", True):
        "Beste {title_name},\n\nWat vervelend dat het {product} beschadigd is aangekomen, excuses daarvoor. "
        "Wij lossen het graag op. U kunt kiezen uit:\n1. Een nieuw exemplaar, dat wij vandaag versturen.\n"
        "2. Het volledige aankoopbedrag terug.\n3. U houdt het artikel en krijgt 30% van het bedrag terug.\n\n"
        "Terugsturen is niet nodig. Laat u mij weten wat u wilt?\n\nMet vriendelijke groet,\n{agent}",
    ("damaged_item", "nl", False):
        "Hoi {first},\n\nBalen zeg, sorry dat je {product} kapot is aangekomen! Ik stuur je vandaag nog een nieuwe, "
        "of als je liever je geld terug wilt, regel ik dat meteen. Zeg het maar!\n\nGroetjes,\n{agent}",
    ("damaged_item", "en", None):
        "Dear {first},\n\nI'm so sorry the {product} arrived damaged. We'd like to put this right. You can choose:\n"
        "1. A replacement, sent out today.\n2. A full refund.\n3. Keep the item with a 30% partial refund.\n\n"
        "There's no need to send it back. Let me know which you prefer and I'll arrange it right away.\n\nBest regards,\n{agent}",
    ("wrong_item", "nl", True):
        "Beste {title_name},\n\nExcuses voor de verwisseling, dat is vervelend. Wij sturen u vandaag het juiste artikel toe; "
        "het verkeerde kunt u kosteloos retourneren met het bijgevoegde label. Heeft u liever uw geld terug, dan regel ik dat ook graag.\n\n"
        "Met vriendelijke groet,\n{agent}",
    ("wrong_item", "nl", False):
        "Hoi {first},\n\nSorry, wat vervelend dat het misging, en dan ook nog voor de tweede keer! Ik stuur je vandaag het goede artikel. "
        "Wil je liever je geld terug? Dan kan dat ook. Het verkeerde artikel mag je gratis terugsturen.\n\nGroetjes,\n{agent}",
    ("wrong_item", "en", None):
        "Dear {first},\n\nSorry about the mix-up. I'll send the right colour today, and you can return the grey one free of charge "
        "with the label I've attached. If you'd rather have a refund, that's fine too.\n\nKind regards,\n{agent}",
    ("return", "nl", True):
        "Beste {title_name},\n\nU kunt het artikel binnen 30 dagen kosteloos retourneren. In de bijlage vindt u het retourlabel. "
        "Zodra wij het pakket ontvangen, betalen wij het volledige bedrag binnen 3 werkdagen terug.\n\nMet vriendelijke groet,\n{agent}",
    ("return", "nl", False):
        "Hoi {first},\n\nNatuurlijk, dat kan! Je hebt 30 dagen bedenktijd. Ik heb het retourlabel bijgevoegd; "
        "als het pakket binnen is, krijg je binnen 3 werkdagen je geld terug.\n\nGroetjes,\n{agent}",
    ("return", "en", None):
        "Dear {first},\n\nOf course. You can return it within 30 days; I've attached a free return label. "
        "We refund the full amount within 3 business days of receiving the parcel.\n\nKind regards,\n{agent}",
    ("refund", "nl", True):
        "Beste {title_name},\n\nIk begrijp dat u zich zorgen maakt, excuses voor het lange wachten. Uw retour is bij ons binnen "
        "en de terugbetaling heb ik vandaag handmatig in gang gezet; binnen 2 werkdagen staat het bedrag op uw rekening.\n\n"
        "Met vriendelijke groet,\n{agent}",
    ("refund", "en", None):
        "Dear {first},\n\nI'm sorry for the wait, I understand this is frustrating. Your return has arrived and I've processed "
        "the refund today; it will be in your account within 2 business days.\n\nKind regards,\n{agent}",
    ("product_question", "nl", True):
        "Beste {title_name},\n\nDank u voor uw vraag. Het {product} mag op 40 graden gewassen worden en kan op een lage stand "
        "in de droger. Wilt u er twee bestellen, dan krijgt u 10% korting met de code TWEE10.\n\nMet vriendelijke groet,\n{agent}",
    ("product_question", "nl", False):
        "Hoi {first},\n\nLeuk dat je interesse hebt! Een blauwe versie verwachten we over ongeveer drie weken. "
        "Wil je dat ik je een mailtje stuur zodra hij binnen is?\n\nGroetjes,\n{agent}",
    ("product_question", "en", None):
        "Hi {first},\n\nThanks for asking! The {product} is 100% organic cotton, pre-washed, so it won't shrink noticeably at 40°C. "
        "If you order two, code TWO10 gives you 10% off.\n\nBest wishes,\n{agent}",
    ("invoice", "nl", True):
        "Beste {title_name},\n\nIn de bijlage vindt u de factuur van bestelling {order} met uw btw-nummer.\n\n"
        "Met vriendelijke groet,\n{agent}",
    ("invoice", "nl", False):
        "Hoi {first},\n\nHierbij de factuur van je bestelling {order}!\n\nGroetjes,\n{agent}",
    ("invoice", "en", None):
        "Dear {first},\n\nPlease find attached the VAT invoice for order {order}.\n\nKind regards,\n{agent}",
}

FOLLOW_UPS = {
    "nl": ["Dank u voor uw reactie. Ik kies voor een nieuw exemplaar. Wanneer kan ik dat verwachten?",
           "Top, dank je! Stuur maar een nieuwe.",
           "Ik heb het label gebruikt, maar de site van de vervoerder geeft een foutmelding. Wat nu?"],
    "en": ["Thanks. I'd like the replacement, please. When will it ship?",
           "A refund please. How long will that take?"],
}

CUSTOMERS_NL = [("Ingrid", "van Dijk", "f"), ("Pieter", "Smit", "m"), ("Fatima", "Yilmaz", "f"), ("Jeroen", "Visser", "m"),
                ("Lotte", "de Boer", "f"), ("Bram", "Mulder", "m"), ("Emma", "Meijer", "f"), ("Daan", "de Graaf", "m"),
                ("Sophie", "Hendriks", "f"), ("Kees", "Bos", "m"), ("Noor", "Vermeulen", "f"), ("Ruben", "Peters", "m"),
                ("Anouk", "Dekker", "f"), ("Thijs", "van Leeuwen", "m"), ("Sara", "El Idrissi", "f"), ("Marco", "Brouwer", "m")]
CUSTOMERS_EN = [("Emily", "Clarke", "f"), ("James", "Walker", "m"), ("Olivia", "Brown", "f"), ("Liam", "O'Connor", "m"),
                ("Charlotte", "Green", "f"), ("Hannah", "Schmidt", "f"), ("Oliver", "Hughes", "m"), ("Grace", "Murphy", "f")]
PRODUCTS = ["linnen dekbedovertrek 240x220", "bamboe hoeslaken 160x200", "wollen plaid Noorderlicht", "kussenslopen set (2)",
            "badlaken XL zand", "wafelbadjas maat M", "katoenen theedoeken (4)", "velvet sierkussen oker",
            "percale dekbedovertrek 200x220", "molton matrasbeschermer 180x200"]
PRODUCTS_BE = ["plaid en laine Ardennes", "housse de couette lin 240x220", "torchons en coton (4)"]
TAGS_BY_CATEGORY = {"late_delivery": ["bezorging"], "damaged_item": ["schade"], "wrong_item": ["omruilen"],
                    "return": ["retour"], "refund": ["retour", "terugbetaling"], "product_question": ["productinfo"],
                    "invoice": ["factuur"]}
