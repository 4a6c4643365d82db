"""What the forms of every kind of organisation share: the profile form's key field, the invitation form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import StyledFormMixin


class OrganisationFormMixin:
    """A profile form whose key field (national ID, licence number) is typed once, at registration.

    The key identifies the organisation to the centre; correcting it goes through the centre."""

    key_field = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[self.key_field].disabled = True
            self.fields[self.key_field].help_text = _("Contact the export support desk to correct it.")


class InviteForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Colleague's e-mail address"), widget=forms.EmailInput(attrs={"dir": "ltr"})
    )
