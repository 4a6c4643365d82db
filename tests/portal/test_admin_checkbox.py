"""The changelist's row checkbox, written without the widget template, is Django's own markup."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.utils import translation

from companies.models import Company
from portal.admin_tools import CheckedActionsMixin
from tests.companies.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fa", "en"])
def test_row_checkbox_is_djangos_markup_with_the_name_escaped(language):
    company = CompanyFactory(name_fa='<b>"شرکت" & co</b>', name_en='<b>"Firm" & co</b>')
    company_admin = admin.site._registry[Company]
    assert isinstance(company_admin, CheckedActionsMixin)
    with translation.override(language):
        ours = company_admin.action_checkbox(company)
        djangos = admin.ModelAdmin.action_checkbox(company_admin, company)
    assert ours == djangos
    assert "<b>" not in ours
    assert "&lt;b&gt;" in ours
