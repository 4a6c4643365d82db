"""How a company page describes itself to search engines and link previews (schema.org)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Company


def company_schema(company: Company, request: HttpRequest) -> dict[str, Any]:
    """A schema.org `Organization`: name, logo, where it is, its own website."""
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": company.name,
        "alternateName": next((n for n in (company.name_fa, company.name_en) if n and n != company.name), ""),
        "url": request.build_absolute_uri(company.get_absolute_url()),
        "logo": request.build_absolute_uri(company.logo.url) if company.logo else "",
        "description": company.profile,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": company.city,
            "addressRegion": company.get_province_display(),
            "addressCountry": "IR",
        },
        "sameAs": [company.website] if company.website else [],
    }
