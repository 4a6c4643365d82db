"""The documentation names what the code has: every environment variable the settings read is in
.env.example and the README, and every `make` target named anywhere has a rule."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_float", "env_list"}


def variables_read_by(source: str) -> set[str]:
    """Names passed as a literal to the env_* helpers, os.environ.get(), os.getenv() or os.environ[]."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            if called in ENV_HELPERS | {"os.environ.get", "os.getenv"}:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
    return names


def settings_variables() -> set[str]:
    source = inspect.getsource(importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"]))
    names = variables_read_by(source)
    assert len(names) > 40, "the parser no longer finds the settings' variables"
    return names


def test_the_parser_finds_every_way_of_reading_a_variable():
    source = (
        'A = env_str("ONE", "x").rstrip("/")\nB = env_bool("TWO", False)\nC = os.environ.get("THREE")\n'
        'D = os.getenv("FOUR")\nE = os.environ["FIVE"]\nF = env_list("SIX", [])\nG = env_float("SEVEN", 1)\n'
    )
    assert variables_read_by(source) == {"ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN"}


def test_env_example_lists_every_variable_the_settings_read_and_no_other():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    read = settings_variables()
    assert sorted(read - listed) == [], "add them to .env.example (commented out, with the default)"
    assert sorted(listed - read) == [], "nothing reads these"


def test_readme_configuration_lists_every_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)", section))
    assert sorted(settings_variables() - documented) == [], "document them in the README's Configuration"


def _makefile() -> tuple[set[str], set[str], set[str]]:
    """The Makefile's rules, its .PHONY names and the targets `make help` shows."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    rules = set(re.findall(r"^([a-z][a-z0-9-]*):(?!=)", text, re.MULTILINE))
    phony = set(re.search(r"^\.PHONY:(.*)$", text, re.MULTILINE).group(1).split())
    helped = set(re.findall(r"^([a-z][a-z0-9-]*):.*## ", text, re.MULTILINE))
    return rules, phony, helped


def test_the_makefile_declares_only_targets_it_has():
    rules, phony, helped = _makefile()
    assert {"run", "test", "lint", "assets"} <= rules
    assert sorted(phony - rules) == [], ".PHONY names a target without a rule"
    assert sorted(helped - phony) == [], "a target `make help` lists is missing from .PHONY"


def test_every_make_command_the_docs_name_exists():
    rules, _, _ = _makefile()
    named = set()
    for doc in [ROOT / "README.md", ROOT / "SECURITY.md", *ROOT.glob("*/README.md"), ROOT / ".ci" / "run"]:
        text = doc.read_text(encoding="utf-8")
        named |= set(re.findall(r"`make ([a-z][a-z0-9-]*)", text))  # `make x` in Markdown
        named |= set(re.findall(r"^\s*make ([a-z][a-z0-9-]*)", text, re.MULTILINE))  # commands
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    everyday = re.search(r"`make help` lists them: (.*?)\.", readme, re.DOTALL)
    named |= set(re.findall(r"`([a-z-]+)`", everyday.group(1)))
    assert {"run", "test", "bench"} <= named
    assert sorted(named - rules) == [], "the docs name a make target that does not exist"
