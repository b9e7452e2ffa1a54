"""Reply review for the composer: does a draft meet the seller's service standard?

The standard (seed 000, see ARCHITECTURE.md) asks for every answer to be *fast*, *expert* and
*personal* at once. Speed is measured by the SLA clock, not by the text, so this
module only looks at the words. It is pure: stdlib only, no I/O, no models, every
regular expression compiled at import. ``review()`` on a typical reply takes well
under a millisecond.

    from inbox.nudges import review
    checks = review(reply, question, customer_name=None)
    for check in checks:            # always six, in CODES order
        check.code, check.ok, check.applies, check.phrase, check.pillar

``question`` is the customer's latest message (quoted history below it is ignored).
The checks are data: the words around them are the reader's and live in the web layer
(``inbox/nudge_texts.py``, translated). Only ``phrase``, what the reply could say
("Hoi Lisa,", "Met vriendelijke groet,"), is in the customer's language and register
(Dutch for a Dutch question, English otherwise; "Hoi!" gets "Hoi Lisa,", "Geachte"
gets "Beste mevrouw/meneer Jansen,"). A check that does not apply is ``ok=True``.

=============  ==========  =====================================================
code           pillar      when it fails
=============  ==========  =====================================================
name           personal    a customer name is known, the reply never uses it
feeling        personal    the customer is upset, the reply does not acknowledge it
options        expert      an order/product problem, fewer than two solutions
formality      personal    Dutch customer writes "u", the reply says "je/jij/jouw"
next_step      expert      a problem, but no shop action and no moment ("today")
closing        personal    no sign-off in the last lines (above a signature or P.S.,
                           or at the end of the last sentence's line: "… Groetjes, Youssef")
=============  ==========  =====================================================

The "fast" pillar has no text check: the app fills it from the SLA (8 business
hours), which is why no code here carries ``pillar="fast"``.

This is keyword scoring, not understanding. It is tuned on the hand-labelled corpus
in ``tests/data/nudges_corpus.json``; the composer shows the checks as hints, never
as a gate.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from inbox.mailparse.quotes import split_quoted

__all__ = [
    "CATEGORIES", "CODES", "PILLARS", "SOLUTION_CATEGORIES",
    "Check", "Tone", "detect_category", "detect_language", "detect_tone", "review",
]

CODES: tuple[str, ...] = ("name", "feeling", "options", "formality", "next_step", "closing")

#: Which pillar of the standard each check serves. "fast" comes from the SLA clock.
PILLARS: dict[str, str] = {
    "name": "personal",
    "feeling": "personal",
    "options": "expert",
    "formality": "personal",
    "next_step": "expert",
    "closing": "personal",
}

CATEGORIES: tuple[str, ...] = (
    "late_delivery", "damaged_item", "wrong_item", "return", "refund",
    "product_question", "invoice", "general",
)

#: Categories where the standard asks for several possible solutions
#: (e.g. damaged item: replacement, refund, or a partial refund and keep it).
SOLUTION_CATEGORIES: frozenset[str] = frozenset({"late_delivery", "damaged_item", "wrong_item"})


@dataclass(frozen=True)
class Check:
    """One review result, as data: the caller words it in the reader's language.

    ``applies``: whether the check concerns this question at all (a check that does not apply is ``ok``).
    ``phrase``: words the reply could use, in the *customer's* language ("Hoi Kim,", "Met vriendelijke groet,"),
    '' when there is nothing to propose. ``found``: for ``formality``, the informal words in the reply.
    """

    code: str
    ok: bool
    pillar: str
    applies: bool = True
    phrase: str = ""
    found: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tone:
    """What the composer shows about the customer's message, e.g. "formal, upset".

    ``formal`` is only known for Dutch (u versus je); it is None otherwise.
    """

    language: str
    formal: bool | None
    upset: bool
    problem: bool

    @property
    def labels(self) -> list[str]:
        out = []
        if self.formal is True:
            out.append("formal")
        elif self.formal is False:
            out.append("informal")
        if self.upset:
            out.append("upset")
        if self.problem:
            out.append("problem")
        return out

    def __str__(self) -> str:
        return ", ".join(self.labels)


# --------------------------------------------------------------------------- text helpers

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00b4": "'", "`": "'",
                         "\u2013": "-", "\u2014": "-", "\u00a0": " "})


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(text: str) -> str:
    """Lower case, accents off, typographic quotes/dashes straightened. ß -> ss. Keeps the line count."""
    text = text.translate(_QUOTES)
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


_SENTENCE = re.compile(r"[^.!?\n]+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ABBREV = re.compile(r"\b(?:a\.\s?u\.\s?b\.?|s\.\s?v\.\s?p\.?|aub)(?=\W|$)")


def _latest(text: str) -> str:
    """The newest part of a message: quoted lines ('> ...') and older mails removed (mailparse's one detector)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return split_quoted(text)[0]


def _tokens(folded: str) -> list[str]:
    return _WORD.findall(_ABBREV.sub(" ", folded))


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_NEGATORS = frozenset({
    "not", "no", "never", "nothing", "isn't", "wasn't", "aren't", "weren't", "don't", "doesn't", "didn't",
    "niet", "geen", "nooit", "niets", "niks", "nicht", "kein", "keine", "keinen", "nie", "pas", "jamais",
    "without", "zonder", "ohne", "sans",
})
_NOT_ONLY = frozenset({"only", "just", "alleen", "enkel", "nur", "seulement"})
_CLAUSE_END = re.compile(r"[.!?;:,\n]")


_CANNOT_SOLUTION = frozenset({"cannot", "can't", "unable", "won't"})


def _negated(folded: str, start: int, extra: frozenset[str] = frozenset()) -> bool:
    """Is the word at ``start`` negated by one of the three words before it (same clause)?"""
    prefix = folded[max(0, start - 48):start]
    parts = _CLAUSE_END.split(prefix)
    words = _WORD.findall(parts[-1])[-3:]
    for i, word in enumerate(words):
        if word in extra:
            return True
        if word in _NEGATORS:
            following = words[i + 1] if i + 1 < len(words) else ""
            if following not in _NOT_ONLY:
                return True
    return False


def _hits(pattern: re.Pattern[str], folded: str, *, negatable: bool = True) -> int:
    """Number of matches that are not negated ("not damaged" is no hit)."""
    return sum(1 for m in pattern.finditer(folded) if not (negatable and _negated(folded, m.start())))


# --------------------------------------------------------------------------- language

_STOPWORDS: dict[str, frozenset[str]] = {
    "nl": frozenset("""de het een en ik je jij u uw is niet van dat die met voor op maar nog heb heeft geen hoe kan
        kunt wel naar bij ook er zijn mijn wat wanneer graag bedankt groet groeten groetjes hallo hoi goedendag
        goedemiddag goedemorgen goedenavond alvast bestelling pakket wij jullie deze dit al nu te om mij me hij ze
        wordt worden zou moet ontvangen vriendelijke beste dank weet hoor besteld mag kun""".split()),
    "en": frozenset("""the a an and i you your is not of to in for with my it this that have has haven't but can
        could would do does did was be on at please thanks thank hi hello dear regards order what when where how
        just still got me we are i'm it's from received ordered if any""".split()),
    "de": frozenset("""der die das und ich nicht ist mit ein eine sie mein meine zu auf fur noch bitte danke schon
        sehr geehrte geehrter hallo grussen bestellung lieferung wir ihnen ihr es dem den des von wie aber ja nein
        auch hat habe wurde kann sind damen herren""".split()),
    "fr": frozenset("""le la les et je est pas un une mon ma mes vous votre de du des pour avec que qui bonjour
        merci cordialement ne n'est il elle ce cette sur dans colis commande tres suis toujours au aux oui non
        madame monsieur""".split()),
}


def detect_language(text: str) -> str:
    """"nl", "en", "de" or "fr" by stopword score; "en" when nothing is recognised."""
    tokens = _tokens(_fold(text or ""))
    scores = {lang: sum(1 for t in tokens if t in words) for lang, words in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] == 0 or scores[best] == scores["en"]:
        return "en"
    return best


# --------------------------------------------------------------------------- feeling (customer)

_NEG_WORDS = _rx(
    # nl
    r"\bteleurgesteld", r"\bteleurstel\w*", r"\bboos\b", r"\bkwaad\b", r"\bwoedend", r"\brazend\b",
    r"\bbelachelijk", r"\bschandalig", r"\bschandelijk", r"\bonacceptabel", r"\bonaanvaardbaar", r"\bontevreden",
    r"\bgefrustreerd", r"\bfrustrer\w*", r"\bfrustratie", r"\bgeirriteerd", r"\birritant", r"\bergerlijk",
    r"\bergernis", r"\bongerust", r"\bwaardeloos", r"\bklacht\w*", r"\bbalen\b", r"\bbaal\b", r"\bvervelend\w*",
    r"\bjammer\b", r"\bslechte? (service|ervaring|kwaliteit)", r"\bonbeschoft", r"\bbezorgd\b(?= (?:dat|om|over))",
    # en
    r"\bfrustrat\w*", r"\bunacceptable", r"\bdisappoint\w*", r"\bangry\b", r"\bfurious", r"\bannoy\w*",
    r"\bupset\b", r"\bworr(?:ied|y|ying)\b", r"\bconcerned\b", r"\banxious", r"\bridiculous", r"\boutrageous",
    r"\bterrible", r"\bawful", r"\bhorrible", r"\bdisgust\w*", r"\bunhappy", r"\bdissatisfied", r"\bappalling",
    r"\bshocking", r"\bfuming", r"\blivid\b", r"\buseless", r"\bpoor (service|quality)", r"\bfed up",
    r"\bsick of", r"\bwaste of", r"\bnot good enough",
    # de
    r"\bverargert", r"\benttausch\w*", r"\bargerlich", r"\bunverschamt", r"\bfrechheit", r"\bsauer\b",
    r"\bwutend", r"\bunzufrieden", r"\binakzeptabel|\bunakzeptabel", r"\bbesorgt", r"\blacherlich",
    # fr
    r"\bdecue?s?\b", r"\bdecevant", r"\binadmissible", r"\binacceptable", r"\benerve", r"\bfache",
    r"\bfurieu\w*", r"\binquiete?\b", r"\bridicule", r"\bscandaleu\w*", r"\bmecontent",
)
# phrases that carry their own negation, or punctuation: never "un-negated"
_NEG_PHRASES = _rx(
    r"\bnog (?:steeds|altijd) (?:niet|niets|niks|geen)\b", r"\bstill (?:haven't|have not|hasn't|has not|not|no|"
    r"nothing|waiting|don't|do not|didn't|did not|can't|isn't)\b", r"\bimmer noch (?:nicht|kein)",
    r"\bnoch immer (?:nicht|kein)", r"\btoujours pas\b",
    r"\bal (?:\d+|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|ruim|bijna|meer dan) ?"
    r"(?:dagen|weken|maanden|week|maand|keer)\b",
    r"\b(?:derde|vierde|vijfde|zoveelste) keer\b", r"\b(?:third|fourth|fifth|\d+(?:rd|th)) time\b",
    r"\bfor (?:two|three|four|five|six|\d+) (?:days|weeks|months)\b",
    r"\bit'?s been (?:\d+|two|three|four|five|six|a few|several) (?:days|weeks|months)\b",
    r"\bhow (?:much )?long(?:er)? (?:do|must|should|will|am|have) (?:i|we)\b",
    r"\bhoe lang (?:nog|gaat|moet|duurt)\b", r"\bschon (?:\d+|zwei|drei|vier) (?:tage|wochen)\b",
    r"\bdepuis (?:\d+|deux|trois) (?:jours|semaines)\b",
    r"\?{2,}", r"\?!|!\?",
    r"\bmaak (?:me|mij) (?:wat |erg |grote |ernstig )?zorgen", r"\b(?:ben|erg|heel|wat|nogal|beetje) bezorgd\b",
    r"\bgeduld\b", r"\beindelijk\b", r"\bnobody (?:answers|replies|responds)", r"\bno one (?:answers|replies|responds)",
    r"\bniemand (?:reageert|antwoordt|neemt)", r"\bbedankt voor (?:niks|niets)", r"\bthanks? (?:a lot )?for nothing",
    r"\bhoe moeilijk kan het", r"\bhow hard can it be", r"\bwaar blijft\b", r"\bdit kan (?:toch )?niet\b",
)
_EXCLAIM = re.compile(r"!{2,}")
_POSITIVE_WORDS = _rx(r"\bblij\b", r"\btevreden\b", r"\bhappy\b", r"\bsatisfied\b", r"\bpleased\b",
                      r"\bzufrieden\b", r"\bfroh\b", r"\bsatisfaite?\b", r"\bcontente?\b")
_THANKS = re.compile(r"\b(?:bedankt|dank|thanks|thank|danke|merci|super|top|love|great|geweldig|blij|happy)\b")
# irony: a cheer followed by bad news ("Geweldig hoor, alweer kapot", "Great, just great")
_IRONY = _rx(
    r"\b(?:geweldig|top|super|fantastisch|prachtig|fijn|lekker|knap|perfect) (?:hoor|zeg|dan|gedaan|weer|"
    r"service weer)\b",
    r"^\W*(?:geweldig|fantastisch|prachtig|perfect|great|fantastic|wonderful|brilliant|lovely|awesome|"
    r"amazing|super|toll|genial|parfait)\W+(?:just|echt|alweer|weer|again|another|nogmaals)\b",
    r"^\W*(?:oh,? )?(?:geweldig|fantastisch|prachtig|perfect|great|fantastic|wonderful|brilliant|lovely|awesome|"
    r"amazing|super|top|toll|genial|parfait)\W*(?:hoor|zeg|then|dan|again|weer)?\W*$",
    r"\bjust (?:great|perfect|brilliant|wonderful|lovely|fantastic)\b", r"\breally impressed\b",
    r"\bwell done\W+(?:again|another)\b",
    r"\b(?:great|fantastic|wonderful|brilliant|awesome|amazing)\W+(?:another|again)\b",
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
_AGAIN = re.compile(r"\b(?:alweer|weer|opnieuw|again|another|once more|nogmaals|schon wieder|encore)\b")


def _is_upset(folded: str, problem: bool) -> bool:
    if _hits(_NEG_WORDS, folded):
        return True
    if _hits(_NEG_PHRASES, folded, negatable=False):
        return True
    for m in _POSITIVE_WORDS.finditer(folded):
        if _negated(folded, m.start()):           # "niet blij", "not happy"
            return True
    for m in _EXCLAIM.finditer(folded):           # "!!!" unless it is "Thanks!!"
        before = _CLAUSE_END.split(folded[max(0, m.start() - 60):m.start()].rstrip("!"))[-1]
        if not _THANKS.search(before):
            return True
    for line in folded.split("\n"):
        for sentence in _SENTENCE_SPLIT.split(line):
            if _IRONY.search(sentence.strip()) and (problem or _AGAIN.search(folded)):
                return True
    return False


# --------------------------------------------------------------------------- category / problem (customer)

_CATEGORY_PATTERNS: dict[str, tuple[int, re.Pattern[str]]] = {
    "late_delivery": (3, _rx(
        r"\bte laat\b", r"\b(?:niet|niets|niks|nog niet|nog niets) (?:ontvangen|binnen|gekregen|geleverd|bezorgd)\b",
        r"\bniet (?:is )?aangekomen", r"\bnog niet (?:binnen|aangekomen|ontvangen|geleverd|bezorgd)",
        r"\bwaar blijft\b", r"\bvertraa?g\w*", r"\b(?:is|zijn) er nog (?:steeds |altijd )?niet\b",
        r"\b(?:bestelling|pakket|zending|levering)\b[^.?!\n]{0,60}\bnog (?:steeds |altijd )?niet\b",
        r"\bnergens te vinden|\bniet te vinden\b|\bkan (?:het|hem|het pakket) niet vinden",
        r"\bwacht\w* (?:ik |al |nog |nu )*(?:\w+ ){0,3}op (?:mijn|de|het|een|m'n)\b",
        r"\bzou (?:gisteren|vandaag|eergisteren|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag) "
        r"(?:komen|binnen|bezorgd|geleverd|aankomen)", r"\bbezorgd,? maar\b", r"\bzoekgeraakt|\bis zoek\b|\bkwijt\b",
        r"\blate\b", r"\b(?:hasn't|has not|haven't|have not|didn't|did not|never|not yet|still not|yet to) "
        r"(?:arrived?|been delivered|received?|come|turned up|shown up)\b",
        r"\bnot (?:arrived|received|delivered|here)\b",
        r"\b(?:didn't|did not|haven't|have not|never) (?:get|got|receive|received)\b"
        r"(?! (?:an? |the |my |any )?(?:order )?"
        r"(?:confirmation|email|e-mail|reply|answer|response|refund|money|invoice))",
        r"\bwhere is my (?:order|parcel|package|delivery)", r"\bdelay(?:ed|s)?\b",
        r"\bwait(?:ing)? (?:for|on) (?:my|the|an?) (?:order|parcel|package|delivery|item)", r"\bweeks? of waiting",
        r"\blost\b", r"\b(?:marked|shows?|showing|says|said|listed|tracking says) (?:as )?delivered\b",
        r"\bnowhere to be found", r"\bcan'?t find (?:it|the parcel|the package|my parcel|my package)",
        r"\bstill nothing\b",
        r"\bsupposed to (?:arrive|be delivered|come)",
        r"\bzu spat\b", r"\bnicht (?:angekommen|erhalten|geliefert)",
        r"\bnoch nicht (?:da|angekommen|erhalten|geliefert)",
        r"\bverspat\w*", r"\bwo bleibt\b", r"\bpas (?:encore )?(?:arrive|recu|livre)", r"\bretard\b",
    )),
    "damaged_item": (3, _rx(
        r"\bkapot\w*", r"\bbeschadig\w*", r"\bdefect\w*", r"\bstuk (?:gaat|gaan|gegaan|ging)\b",
        r"\b(?:is|zijn|ging|gaat|gaan|was|waren) (?:al |weer |alweer )?stuk\b", r"\bstukgegaan", r"\bin stukken\b",
        r"\bdoet het niet\b", r"\bwerkt (?:het )?niet\b", r"\bgaat niet (?:meer )?aan\b", r"\b(?:af|door)?gebroken\b",
        r"\bgescheurd", r"\bscheur\b", r"\bbarst\w*", r"\bkras(?:sen)?\b", r"\bdeuk\w*", r"\blek(?:t)?\b",
        r"\bkraakt\b",
        r"\bbreekt\b", r"\bvalt uit elkaar", r"\bschade\b",
        r"\bdamaged?\b", r"\bbroken?\b", r"\bbroke\b", r"\bdefective", r"\bfaulty", r"\bcrack(?:ed|s)?\b",
        r"\b(?:doesn't|does not|don't|isn't|is not|won't|will not|stopped|stops) (?:work|working|turn on|switch on|"
        r"charge|charging)\b", r"\bnot working\b", r"\bscratch(?:ed|es)?\b", r"\btorn\b", r"\bripped\b",
        r"\bleak(?:s|ing)?\b", r"\bpeel(?:ing|ed|s)?\b", r"\bchip(?:ped|s)?\b", r"\bcrushed\b", r"\bsmashed\b",
        r"\bbent\b", r"\bstain(?:ed|s)?\b", r"\b(?:a|has|with) holes? in\b", r"\bgat in\b", r"\bvlek(?:ken)?\b",
        r"\bgedeukt\b", r"\bgeplet\b", r"\bdent(?:ed)?\b", r"\bshattered", r"\bf(?:e|a)ll(?:ing)? apart",
        r"\bbeschadigt", r"\bkaputt", r"\bdefekt", r"\bzerbrochen", r"\bfunktioniert nicht",
        r"\bendommage", r"\bcasse\b", r"\babime", r"\bdefectueu\w*", r"\bne (?:fonctionne|marche) pas",
    )),
    "wrong_item": (3, _rx(
        r"\bverkeerde? (?!adres|factuur|naam|bedrag|rekening|btw|nummer)\w+",
        r"\bin plaats van\b(?=[^.?!\n]{0,60}\b(?:ontvangen|gekregen|geleverd|gestuurd|kreeg|zit|besteld|bestelde)\b)"
        r"|\b(?:ontvangen|gekregen|geleverd|gestuurd|kreeg)\b[^.?!\n]{0,60}\bin plaats van\b",
        r"\bi\.?p\.?v\.?(?=\W)",
        r"\bonvolledig", r"\bontbre\w*", r"\bmist (?:een|het|de|er)\b", r"\bniet compleet|\bincompleet",
        r"\bbesteld,? maar .{0,40}(?:ontvangen|gekregen|geleverd|kreeg|zit)",
        r"\b(?:dunner|dikker|kleiner|groter|anders|lichter|donkerder|korter|langer) dan (?:op de foto|afgebeeld|"
        r"verwacht|beschreven|aangegeven|op de site|op de website)",
        r"\bniet (?:zoals|wat) (?:ik )?(?:besteld|beschreven|afgebeeld)",
        r"\bwrong\b", r"\binstead of\b(?=[^.?!\n]{0,60}\b(?:got|received|sent|ordered|delivered)\b)"
        r"|\b(?:got|received|sent|delivered)\b[^.?!\n]{0,60}\binstead of\b", r"\b(?:but|and) (?:got|received|get)\b",
        r"\bmissing\b", r"\bincomplete",
        r"\bnot what i ordered", r"\bnothing like\b", r"\bnot as (?:described|pictured|advertised|shown)",
        r"\blooks? different",
        r"\b(?:smaller|bigger|thinner|different) than (?:the )?(?:picture|photo|described|expected)",
        r"\bfalsche[nsr]?\b", r"\bfehlt\b", r"\bunvollstandig", r"\bmauvaise?\b", r"\bmanque\b", r"\bincomplet",
    )),
    "refund": (2, _rx(
        r"\bgeld terug", r"\bterugbetal\w*", r"\bterug ?gestort", r"\bterugstort\w*", r"\brestitutie", r"\bannuler\w*",
        r"\brefund\w*", r"\bmoney back", r"\breimburse\w*", r"\bcancel\w*", r"\berstatt\w*", r"\bgeld zuruck",
        r"\bstornier\w*", r"\brembours\w*", r"\bannul\w*",
    )),
    "return": (2, _rx(
        r"\bretour\w*", r"\bterug ?(?:te )?sturen", r"\bterugstu\w*", r"\bteruggestuurd", r"\b(?:om)?ruilen\b",
        r"\bomruil\w*", r"\breturn(?:s|ed|ing)?\b", r"\bsend (?:it |them )?back", r"\bexchange\b", r"\bswap\b",
        r"\bzurucksend\w*", r"\brucksendung", r"\bumtausch\w*", r"\bretourner", r"\brenvoyer", r"\bechanger",
    )),
    "invoice": (2, _rx(
        r"\bfactu(?:u)?r\w*", r"\bbtw\b", r"\binvoice\w*", r"\bvat\b", r"\breceipt", r"\bbetaling\w*", r"\bbetaald\b",
        r"\bpayment", r"\bpaid\b", r"\bpay\b", r"\brechnung", r"\bzahlung", r"\bpaiement", r"\bcreditnota",
        r"\bcredit note", r"\bpakbon",
    )),
    "product_question": (1, _rx(
        r"\bpast\b", r"\bpassen\b", r"\bgeschikt", r"\bmaat\b", r"\bmaten\b", r"\bkleur\w*", r"\bmateriaal",
        r"\bvoorraad", r"\bleverbaar", r"\bverkrijgbaar", r"\bbeschikbaar", r"\bafmeting\w*", r"\bschoonmaken",
        r"\bwassen\b", r"\bhandleiding", r"\blos te koop", r"\bverkopen jullie", r"\bhebben jullie",
        r"\bheeft u (?:deze|dit|die|ook)", r"\bzit er .{0,25} bij\b", r"\bbiologisch", r"\bkatoen",
        r"\bfits?\b", r"\bsize\b", r"\bcolou?rs?\b", r"\bmaterial\b", r"\bin stock\b", r"\bavailable\b",
        r"\bcompatible", r"\bsuitable", r"\bdimensions?\b", r"\bhow do i (?:use|clean|wash|install|assemble)",
        r"\bwashed\b", r"\bwaterproof", r"\bdo you (?:have|sell|also)", r"\bruns (?:small|large|big|true)",
        r"\bwasserdicht", r"\bgrosse\b", r"\btaille\b", r"\bcouleur", r"\bdisponible",
    )),
}
_DELAY = _rx(r"\bnog (?:steeds |altijd )?(?:niet|geen)\b", r"\bstill\b", r"\bnot yet\b", r"\byet to\b",
             r"\bweeks? ago\b", r"\bdays ago\b", r"\b(?:dagen|weken) geleden\b", r"\bhoe lang\b", r"\bhow long\b",
             r"\bimmer noch\b", r"\bnoch nicht\b", r"\btoujours pas\b", r"\bal \d+ (?:dagen|weken)\b", r"!{2,}")


# "I ordered the wrong size" is the customer's own choice (an exchange), not a wrong item sent by the shop:
# a sentence that has the customer ordering and nothing received
_OWN_ORDER = re.compile(r"\b(?:i|i've|ik)\b[^.?!\n]{0,50}\b(?:ordered|order|chose|picked|bought|selected|besteld|"
                        r"bestelde|gekozen|gekocht|koos)\b")
_RECEIVED = re.compile(r"\b(?:received?|got|get|sent|delivered|arrived|came|ontvangen|gekregen|geleverd|gestuurd|"
                       r"kreeg|zat|zit|aangekomen|bezorgd)\b")


def _wrong_item_hits(pattern: re.Pattern[str], folded: str) -> int:
    count = 0
    for m in pattern.finditer(folded):
        if _negated(folded, m.start()):
            continue
        sentence = next((s.group() for s in _SENTENCE.finditer(folded) if s.start() <= m.start() < s.end()), "")
        if _OWN_ORDER.search(sentence) and not _RECEIVED.search(sentence):
            continue
        count += 1
    return count


def _category_scores(folded: str) -> dict[str, int]:
    return {cat: weight * (_wrong_item_hits(pattern, folded) if cat == "wrong_item" else _hits(pattern, folded))
            for cat, (weight, pattern) in _CATEGORY_PATTERNS.items()}


def _best_category(scores: dict[str, int]) -> str:
    best = max(scores, key=lambda cat: scores[cat])   # ties: the earlier (more serious) category wins
    return best if scores[best] > 0 else "general"


# Pure functions of the text, and every view of a ticket asks them about the same question again.
@lru_cache(maxsize=2048)
def detect_category(text: str) -> str:
    """The kind of question, for template suggestions: one of ``CATEGORIES``."""
    return _best_category(_category_scores(_fold(_latest(text or ""))))


def _is_problem(folded: str, category: str) -> bool:
    if category in SOLUTION_CATEGORIES:
        return True
    # a refund or return that is taking too long is a problem too (next step needed),
    # but "several solutions" does not fit it: the solution is the refund.
    return category in ("refund", "return") and bool(_DELAY.search(folded))


@dataclass(frozen=True)
class _Analysis:
    language: str
    formal: bool | None
    upset: bool
    problem: bool
    category: str
    register: str | None   # "formal", "informal" or None: how the customer writes, for the phrases we propose


_FORMAL_PRONOUNS = frozenset({"u", "uw", "uzelf", "uwe"})
_INFORMAL_PRONOUNS = frozenset({"je", "jij", "jou", "jouw", "jouwe", "jezelf", "jullie", "jij'", "je'"})
_FORMAL_SALUTATION = re.compile(r"\b(?:geachte|hoogachtend|zeer geachte)\b")


def _formality(folded: str) -> bool | None:
    tokens = _tokens(folded)
    formal = sum(1 for t in tokens if t in _FORMAL_PRONOUNS)
    informal = sum(0.5 if t == "jullie" else 1 for t in tokens if t in _INFORMAL_PRONOUNS)
    if formal and formal >= informal:
        return True
    if informal:
        return False
    if _FORMAL_SALUTATION.search(folded):
        return True
    return None


@lru_cache(maxsize=2048)
def _analyse(question: str) -> _Analysis:
    latest = _latest(question or "")
    folded = _fold(latest)
    language = detect_language(latest)
    category = _best_category(_category_scores(folded))
    problem = _is_problem(folded, category)
    upset = _is_upset(folded, problem)
    formal = _formality(folded) if language == "nl" else None
    return _Analysis(language, formal, upset, problem, category, _register(folded, formal))


# How the customer greets and signs tells the register as much as u/je: "Hoi!" asks for "Hoi Lisa," back,
# "Dear Sir or Madam" for "Dear Ms Smith,".
_INFORMAL_MARKERS = re.compile(r"^\W*(?:hoi|hey|hee|hai|heey|hi|hiya|yo)\b|\b(?:groetjes|liefs|doei|thx|cheers|xx+|"
                               r"gr(?:oet)?jes|tot straks|love)\b", re.MULTILINE)
_FORMAL_MARKERS = re.compile(r"\b(?:geachte|hoogachtend|dear (?:sir|madam|sirs)|to whom it may concern|"
                             r"yours (?:faithfully|sincerely)|sehr geehrte|madame, monsieur)\b")


def _register(folded: str, formal: bool | None) -> str | None:
    if formal is not None:                      # Dutch u/je says it best
        return "formal" if formal else "informal"
    if _FORMAL_MARKERS.search(folded):
        return "formal"
    if _INFORMAL_MARKERS.search(folded):
        return "informal"
    return None


def detect_tone(question: str) -> Tone:
    """Language, u/je (Dutch only), upset, problem: what the composer shows next to the question."""
    a = _analyse(question)
    return Tone(language=a.language, formal=a.formal, upset=a.upset, problem=a.problem)


# --------------------------------------------------------------------------- the reply

_ACK = _rx(
    r"\bvervelend", r"\bwat naar\b", r"\bnaar (?:dat|voor)\b", r"\bjammer\b", r"\bexcus\w*", r"\bexcuus",
    r"\bsorry\b", r"\bbegrijp\w*", r"\bsnap (?:ik|het|je|dat|goed)", r"\bik snap\b", r"\bbalen\b", r"\bspijt\b",
    r"\bteleurstel\w*", r"\bteleurgesteld", r"\bverontschuldig\w*", r"\bonze fout\b", r"\bmijn fout\b",
    r"\bzorgen (?:maakt|maken)\b", r"\brot (?:dat|voor)\b", r"\bfrustrer\w*", r"\bergerlijk", r"\bvoel\w* mee",
    r"\bapolog\w*", r"\bi understand\b", r"\bunderstandabl\w*", r"\bi can imagine\b", r"\bfrustrat\w*",
    r"\bannoy\w*", r"\bdisappoint\w*", r"\bunfortunate\b", r"\bregret\w*", r"\b(?:no need|don't need) to worry",
    r"\bdon't worry\b", r"\byour worry\b", r"\bi hear you\b", r"\bright to be\b", r"\bnot the experience\b",
    r"\b(?:my|our) (?:fault|mistake)\b", r"\binconvenien\w*", r"\bupsetting\b", r"\byour concern",
    r"\btut (?:uns|mir) (?:sehr |wirklich )?leid", r"\bentschuldig\w*", r"\bverstehe\b", r"\bverstandlich",
    r"\bbedauer\w*", r"\bdesolee?s?\b", r"\bexcuse\w*", r"\bcomprends\b", r"\bnavree?s?\b", r"\bregrett\w*",
)

_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022\u00b7\u2013\u2014]|\(?\d{1,2}[.)]|\(?[a-h][.)])\s+\S")
_SEND_OBJECT_NOT_GOODS = (r"(?![^.;\n]{0,40}\b(?:retourlabel|label|link|linkje|foto|mail|e-mail|bevestiging|track|"
                          r"code|factuur|formulier|gegevens|bericht|informatie|instructies|handleiding|photo|email|"
                          r"confirmation|tracking|form|invoice|details|update|message|instructions|information|"
                          r"manual|voucher)\b)")
