"""The layers of ARCHITECTURE.md, and the wiring in create_app alone: checked on the source, like the purity tests."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "inbox"

# Pure rules: no Flask, no SQLAlchemy, no I/O; they may use each other and a few small libraries.
PURE = {"inbox.clock", "inbox.config", "inbox.csvexport", "inbox.csvimport", "inbox.filetypes", "inbox.histograms", "inbox.ids",
        "inbox.metrics",
        "inbox.nudges",
        "inbox.placeholders", "inbox.planning", "inbox.sanitize", "inbox.sla", "inbox.svgcharts", "inbox.tokens",
        "inbox.workflow"}
PURE_LIBRARIES = {"holidays", "nh3", "markupsafe"}
# The web layer: requests, pages, templates. Services and models never import it.
WEB = {"inbox.access", "inbox.csrf_tokens", "inbox.errors", "inbox.forms", "inbox.htmx", "inbox.templating",
       "inbox.timing", "inbox.transactions", "inbox.ui", "inbox.upload_limits", "inbox.url_ids"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


MODULES = dict(_modules())
PURE |= {m for m in MODULES if m == "inbox.mailparse" or m.startswith("inbox.mailparse.")}


def imports(name: str) -> set[str]:
    """Every module `name` imports, at the top or inside a function (the inbox ones resolved to modules)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:   # relative imports are not used here; resolve them anyway
                base = name.rsplit(".", node.level)[0]
                module = f"{base}.{node.module}"
            else:
                module = node.module
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in MODULES}
    return found


def layer(module: str) -> str:
    if module in PURE:
        return "pure"
    if module == "inbox.extensions" or module.startswith("inbox.models"):
        return "models"
    if module.startswith("inbox.services"):
        return "services"
    if module.startswith("inbox.views"):
        return "views"
    if module in WEB:
        return "web"
    return "other"


@pytest.mark.parametrize("name", sorted(PURE))
def test_pure_modules_import_only_the_standard_library_and_each_other(name):
    outside = {m for m in imports(name) if m.split(".")[0] not in {*sys.stdlib_module_names, "__future__"}
               and m.split(".")[0] not in PURE_LIBRARIES and m not in PURE}
    assert outside == set()


@pytest.mark.parametrize("name", sorted(m for m in MODULES if layer(m) in {"models", "services"}))
def test_models_and_services_never_import_views_or_the_web_layer(name):
    wrong = {m for m in imports(name) if layer(m) in {"views", "web"}}
    if layer(name) == "models":
        wrong |= {m for m in imports(name) if layer(m) == "services"}
    assert wrong == set()


@pytest.mark.parametrize("name", sorted(m for m in MODULES if layer(m) != "views" and m != "inbox"))
def test_only_create_app_imports_the_views(name):
    assert {m for m in imports(name) if layer(m) == "views"} == set()


WIRING = ["register_blueprint", "jinja_env.globals", "jinja_env.filters", "context_processor", "cli.add_command",
          "record_once", "app_template_global", "app_template_filter", "before_app_request", "after_app_request",
          "app_context_processor", "@bp.cli", "listens_for(", "@login_manager.", "csrf.exempt"]


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m != "inbox"))
def test_the_app_is_wired_in_create_app_alone(name):
    # Extensions' init_app functions may add request hooks; blueprints, template globals, CLI groups and
    # SQLAlchemy listeners are named in create_app (SQLAlchemy listeners are attached by init_app functions it calls).
    source = MODULES[name].read_text(encoding="utf-8")
    assert [w for w in WIRING if w in source] == []


def test_every_route_says_in_one_line_what_it_is_for():
    from inbox import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    silent = sorted(endpoint for endpoint, view in app.view_functions.items()
                    if endpoint != "static" and not (view.__doc__ or "").strip())
    assert silent == []


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.startswith(("inbox.views", "inbox.api"))))
def test_views_leave_the_audit_log_to_the_services(name):
    # The service that makes a change records it, so the pages, the API and the CLI cannot differ in what is logged.
    assert "audit.record(" not in MODULES[name].read_text(encoding="utf-8")


def test_test_modules_share_through_conftest_not_through_each_other():
    tests = PACKAGE.parent / "tests"
    borrowed = {}
    for path in sorted(tests.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1].startswith("test_"):
                borrowed.setdefault(str(path.relative_to(tests)), []).append(node.module)
    assert borrowed == {}
