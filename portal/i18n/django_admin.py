"""Django's admin messages that Django 5.2's Persian catalog leaves untranslated (its
django/contrib/admin/locale/fa): named here so that makemessages keeps them in the portal's catalog,
where the Persian translation is (the portal's catalog comes first). Never called.

Their JavaScript counterparts (the selection boxes of filter_horizontal, the calendar's days) are in
django_admin_js.js, for the djangojs catalog.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_ADMIN_MESSAGES = (
    ngettext_lazy("Please correct the error below.", "Please correct the errors below."),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Model name"),
    gettext_noop("This action will <strong>enable</strong> password-based authentication for this user."),
)