_NL_SEND = r"(?:sturen|stuur|versturen|verstuur|verzenden|verzend|zenden|leveren)"
_SOLUTION_TYPES: dict[str, re.Pattern[str]] = {
    "replacement": _rx(
        r"\bvervang\w*", r"\bnieuw exemplaar", r"\bnieuwe? (?!bevestiging|factuur|link|collectie|code|adres|"
        r"bestelnummer|retourlabel|label|bericht)[a-z]{3,}", r"\bopnieuw (?:op ?)?(?:ver)?(?:stur|zend|verzend)\w*",
        r"\bnasturen", r"\bna (?:te )?sturen", r"\b" + _NL_SEND + r"\b[^.;\n]{0,40}\bna\b", r"\balsnog\b",
        r"\b(?:om)?ruil\w*", r"\bwisselen\b",
        r"\b(?:we|wij|ik)\s+" + _NL_SEND + r"\b" + _SEND_OBJECT_NOT_GOODS,
        r"\b" + _NL_SEND + r"\s+(?:we|wij|ik)\b" + _SEND_OBJECT_NOT_GOODS,
        r"\breplace\w*", r"\bnew (?!confirmation|invoice|link|collection|code|address|label|order number)[a-z]{3,}",
        r"\bresen[dt]\w*", r"\bre-send", r"\b(?:send|ship)\b[^.;\n]{0,30}\bagain\b", r"\bexchange\w*", r"\bswap\w*",
        r"\b(?:we|i)(?:'ll|'d| will| can| could| would| shall| are going to|'re going to)?\s+(?:\w+\s+)?"
        r"(?:send|ship|dispatch|post)\b(?! (?:it|them) back)" + _SEND_OBJECT_NOT_GOODS,
        r"\bopnieuw (?:laten )?(?:bezorg|aanbied)\w*", r"\bredeliver\w*", r"\bdeliver(?:ed)? (?:it )?again\b",
        r"\bneue[snmr]?\b", r"\bersatz\w*", r"\bumtausch\w*", r"\bnachsend\w*", r"\bnouveau\b", r"\bnouvelle\b",
        r"\bremplac\w*", r"\brenvoy\w*", r"\bechang\w*",
    ),
    "refund": _rx(
        r"\bgeld terug", r"\bbedrag\b[^.;\n]{0,40}\bterug\b", r"\bterugbetal\w*", r"\bterug ?(?:te )?betalen",
        r"\bterugstort\w*", r"\bteruggestort", r"\bterug ?storten", r"\bstort\w*\b[^.;\n]{0,40}\bterug\b",
        r"\bbetal\w*\b[^.;\n]{0,40}\bterug\b", r"\brestitu\w*", r"\bcrediteren",
        r"\b(?:krijgt|ontvangt|krijg|ontvang)\b[^.;\n]{0,30}\bterug\b",
        r"\brefund\w*", r"\bmoney back", r"\breimburs\w*", r"\berstatt\w*", r"\bruckerstatt\w*", r"\bgeld zuruck",
        r"\brembours\w*",
    ),
    "partial": _rx(
        r"\bgedeeltelijke? (?:vergoeding|terugbetaling|restitutie)", r"\bkorting\b", r"\bcompensatie",
        r"\btegemoetkoming", r"\b(?:\d+|€ ?\d+) (?:euro|eur)\b[^.;\n]{0,30}\bterug\b", r"\bpartial (?:refund|credit)",
        r"\b\d+ ?% (?:refund|off|discount|back|terug|korting)", r"\bdiscount\w*",
        r"\bcompensat\w*", r"\bteilerstattung", r"\brabatt\w*", r"\bpreisnachlass", r"\bremise\b",
        r"\breduction\b", r"\bgeste commercial",
    ),
    "credit": _rx(
        r"\btegoed\w*", r"\bwaardebon", r"\bcadeaubon", r"\bkortingscode", r"\bvoucher", r"\bstore credit",
        r"\bcredit\b", r"\bgratis verzending", r"\bfree (?:express )?(?:shipping|delivery)", r"\bgutschein",
        r"\bbon d'achat",
    ),
    "pickup": _rx(r"\b(?:postnl|dhl|dpd|gls|bpost|ups)[- ]?(?:punt|servicepunt|point)\b", r"\bpakketpunt",
                  r"\bafhaalpunt", r"\bservicepunt", r"\bpick-?up point", r"\bparcel ?shop", r"\bcollection point",
                  r"\bparcel locker", r"\bpakketautomaat", r"\bpackstation"),
    "repair": _rx(r"\brepar\w*", r"\brepair\w*", r"\blaten maken\b", r"\bfix\w*", r"\bherstel\w*", r"\bnachbesser\w*"),
    "return": _rx(r"\bretour\w*", r"\bterug ?(?:te )?sturen", r"\bterugstu\w*", r"\breturn\w*",
                  r"\bsend (?:it|them) back", r"\bzurucksend\w*", r"\bretourner"),
}
_ALTERNATIVE = re.compile(r"\b(?:of|or|oder|ou|either|liever|rather|prefer|voorkeur|kiezen|keuze|choose|choice)\b")


