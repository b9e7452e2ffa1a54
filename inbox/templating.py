"""Templates compiled once per language: a fixed text in `_("…")` is translated when its template is compiled.

A ticket page shows about fifty fixed texts. Translated at render time, each cost a call, a catalogue lookup and
an escape on every view; translated at compile time, Jinja joins them with the markup around them into one
string. Texts with values to fill in (`_("%(n)s late", n=…)`) and texts chosen at run time stay calls.

Only Jinja's public extension points: the app's environment hands each template lookup to one
`Environment.overlay()` per language (its own compiled templates; its own keys in a bytecode cache), and in
each overlay the `FixedTexts` extension rewrites the token stream before it is parsed (`Extension.filter_stream`).
"""
from __future__ import annotations

from hashlib import sha1

from flask.templating import Environment as FlaskEnvironment
from jinja2 import BytecodeCache
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from inbox.i18n import language, translations

GETTEXT_NAMES = frozenset({"_", "gettext"})


class FixedTexts(Extension):
    """`_("a fixed text")` becomes `("de vaste tekst"|safe)` in a language's overlay: Jinja then joins it into
    the markup around it. `|safe` because the call returned Markup: the catalogue is ours, not the customer's.
    Does nothing in the app's own environment, which compiles no page of its own (see Environment)."""

    def filter_stream(self, stream: TokenStream):
        catalogue = getattr(self.environment, "catalogue", None)
        if catalogue is None:
            return stream
        safe = _autoescapes(self.environment, stream.name)
        return _fold(list(stream), catalogue, safe)


def _autoescapes(environment, name) -> bool:
    autoescape = environment.autoescape
    return autoescape(name) if callable(autoescape) else bool(autoescape)


def _fold(tokens: list[Token], catalogue, safe: bool):
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        text = None
        if (tok.type == "name" and tok.value in GETTEXT_NAMES and i + 3 < len(tokens)
                and (i == 0 or tokens[i - 1].type != "dot")
                and [t.type for t in tokens[i + 1:i + 4]] == ["lparen", "string", "rparen"]):
            text = _translated(catalogue, tokens[i + 2].value)
        if text is None:
            yield tok
            i += 1
            continue
        line = tok.lineno
        if safe:   # as the call's Markup; in parentheses so that `.attr` and filters after it apply to the whole
            yield from (Token(line, "lparen", "("), Token(line, "string", text), Token(line, "pipe", "|"),
                        Token(line, "name", "safe"), Token(line, "rparen", ")"))
        else:
            yield Token(line, "string", text)
        i += 4


def _translated(catalogue, text: str) -> str | None:
    text = catalogue.ugettext(text)
    if "%" in text:   # as inbox.i18n.template_gettext: "%%" shows as "%"
        try:
            return text % {}
        except (KeyError, TypeError, ValueError):
            return None   # stays a call, and fails when shown, as before
    return text


class LanguageBytecodeCache(BytecodeCache):
    """A configured bytecode cache with the language in every key: a template compiled for Dutch readers holds
    Dutch text, so an English reader must never get its bytecode."""

    def __init__(self, cache: BytecodeCache, language: str):
        self.cache, self.language = cache, language

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        # A cache key, not a secret: SHA-1 as Jinja's own caches use.
        return sha1(f"{self.language}|{self.cache.get_cache_key(name, filename)}".encode(),
                    usedforsecurity=False).hexdigest()

    def load_bytecode(self, bucket) -> None:
        self.cache.load_bytecode(bucket)

    def dump_bytecode(self, bucket) -> None:
        self.cache.dump_bytecode(bucket)

    def clear(self) -> None:
        self.cache.clear()


class Environment(FlaskEnvironment):
    """Flask's template environment, which hands every template lookup to the overlay of the reader's language.

    The overlays share everything with it (globals, filters, loader, options) except their compiled templates and
    the catalogue FixedTexts folds in. They are made on first use, so set a bytecode cache before the first page.
    """

    language: str | None = None   # set in a language's overlay

    def __init__(self, app, **options):
        super().__init__(app, **options)
        self.add_extension(FixedTexts)
        self.languages: dict[str, Environment] = {}

    def overlay(self, **options):
        env = super().overlay(**options)
        env.languages = {}   # an overlay made by hand (tests) has overlays of its own
        return env

    def for_language(self) -> Environment:
        """This request's overlay (self, in an overlay)."""
        if self.language is not None:
            return self
        key = language()
        env = self.languages.get(key)
        if env is None:
            cache = self.bytecode_cache
            env = self.overlay(bytecode_cache=cache and LanguageBytecodeCache(cache, key))
            env.language, env.catalogue = key, translations()
            self.languages[key] = env
        return env

    def get_template(self, name, parent=None, globals=None):
        if self.language is None:
            return self.for_language().get_template(name, parent, globals)
        return super().get_template(name, parent, globals)

    def select_template(self, names, parent=None, globals=None):
        if self.language is None:
            return self.for_language().select_template(names, parent, globals)
        return super().select_template(names, parent, globals)

    def from_string(self, source, globals=None, template_class=None):
        if self.language is None:
            return self.for_language().from_string(source, globals, template_class)
        return super().from_string(source, globals, template_class)
