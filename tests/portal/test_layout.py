"""The shared core stands apart: `portal` imports no feature app and not the project's wiring
(`config`), so a feature app can be taken out or a new one added without touching it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FEATURE_APPS = {"companies", "products", "brokers", "deals", "support", "results", "config"}


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(ROOT.glob("portal/**/*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_no_feature_app(path):
    assert not imported_top_levels(path) & FEATURE_APPS


def test_each_app_serves_its_own_part_of_the_api():
    from config.urls import API_MODULES

    apps = ("portal", "products", "companies", "brokers", "deals", "support", "results")
    assert API_MODULES == [f"{app}.api_urls" for app in apps]
    assert not imported_top_levels(ROOT / "config" / "urls.py") & set(apps[1:])


PARTS = {"accounts", "notifications", "organisations", "uploads", "i18n", "http", "rest"}
DJANGO_PACKAGES = {"management", "migrations", "templatetags"}


def test_the_core_is_grouped_in_its_parts():
    packages = {init.parent.name for init in (ROOT / "portal").glob("*/__init__.py")}
    assert packages - DJANGO_PACKAGES == PARTS


def where_things_are() -> dict[str, str]:
    """The README's "Where things are" table: path -> what it says is there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Where things are\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ", 1) for line in section.splitlines() if line.startswith("| `")]
    return {path.strip("| `"): what for path, what in rows}


def test_the_readme_names_each_part_and_only_modules_that_exist():
    table = where_things_are()
    assert {f"portal/{part}/" for part in PARTS} <= set(table)
    for path, what in table.items():
        if path.startswith("portal/") and not path.startswith("portal/static"):
            named = re.findall(r"`([a-z_]+\.py)`", what)
            assert named, path
            assert [name for name in named if not (ROOT / path / name).exists()] == [], path


# support → deals → brokers → products → companies → portal: deals sit between support and the rest.
@pytest.mark.parametrize(("app", "forbidden"), [
    ("deals", {"support"}), ("brokers", {"deals"}), ("products", {"deals"}), ("companies", {"deals"}),
])  # fmt: skip
def test_deals_dependencies_point_one_way(app, forbidden):
    offending = {
        str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & forbidden)
        for path in sorted((ROOT / app).glob("**/*.py"))
        if imported_top_levels(path) & forbidden
    }
    assert not offending, f"{app} imports an app that depends on it: {offending}"


# The export results sit on top: they read every app, and nothing but the wiring (config) reads them.
@pytest.mark.parametrize("app", ["portal", "companies", "products", "brokers", "deals", "support"])
def test_nothing_but_config_imports_the_results(app):
    offending = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / app).glob("**/*.py")
        if "results" in imported_top_levels(path)
    )
    assert not offending, f"{app} imports the results app: {offending}"