def _solution_types(folded: str) -> set[str]:
    found: set[str] = set()
    partial_spans = [m.span() for m in _SOLUTION_TYPES["partial"].finditer(folded)]
    for kind, pattern in _SOLUTION_TYPES.items():
        for m in pattern.finditer(folded):
            if _negated(folded, m.start(), _CANNOT_SOLUTION):   # "we cannot offer a refund"
                continue
            if kind == "refund" and any(a < m.end() and m.start() < b for a, b in partial_spans):
                continue                       # "10% refund" / "partial refund" is the partial option
            if kind == "return":               # returning is a means, unless offered as an alternative
                sentence = next(s.group() for s in _SENTENCE.finditer(folded) if s.start() <= m.start() < s.end())
                if not _ALTERNATIVE.search(sentence):
                    continue
            found.add(kind)
            break
    return found


def _offers_options(reply: str, folded: str) -> bool:
    items = sum(1 for line in reply.splitlines() if _LIST_ITEM.match(line))
    return items >= 2 or len(_solution_types(folded)) >= 2


_TIME = _rx(
    r"\b(?:vandaag|morgen|overmorgen|vanmiddag|vanavond|vanochtend|vanmorgen|zometeen|meteen|direct|onmiddellijk|"
    r"per omgaande)\b", r"\bdezelfde dag\b", r"\bbinnen (?:\d+|een|twee|drie|vier|vijf|zes|zeven|tien|24|48)\b",
    r"\buiterlijk\b", r"\b(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)\b",
    r"\b(?:deze|volgende) week\b",
    r"\bweek \d+\b", r"\bover (?:\d+|een|twee|drie) (?:dagen|werkdagen|uur|weken)\b",
    r"\b(?:om|voor|tussen) \d+(?::\d+)? ?uur\b",
    r"\b(?:today|tomorrow|tonight|asap)\b", r"\bthis (?:morning|afternoon|evening|week)\b",
    r"\bnext (?:week|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    r"\bwithin (?:\d+|one|two|three|four|five|24|48|a|an)\b",
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", r"\bsame day\b", r"\bright away\b",
    r"\bimmediately\b", r"\bstraight away\b", r"\bjust now\b",
    r"\bin (?:\d+|one|two|three|a few|a couple of) (?:days|hours|business days|working days)\b",
    r"\b(?:heute|morgen|sofort|umgehend|innerhalb)\b", r"\b(?:montag|dienstag|mittwoch|donnerstag|freitag)\b",
    r"\baujourd'hui\b", r"\bdemain\b", r"\bsous \d+\b", r"\bdans les \d+\b",
)
_NL_ACT = (r"(?:stuur|sturen|verstuur|versturen|verzend|verzenden|zorg|zorgen|regel|regelen|betaal|betalen|stort|"
           r"storten|bel|bellen|neem|nemen|mail|mailen|boek|boeken|vervang|vervangen|repareer|repareren|crediteer|"
           r"crediteren|maak|maken|laat|laten|zal|zullen|ga|gaan|kom|komen|haal|halen|pas|passen)")
