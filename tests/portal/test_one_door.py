"""One door for every lifecycle: no status is written outside the code that owns its transitions.

The production Python is parsed (not searched as text, so a write split over lines or hidden in
`setattr` is found too) for the ways a status changes: `obj.status = ...`, `setattr(obj, "status",
...)`, `queryset.update(status=...)`, a bulk update naming "status", a model built or created with a
status (`Offer(status=...)`, `.create(status=...)`, `defaults={"status": ...}`). Each write must sit in
a module, or a function, listed below with the reason it may write; anything else fails the test with
the place to fix (call the app's service instead).

Only the lifecycle field `status` is guarded: `TargetCountry.buyer_status` is reference data the
centre edits in the admin, `Notification.email_status` the outbox's delivery bookkeeping.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]

SKIPPED_DIRS = {".venv", "tests", "migrations", "node_modules", "locale", "static", "__pycache__", ".git"}

# path (from the project root) -> the functions in it that may write a status ("*": all of them)
ALLOWED: dict[str, tuple[set[str], str]] = {
    "support/workflow.py": ({"*"}, "the applications' transition table and its one door"),
    "support/services.py": ({"staff_tie_decide"}, "a manager's decision on a declared tie"),
    "portal/organisations/services.py": (
        {"organisation_decide"},
        "every company's and brokerage's status (an edit that goes back to pending asks for a decision)",
    ),
    "brokers/services.py": (
        {"*"},
        "offers, responses, inquiries: publish, close, expire, decide, mark, route",
    ),
    "brokers/referrals.py": ({"*"}, "referrals between brokerages: accept, decline, withdraw"),
    "brokers/partners.py": ({"*"}, "offers' co-brokering invitations: accept, decline, withdraw"),
    "brokers/mandates.py": ({"mandate_revoke"}, "a mandate revoked by the company that gave it"),
    "deals/services.py": (
        {"*"},
        "deals: open, contract, ship, pay, close, lose (deals.permissions.DEAL_ACTIONS)",
    ),
    "products/services.py": ({"*"}, "products (publish, archive) and certificates (verify, reject)"),
    "products/models.py": (
        {"ProductCertification.mark_pending"},
        "a certificate whose checked fields change goes back to the queue whichever path saved it "
        "(the admin's inline as well as the service)",
    ),
    # The load benchmark builds its rows in bulk (the demo data replays its history through the
    # services: tests/portal/test_seed_demo.py); the benchmark is never run in production.
    "bench/applications.py": ({"*"}, "load-benchmark rows, written in bulk, never in production"),
    "bench/generate.py": ({"*"}, "load-benchmark rows, written in bulk, never in production"),
    "bench/trade.py": ({"*"}, "load-benchmark rows, written in bulk, never in production"),
    "bench/catalog.py": ({"*"}, "load-benchmark rows, written in bulk, never in production"),
}

FIELD = "status"

CREATING = {"create", "get_or_create", "update_or_create", "bulk_create"}

BULK = {"bulk_update", "bulk_update_with_history"}


def _names_status(node: ast.AST) -> bool:
    """A literal list/tuple/set of field names that includes "status"."""
    return isinstance(node, ast.List | ast.Tuple | ast.Set) and any(
        isinstance(item, ast.Constant) and item.value == FIELD for item in node.elts
    )


def _dict_sets_status(node: ast.AST) -> bool:
    return isinstance(node, ast.Dict) and any(
        isinstance(key, ast.Constant) and key.value == FIELD for key in node.keys
    )


class _Finder(ast.NodeVisitor):
    def __init__(self, model_names: set[str]) -> None:
        self.model_names = model_names
        self.scope: list[str] = []
        self.writes: list[tuple[int, str, str]] = []  # line, function, what

    def _record(self, node: ast.AST, what: str) -> None:
        self.writes.append((node.lineno, ".".join(self.scope) or "<module>", what))

    def _scoped(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _scoped

    def _check_target(self, target: ast.AST) -> None:
        if isinstance(target, ast.Attribute) and target.attr == FIELD:
            self._record(target, f"assigns .{FIELD}")
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._check_target(element)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._check_target(node.target)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        if name == "setattr" and len(node.args) >= 2:
            if isinstance(node.args[1], ast.Constant) and node.args[1].value == FIELD:
                self._record(node, "setattr(..., 'status', ...)")
        elif name == "update" and isinstance(func, ast.Attribute) and FIELD in keywords:
            self._record(node, "update(status=...)")
        elif name in BULK and any(_names_status(arg) for arg in [*node.args, *keywords.values()]):
            self._record(node, f"{name}(..., ['status', ...])")
        elif name in CREATING and (FIELD in keywords or _dict_sets_status(keywords.get("defaults"))):
            self._record(node, f"{name}(status=...)")
        elif isinstance(func, ast.Name) and name in self.model_names and FIELD in keywords:
            self._record(node, f"{name}(status=...)")
        self.generic_visit(node)


def _production_files() -> list[Path]:
    return sorted(
        path for path in ROOT.rglob("*.py") if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts[:-1])
    )


def status_writes(model_names: set[str]) -> list[tuple[str, int, str, str]]:
    """Every status write in the production Python: (path, line, function, what)."""
    found = []
    for path in _production_files():
        finder = _Finder(model_names)
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        relative = path.relative_to(ROOT).as_posix()
        found += [(relative, line, function, what) for line, function, what in finder.writes]
    return found


def _allowed(path: str, function: str) -> bool:
    functions, _reason = ALLOWED.get(path, (set(), ""))
    return "*" in functions or function in functions


@pytest.fixture(scope="module")
def model_names() -> set[str]:
    return {model.__name__ for model in apps.get_models()}


def test_no_status_is_written_outside_its_service(model_names):
    stray = [
        f"{path}:{line} in {function}: {what}"
        for path, line, function, what in status_writes(model_names)
        if not _allowed(path, function)
    ]
    assert not stray, "status written outside its service (call the app's service):\n" + "\n".join(stray)


def test_every_allowed_place_exists_and_still_writes(model_names):
    """The list names no place that has gone or no longer writes a status (it would hide a new one)."""
    writes = status_writes(model_names)
    for path, (functions, _reason) in ALLOWED.items():
        assert (ROOT / path).exists(), f"{path} is gone: drop it from ALLOWED"
        here = {function for written, _line, function, _what in writes if written == path}
        if "*" in functions:
            if path.startswith("bench/"):
                continue
            assert here, f"{path} is allowed to write a status but writes none: drop it from ALLOWED"
        else:
            assert functions <= here, f"{path}: {sorted(functions - here)} no longer write a status"


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("def f(offer):\n    offer.status = 'closed'\n    offer.save()\n", "assigns .status"),
        (
            "def f(qs):\n    qs.filter(pk=1).update(\n        routed_at=1, status='routed'\n    )\n",
            "update(status=...)",
        ),
        ("def f(o):\n    setattr(o, 'status', 'x')\n", "setattr(..., 'status', ...)"),
        (
            "def f(rows):\n    Offer.objects.bulk_update(rows, ['status'])\n",
            "bulk_update(..., ['status', ...])",
        ),
        ("def f():\n    Offer.objects.create(status='open')\n", "create(status=...)"),
        (
            "def f():\n    Offer.objects.update_or_create(pk=1, defaults={'status': 'x'})\n",
            "update_or_create(status=...)",
        ),
        ("def f():\n    return Offer(status='open')\n", "Offer(status=...)"),
    ],
)
def test_the_finder_sees_each_way_of_writing_a_status(source, what):
    finder = _Finder({"Offer"})
    finder.visit(ast.parse(source))
    assert [found for _line, _function, found in finder.writes] == [what]


def test_the_finder_ignores_reads_and_filters():
    source = (
        "def f(qs, offer):\n"
        "    qs.filter(status='open').update(routed_to=2)\n"
        "    Q(status='x')\n"
        "    if offer.status == 'open':\n"
        "        return offer.status\n"
    )
    finder = _Finder({"Offer"})
    finder.visit(ast.parse(source))
    assert finder.writes == []


@pytest.mark.django_db
def test_no_admin_form_edits_a_status(rf, django_user_model):
    """The admin is a door too: a status is shown read-only and changed by the admin's actions,
    which call the services (a change form with an editable status would bypass them)."""
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = django_user_model.objects.create_superuser(email="door@example.com", password="x")
    editable = []

    def has_status(owner: object) -> bool:
        return FIELD in {field.name for field in owner.model._meta.fields}

    checked = 0
    for model_admin in admin.site._registry.values():
        forms = [(model_admin, model_admin.get_form)] if has_status(model_admin) else []
        forms += [
            (inline, lambda *args, inline=inline, **kwargs: inline.get_formset(*args, **kwargs).form)
            for inline in model_admin.get_inline_instances(request, None)
            if has_status(inline)
        ]
        for owner, form in forms:
            checked += 1
            if FIELD in form(request, None, fields=None).base_fields:
                editable.append(type(owner).__name__)
    assert checked >= 10  # offers, responses, inquiries, companies, brokerages, products, certificates...
    assert not editable, f"these admin forms let staff edit a status: {sorted(set(editable))}"
