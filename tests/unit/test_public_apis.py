"""Only the public APIs of Flask, Jinja, Flask-Babel, Flask-WTF and friends: a `_private` name of theirs may be
gone in their next release (flask.globals._cv_request was), and pyproject.toml allows those releases."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"flask", "jinja2", "flask_babel", "babel", "flask_wtf", "wtforms", "werkzeug", "flask_login",
            "flask_sqlalchemy", "flask_migrate", "htmx_flask", "markupsafe"}
# Documented as public despite the underscore: Flask's "Notes On Proxies" tells you to call it.
DOCUMENTED = {"_get_current_object"}
SOURCES = sorted([*(ROOT / "inbox").rglob("*.py"), ROOT / "seed.py", *(ROOT / "bench").glob("*.py")])


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name not in DOCUMENTED


def _theirs(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in PACKAGES


def violations(source: str) -> list[str]:
    """Each place that imports, reads or overrides a private name of one of PACKAGES."""
    tree = ast.parse(source)
    found, names = [], set()   # names: what the module's imports of PACKAGES are called here
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _theirs(alias.name):
                    names.add((alias.asname or alias.name).split(".")[0])
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and _theirs(node.module):
            for alias in node.names:
                names.add(alias.asname or alias.name)
                if _private(alias.name) or any(_private(part) for part in node.module.split(".")):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")

    def root(node):
        while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
            node = node.func if isinstance(node, ast.Call) else node.value
        return node

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (_private(node.attr) or node.attr == "__dict__"):
            base = root(node.value)
            if isinstance(base, ast.Name) and base.id in names:
                found.append(f"line {node.lineno}: {base.id}….{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in {"getattr", "setattr", "hasattr", "delattr"} and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
              and _private(node.args[1].value)):
            base = root(node.args[0])
            if isinstance(base, ast.Name) and base.id in names:
                found.append(f"line {node.lineno}: {node.func.id}({base.id}, {node.args[1].value!r})")
        elif isinstance(node, ast.Compare) and any(
                isinstance(side, ast.Attribute) and side.attr == "__module__" for side in [node.left, *node.comparators]):
            # telling their objects apart by where they are defined (as removing Flask-WTF's context processor
            # did)
            if any(isinstance(side, ast.Constant) and isinstance(side.value, str) and _theirs(side.value)
                   for side in [node.left, *node.comparators]):
                found.append(f"line {node.lineno}: picks their object by its module")
        elif isinstance(node, ast.ClassDef) and any(isinstance(root(b), ast.Name) and root(b).id in names
                                                    for b in node.bases):
            for item in node.body:   # a subclass of theirs that overrides or calls their internals
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(item.name):
                    found.append(f"line {item.lineno}: {node.name}.{item.name} overrides an internal")
                for sub in ast.walk(item):
                    if (isinstance(sub, ast.Attribute) and _private(sub.attr) and isinstance(sub.value, ast.Call)
                            and isinstance(sub.value.func, ast.Name) and sub.value.func.id == "super"):
                        found.append(f"line {sub.lineno}: super().{sub.attr} in {node.name}")
                    if isinstance(sub, ast.Delete):
                        found.append(f"line {sub.lineno}: {node.name} deletes an attribute of theirs")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_uses_only_public_names_of_the_frameworks(path):
    assert violations(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("source", [
    "from flask.globals import _cv_request",
    "from flask import g\ng._flask_babel",
    "from flask import g\ng.__dict__.get('_flask_babel')",
    "from flask import g\ngetattr(g, '_flask_babel', None)",
    "import flask\nflask.globals._cv_app.get()",
    "from flask import current_app as app\napp.template_context_processors[None][0]._x",
    "from jinja2 import Environment\nclass E(Environment):\n    def _parse(self, s, n, f):\n        return 1",
    "from jinja2.runtime import Context\nclass C(Context):\n    def __init__(self):\n        del self.globals_keys",
    "processors = [p for p in processors if p.__module__ != 'flask_wtf.csrf']",
    "from flask.templating import Environment\nclass E(Environment):\n"
    "    def get_template(self, n):\n        return super()._load_template(n, None)",
])
def test_the_check_finds_each_kind_of_reach_inside(source):
    assert violations(source)


def test_the_check_leaves_our_own_private_names_alone():
    assert violations("from inbox.i18n import _\n_('x')\nclass A:\n    def _x(self):\n        self._y = 1") == []