_ACTION = _rx(
    r"\b(?:we|wij|ik)\s+" + _NL_ACT + r"\b", r"\b" + _NL_ACT + r"\s+(?:we|wij|ik)\b",
    r"\b(?:ik|wij|we)\s+(?:heb|hebben)\b[^.;\n]{0,60}\b(?:verstuurd|verzonden|gestuurd|aangepast|geannuleerd|gemaild|"
    r"gestart|opgesteld|terugbetaald|teruggestort|geregeld|aangevraagd|doorgegeven|ingepland|gecrediteerd|vervangen)\b",
    r"\b(?:u|je|jij) (?:ontvangt|krijgt)\b",
    r"\b(?:we|i)(?:'ll|'d| will| shall| are going to|'re going to|'m going to| am going to|'ve| have)?\s+"
    r"(?:just\s+|already\s+|also\s+)?(?:send|ship|dispatch|refund|arrange|process|call|email|e-mail|contact|resend|"
    r"replace|repair|sort|issue|book|schedule|credit|sent|shipped|dispatched|refunded|processed|arranged|resent|"
    r"issued|booked|asked|contacted|emailed|credited|replaced|escalated|cancelled|canceled|updated|changed)\b",
    r"\byou(?:'ll| will| should) (?:receive|get|see|have)\b",
    r"\bwill be (?:delivered|shipped|sent|refunded|dispatched|credited|replaced|repaired|collected|picked up)\b",
    r"\b(?:ships|will ship|will arrive|should arrive|arrives)\b",
    r"\b(?:wir|ich)\s+(?:\w+\s+)?(?:senden|schicken|versenden|erstatten|rufen|melden|kummern)\b",
    r"\b(?:senden|schicken|versenden|erstatten)\s+(?:wir|ich)\b", r"\bsie erhalten\b",
    r"\b(?:nous|je)\s+(?:vous\s+)?(?:envoy|renvoy|rembours|expedi|appel|contact)\w*", r"\bvous (?:recevrez|serez)\b",
)

