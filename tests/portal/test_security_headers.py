"""Every page carries the browser security headers, and no template brings inline code back."""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from tests.companies.factories import CompanyFactory
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.mark.parametrize(
    "url", ["/fa/", "/en/products/", "/fa/accounts/login/", "/admin/login/", "/api/docs/"]
)
def test_pages_send_a_strict_content_security_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_api_docs_load_their_start_up_script_as_a_file(client):
    page = client.get("/api/docs/").content.decode()
    assert '<script src="/api/docs/?script="></script>' in page
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_have_no_inline_script_style_or_event_handler(template):
    if "emails" in template.parts:
        return  # e-mails are read in mail clients, which need inline styles; no CSP applies there
    source = template.read_text(encoding="utf-8")
    inline_scripts = [tag for tag in re.findall(r"<script\b[^>]*>", source) if "src=" not in tag]
    assert inline_scripts == []
    assert not re.search(r"<style\b", source)
    assert not re.search(r"\sstyle=", source)
    assert not re.search(r"\son[a-z]+\s*=", source)


# Data blocks (application/json, schema.org's application/ld+json) never run.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>")


@pytest.mark.parametrize(
    "url",
    [
        "/fa/",
        "/en/products/",
        "/fa/companies/",
        "/fa/offers/",
        "/en/products/{product}/",
        "/admin/",
        "/admin/companies/company/",
        "/admin/support/application/",
        "/admin/support/application/dashboard/",
    ],
)
def test_rendered_pages_carry_no_inline_script_or_style_attribute(client_for, url):
    """What the browser gets, site and admin: scripts only as files (data as application/json, which
    never runs), and no style= the policy would refuse (the admin's columns use classes)."""
    from tests.portal.factories import UserFactory

    superuser = UserFactory(email="root@centre.example", is_staff=True, is_superuser=True)
    CompanyFactory(certificate_expiry=datetime.date(2020, 1, 1))
    url = url.format(product=ProductFactory().pk)  # its JSON-LD is data, not a script
    response = client_for(superuser if url.startswith("/admin/") else None).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert INLINE_SCRIPT.findall(page) == []
    assert re.findall(r"<[^>]*\sstyle=\"[^>]*>", page) == []
    assert not re.search(r"\son[a-z]+=\"", page)


def _html_strings_in_python() -> list[tuple[str, str]]:
    sources = [
        path
        for app in ("portal", "companies", "products", "brokers", "support")
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
        if "migrations" not in path.parts
    ]
    strings = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "<" in node.value:
                strings.append((path.name, node.value))
    return strings


def test_python_builds_no_inline_style_or_script():
    """format_html() and mark_safe() in admin columns and template tags follow the templates' rule."""
    offending = [
        (name, text)
        for name, text in _html_strings_in_python()
        if re.search(r"\sstyle=|<style\b|\son[a-z]+=", text) or INLINE_SCRIPT.search(text)
    ]
    assert offending == []


def test_the_companies_certificate_column_is_coloured_by_a_stylesheet_class(client_for):
    from tests.portal.factories import UserFactory

    CompanyFactory(certificate_expiry=datetime.date(2020, 1, 1))
    superuser = UserFactory(email="root@centre.example", is_staff=True, is_superuser=True)
    page = client_for(superuser).get("/admin/companies/company/").content.decode()
    assert '<span class="certificate-expired">' in page
    assert "/static/portal/admin.css" in page
    css = (Path(settings.BASE_DIR) / "portal/static/portal/admin.css").read_text(encoding="utf-8")
    assert ".certificate-expired {" in css


def _policy_of(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


def test_the_policy_follows_the_settings_and_a_views_own_policy(client, rf):
    """The header is built once and kept (portal.http.csp), yet a changed setting or a view's own policy
    still shows in the next response, and a nonce asked for after the header is written is refused."""
    from csp.decorators import csp_update
    from csp.exceptions import CSPNonceError
    from django.http import HttpResponse

    from portal.http.csp import CSPMiddleware

    assert _policy_of(client.get("/en/products/"))["img-src"].startswith("'self'")
    changed = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'", "https:"]}
    }
    with override_settings(CONTENT_SECURITY_POLICY=changed):
        assert _policy_of(client.get("/en/products/"))["img-src"] == "'self' https:"
    assert "https:" not in _policy_of(client.get("/en/products/"))["img-src"]

    @csp_update({"connect-src": ["https://maps.example"]})
    def view(request):
        return HttpResponse("map")

    middleware = CSPMiddleware(view)
    request = rf.get("/en/map/")
    response = middleware(request)
    assert _policy_of(response)["connect-src"] == "'self' https://maps.example"
    plain = rf.get("/en/plain/")
    response = CSPMiddleware(lambda request: HttpResponse("plain"))(plain)
    assert _policy_of(response)["connect-src"] == "'self'"
    with pytest.raises(CSPNonceError):
        str(plain.csp_nonce)
