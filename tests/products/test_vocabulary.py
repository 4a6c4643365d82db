"""The catalog's filter choices name each category, certification and country in the reader's
language: a country in Arabic and Russian by its ISO code, a name missing in a language in English."""

from __future__ import annotations

import pytest

from products import vocabulary
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import CategoryFactory, CertificationFactory

pytestmark = pytest.mark.django_db


def named(kind: str, key: str, language: str) -> str:
    return dict(vocabulary.choices(kind, language))[key]


def test_a_country_reads_in_each_language_and_an_unlisted_one_in_english():
    TargetCountryFactory(iso_code="IQ", name_fa="عراق", name_en="Iraq")
    TargetCountryFactory(iso_code="FR", name_fa="فرانسه", name_en="France")  # no Arabic or Russian name kept
    assert [named("country", "IQ", code) for code in ("fa", "en", "ar", "ru")] == [
        "عراق", "Iraq", "العراق", "Ирак",
    ]  # fmt: skip
    assert [named("country", "FR", code) for code in ("fa", "en", "ar", "ru")] == [
        "فرانسه", "France", "France", "France",
    ]  # fmt: skip


def test_a_category_or_certification_without_a_language_reads_in_english():
    CategoryFactory(slug="masks", name_fa="ماسک", name_en="Masks", name_ar="كمامات", name_ru="")
    CertificationFactory(code="ce", name_fa="نشان CE", name_en="CE marking", name_ar="", name_ru="Знак CE")
    assert [named("category", "masks", code) for code in ("fa", "en", "ar", "ru")] == [
        "ماسک", "Masks", "كمامات", "Masks",
    ]  # fmt: skip
    assert [named("certification", "ce", code) for code in ("fa", "en", "ar", "ru")] == [
        "نشان CE", "CE marking", "CE marking", "Знак CE",
    ]  # fmt: skip


def test_a_renamed_country_reads_anew():
    iraq = TargetCountryFactory(iso_code="IQ", name_fa="عراق", name_en="Iraq")
    assert named("country", "IQ", "en") == "Iraq"
    iraq.name_en = "Republic of Iraq"
    iraq.save()
    assert named("country", "IQ", "en") == "Republic of Iraq"
    assert named("country", "IQ", "ar") == "العراق"