_CLOSING_PHRASE = (
    r"(?:met )?(?:vriendelijke|hartelijke|warme|zonnige|lieve|sportieve|beste) groet(?:en|jes)?|groet(?:en|jes)?|"
    r"mvg|m\.v\.g\.?|gr\.?|liefs|hoogachtend|fijne dag(?: nog)?|tot (?:ziens|snel)|dank(?: je| u)?(?: wel)?|bedankt|"
    r"(?:kind|best|warm|warmest|many|kindest) (?:regards|wishes)|regards|best|cheers|thanks|thank you|many thanks|"
    r"sincerely|yours(?: sincerely| faithfully| truly)?|all the best|take care|"
    r"mit freundlichen gru(?:ss|ß)en|(?:viele|liebe|beste|herzliche|freundliche) gru(?:ss|ß)e|gru(?:ss|ß)e|"
    r"(?:bien )?cordialement|bien a vous|salutations|merci|a bientot"
)
# a sign-off phrase, optionally followed by a short name ("Groet, Sanne") but not by a sentence
# ("Thanks for your order.", "Bedankt voor je bericht.")
_NOT_A_NAME = (r"(?!(?:for|voor|to|so|very|much|in|on|the|your|you|je|jullie|u|uw|het|de|dat|that|this|dit|"
               r"alvast|zo|heel|erg|veel|fur|pour|de|a|again|once|nogmaals|weer)\b)")
