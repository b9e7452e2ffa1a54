"""Templates compiled once per language: a fixed text in `_("…")` is translated when its template is compiled.

A ticket page shows about fifty fixed texts. Translated at render time, each cost a call, a catalogue lookup and
an escape on every view; translated at compile time, Jinja joins them with the markup around them into one
string. Texts with values to fill in (`_("%(n)s late", n=…)`) and texts chosen at run time stay calls.

Also here: a render context that does less work per include (Context).
"""
from __future__ import annotations

from functools import cached_property

from babel.support import NullTranslations
from flask.templating import Environment as FlaskEnvironment
from jinja2 import nodes
from jinja2.runtime import Context as JinjaContext
from jinja2.visitor import NodeTransformer

from inbox.i18n import translations

GETTEXT_NAMES = frozenset({"_", "gettext"})


def _catalogue():
    """The catalogue texts are translated with now, and its cache key: Flask-Babel keeps one catalogue per
    language, but hands out a fresh NullTranslations outside a request (all of which translate nothing)."""
    catalogue = translations()
    return catalogue, (NullTranslations if type(catalogue) is NullTranslations else catalogue)


class _TranslateFixedTexts(NodeTransformer):
    def __init__(self, catalogue):
        self.catalogue = catalogue

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_NAMES and len(node.args) == 1
                and isinstance(node.args[0], nodes.Const) and isinstance(node.args[0].value, str)
                and not (node.kwargs or node.dyn_args or node.dyn_kwargs)):
            return node
        text = self.catalogue.ugettext(node.args[0].value)
        if "%" in text:   # as inbox.i18n.template_gettext: "%%" shows as "%"
            try:
                text = text % {}
            except (KeyError, TypeError, ValueError):
                return node   # fails at render time, as before
        # Safe as template_gettext's result is: the catalogue is ours, not the customer's.
        return nodes.MarkSafeIfAutoescape(nodes.Const(text, lineno=node.lineno), lineno=node.lineno)


class Context(JinjaContext):
    """Jinja's render context, which lists the names of the ~45 globals only when a template imports macros
    without context (their one reader), instead of for each of a ticket page's twenty includes."""

    def __init__(self, environment, parent, name, blocks, globals=None):
        super().__init__(environment, parent, name, blocks)
        del self.globals_keys   # Jinja's empty set, so that the cached property below answers
        self._globals = globals

    @cached_property
    def globals_keys(self) -> set[str]:
        return set() if self._globals is None else set(self._globals)


class Environment(FlaskEnvironment):
    """Flask's template environment, with each template compiled and cached once per catalogue."""

    context_class = Context

    def _parse(self, source, name, filename):
        return _TranslateFixedTexts(_catalogue()[0]).visit(super()._parse(source, name, filename))

    def _load_template(self, name, globals):
        # Jinja's own, with the catalogue in the cache key (and a cache always there: the app sets cache_size=-1).
        key = (name, _catalogue()[1])
        template = self.cache.get(key)
        if template is None or (self.auto_reload and not template.is_up_to_date):
            template = self.cache[key] = self.loader.load(self, name, self.make_globals(globals))
        elif globals:
            template.globals.update(globals)
        return template
