"""How a product page describes itself to search engines and link previews (schema.org)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Product


def product_schema(product: Product, request: HttpRequest) -> dict[str, Any]:
    """A schema.org `Product`: its maker, its picture and its FOB price, in the page's language."""
    url = request.build_absolute_uri(product.get_absolute_url())
    company = product.company
    maker = {
        "@type": "Organization",
        "name": company.name,
        "url": request.build_absolute_uri(company.get_absolute_url()),
    }
    schema: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description,
        "url": url,
        "image": [request.build_absolute_uri(product.image.url)] if product.image else [],
        "category": product.category.name,
        "manufacturer": maker,
        "brand": {"@type": "Brand", "name": company.name},
    }
    if product.fob_price is not None:
        schema["offers"] = {
            "@type": "Offer",
            "url": url,
            "price": str(product.fob_price),
            "priceCurrency": product.currency,
            "availability": "https://schema.org/InStock",
            "seller": maker,
        }
    return schema