_CLOSING_LINE = re.compile(r"^[\s\-]*(?:" + _CLOSING_PHRASE + r")\b[\s,.!]*(?:" + _NOT_A_NAME
                           + r"[a-z][\w.'-]*(?: [\w.'&-]+){0,3})?[\s,.!]*$")
# a sign-off at the end of the last sentence's line ("… morgen in huis. Groetjes, Youssef"): only with a name,
# written with a capital, so that "… of course. Thanks!" or "Thanks again for your patience." are no sign-off
_INLINE_CLOSING = re.compile(r"[.!?]\s+(?i:" + _CLOSING_PHRASE + r")\b[\s,.!]*[A-Z\u00C0-\u00DE][\w.'-]*"
                             r"(?: [A-Z\u00C0-\u00DE][\w.'-]*){0,2}[\s.!]*$")
_DIGIT = re.compile(r"\d")
_NAME_LINE = re.compile(r"^[\s\-\u2013\u2014~]*[A-Z\u00C0-\u00DE][\w.'&-]*(?: [\w.'&()-]+){0,3}(?<![.?!:;,])$")
# what follows the name in a signature: phone, address, site, e-mail, "Klantenservice | Shop"
_CONTACT_LINE = re.compile(r"\d|@|\bwww\.|https?://|\|| \u00b7 |\b[\w-]+\.(?:nl|be|com|eu|de|fr|shop|store|co\.uk|"
                           r"org|net|uk|ie|io)\b", re.IGNORECASE)
_POSTSCRIPT = re.compile(r"^p\.?\s?s\b\.?", re.IGNORECASE)


def _without_signature(lines: list[str]) -> list[str]:
    """The lines up to the signer: a P.S. and the contact lines under the name are no part of the sign-off."""
    for i in range(len(lines) - 1, 0, -1):
        if _POSTSCRIPT.match(lines[i]):
            lines = lines[:i]
            break
    while len(lines) > 1 and len(lines[-1]) <= 70 and _CONTACT_LINE.search(lines[-1]) \
            and not lines[-1].rstrip().endswith(("?", "!")) and len(lines[-1].split()) <= 8:
        lines = lines[:-1]
    return lines


def _signed_off(reply: str) -> bool:
    lines = [ln.strip() for ln in reply.splitlines() if ln.strip() and not ln.strip().startswith(">")]
    if not lines:
        return False
    lines = _without_signature(lines)
    candidates = lines[-3:] if len(lines) > 3 else lines[1:] or lines   # the first line is the greeting
    for line in candidates:
        if _CLOSING_LINE.match(_fold(line)):
            return True
    last = lines[-1].translate(_QUOTES)
    if _INLINE_CLOSING.search(last):
        return True
    return bool(_NAME_LINE.match(last)) and len(last) <= 40 and not _DIGIT.search(last)


# --------------------------------------------------------------------------- names

_TITLES = (r"(?:mevrouw|mevr|mw|meneer|mijnheer|heer|dhr|de heer|mr|mrs|ms|miss|mx|dr|prof|sir|madam|"
           r"frau|herr|fr|hr|madame|monsieur|mme|mlle|mademoiselle|m)")
_TITLE_WORDS = frozenset({"mevrouw", "mevr", "mw", "meneer", "mijnheer", "heer", "dhr", "mr", "mrs", "ms", "miss",
                          "mx", "dr", "prof", "frau", "herr", "madame", "monsieur", "mme", "mlle", "mademoiselle",
                          "familie", "fam", "de heer"})
_PARTICLES = frozenset({"van", "de", "der", "den", "het", "ter", "ten", "te", "la", "le", "du", "des", "von", "zu",
                        "vom", "el", "al", "di", "da", "dos", "del", "'t", "op", "in"})
_TRANSLIT = str.maketrans({"\u00e4": "ae", "\u00f6": "oe", "\u00fc": "ue"})


def _name_variants(word: str) -> set[str]:
    return {_fold(word), _fold(word.casefold().translate(_TRANSLIT))}


def _addresses_by_name(reply_folded: str, customer_name: str) -> bool:
    words = [w for w in re.split(r"[\s,]+", customer_name.strip()) if w]
    had_title = bool(words) and _fold(words[0]).rstrip(".") in _TITLE_WORDS
    words = [w for w in words if _fold(w).rstrip(".") not in _TITLE_WORDS]
    if not words:
        return True  # nothing to look for
    names = [w for w in words if len(w.rstrip(".")) > 1]          # drop initials ("A.")
    if not names:
        return True
    text = " ".join(_WORD.findall(reply_folded))
    # full name
    full = " ".join(_fold(w) for w in names)
    if re.search(r"\b" + re.escape(full) + r"\b", text):
        return True
    # first name (not when the name was given as "mevrouw Jansen")
    first = names[0]
    if not had_title and _fold(first) not in _PARTICLES:
        if any(re.search(r"\b" + re.escape(v) + r"\b", text) for v in _name_variants(first.rstrip("."))):
            return True
    # title + surname ("mevrouw Jansen", "meneer de Vries", "Frau Müller")
    core = names[-1]
    if len(names) > 1 or had_title or len(words) > 1:
        particles = r"(?:(?:" + "|".join(sorted(_PARTICLES, key=len, reverse=True)) + r") )*"
        for v in _name_variants(core):
            if re.search(r"\b" + _TITLES + r" " + particles + re.escape(v) + r"\b", text):
                return True
    return False


# --------------------------------------------------------------------------- messages

_TITLE_FORMS = {"nl": {"female": "mevrouw", "male": "meneer", None: "mevrouw/meneer"},
                "en": {"female": "Ms", "male": "Mr", None: "Ms/Mr"}}
_FEMALE_TITLES = frozenset({"mevrouw", "mevr", "mw", "mrs", "ms", "miss", "frau", "fr", "madame", "mme", "mlle",
                            "mademoiselle"})
_OWN_TITLES = {"mrs": "Mrs", "ms": "Ms", "miss": "Miss", "mr": "Mr", "dr": "Dr", "prof": "Prof", "mx": "Mx"}
_MALE_TITLES = frozenset({"meneer", "mijnheer", "heer", "dhr", "mr", "herr", "hr", "monsieur", "sir"})


def _greeting(lang: str, register: str | None, customer_name: str | None) -> str:
    """The greeting to propose, in the customer's language and register: "Hoi Lisa," or "Beste mevrouw Jansen,"."""
    words = (customer_name or "").split()
    titles = [_fold(w).rstrip(".") for w in words if _fold(w).rstrip(".") in _TITLE_WORDS]
    names = [w for w in words if _fold(w).rstrip(".") not in _TITLE_WORDS]
    if titles or not names:                 # "Dhr. Bos", "Mrs Jane Hughes": address by title and surname
        first, surname = "", " ".join(names[1:] if len(names) > 1 and names[0][:1].isupper()
                                      and _fold(names[0]) not in _PARTICLES else names)
    elif len(names) == 1:                   # "Jesse": one word is most likely the first name
        first, surname = names[0], ""
    else:                                   # "A. Jansen": an initial is no first name
        first = names[0] if len(names[0].rstrip(".")) > 1 else ""
        surname = " ".join(names[1:])
    sex = ("female" if titles[0] in _FEMALE_TITLES else "male" if titles[0] in _MALE_TITLES else None) \
        if titles else None
    title = _OWN_TITLES.get(titles[0], _TITLE_FORMS[lang][sex]) if lang == "en" and titles else \
        _TITLE_FORMS[lang][sex]
    if lang == "nl":
        if first and register == "informal":
            return f"Hoi {first},"
        if surname and (register == "formal" or not first):
            return f"Beste {title} {surname},"
        return f"Beste {first}," if first else ("Hoi …," if register == "informal" else "Beste …,")
    if first and register == "informal":
        return f"Hi {first},"
    if surname and (register == "formal" or not first):
        return f"Dear {title} {surname},"
    return f"Hello {first}," if first else ("Hi …," if register == "informal" else "Dear …,")


def _phrases(lang: str, a: _Analysis, customer_name: str | None) -> dict[str, str]:
    """What the reply could say, in the customer's language: Dutch for a Dutch question, English otherwise."""
    if lang == "nl":
        uw, u = ("uw", "u") if a.formal is not False else ("je", "je")
        what = {
            "late_delivery": f"dat {uw} pakket nog niet binnen is",
            "damaged_item": f"dat {uw} bestelling beschadigd is aangekomen",
            "wrong_item": f"dat {u} niet het juiste artikel heeft ontvangen" if u == "u"
            else "dat je niet het juiste artikel hebt ontvangen",
        }.get(a.category, "dat het niet ging zoals verwacht")
        options = {
            "late_delivery": f"we versturen met spoed opnieuw, of {u} krijgt {uw} geld terug",
            "damaged_item": f"een vervangend exemplaar, {uw} geld terug, of een gedeeltelijke vergoeding als "
                            f"{u} het artikel houdt",
            "wrong_item": f"we sturen alsnog het juiste artikel (het verkeerde mag {u} houden of gratis "
                          f"retourneren), of {u} krijgt {uw} geld terug",
        }.get(a.category, f"een vervangend exemplaar of {uw} geld terug")
        return {
            "name": _greeting("nl", a.register, customer_name),
            "feeling": f"Wat vervelend {what}, ik begrijp {uw} teleurstelling.",
            "options": options,
            "next_step": "Wij sturen u vandaag een nieuw exemplaar; u heeft het morgen in huis." if u == "u"
            else "We sturen je vandaag een nieuw exemplaar; je hebt het morgen in huis.",
            "closing": "Groetjes," if a.register == "informal" else "Met vriendelijke groet,",
        }
    what = {
        "late_delivery": "your order hasn't arrived yet",
        "damaged_item": "your order arrived damaged",
        "wrong_item": "you didn't receive the right item",
    }.get(a.category, "this didn't go as expected")
    options = {
        "late_delivery": "we resend it by express, or we refund you in full",
        "damaged_item": "a replacement, a full refund, or a partial refund if you keep the item",
        "wrong_item": "we send the right item (keep or return the wrong one for free), or we refund you",
    }.get(a.category, "a replacement or a refund")
    return {
        "name": _greeting("en", a.register, customer_name),
        "feeling": f"I understand how frustrating it is that {what}.",
        "options": options,
        "next_step": "We will send a replacement today.",
        "closing": "Best wishes," if a.register == "informal" else "Kind regards,",
    }


# --------------------------------------------------------------------------- entry point

def review(reply: str, question: str, customer_name: str | None = None) -> list[Check]:
    """Review a draft ``reply`` to the customer's latest ``question``: six Checks in ``CODES`` order."""
    return list(_review(reply or "", question or "", customer_name))


@lru_cache(maxsize=1024)   # the composer reviews the same (often empty) draft on every page load
def _review(reply: str, question: str, customer_name: str | None) -> tuple[Check, ...]:
    customer_name = (customer_name or "").strip() or None
    a = _analyse(question)
    lang = "nl" if a.language == "nl" else "en"
    body = _latest(reply)
    folded = _fold(body)

    results: dict[str, tuple[bool, bool]] = {}   # code -> (applies, ok)
    results["name"] = (customer_name is not None,
                       customer_name is None or _addresses_by_name(folded, customer_name))
    results["feeling"] = (a.upset, not a.upset or bool(_ACK.search(folded)))
    needs_options = a.problem and a.category in SOLUTION_CATEGORIES
    results["options"] = (needs_options, not needs_options or _offers_options(body, folded))
    informal_words = [t for t in _tokens(folded) if t in _INFORMAL_PRONOUNS]
    formal_customer = a.language == "nl" and a.formal is True
    results["formality"] = (formal_customer, not formal_customer or not informal_words)
    results["next_step"] = (a.problem, not a.problem or bool(_ACTION.search(folded) or _TIME.search(folded)))
    results["closing"] = (True, _signed_off(body))

    phrases = _phrases(lang, a, customer_name)
    return tuple(
        Check(code=code, ok=ok, pillar=PILLARS[code], applies=applies, phrase=phrases.get(code, ""),
              found=tuple(dict.fromkeys(informal_words)) if code == "formality" and not ok else ())
        for code, (applies, ok) in results.items())
