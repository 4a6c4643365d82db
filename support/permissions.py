"""Who may do what with an application. The workflow table, views, admin and API all ask here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from companies.permissions import company_of
from portal.models import User
from portal.permissions import is_manager, is_reviewer

from .models import Application


def is_applicant(user: User | AnonymousUser, application: Application) -> bool:
    """A member of the applying company."""
    company = company_of(user)
    return company is not None and company.pk == application.company_id


def can_review(user: User | AnonymousUser, application: Application) -> bool:
    """The assigned reviewer, or any programme manager."""
    return (is_reviewer(user) and application.assigned_reviewer_id == user.pk) or is_manager(user)


def has_scored(user: User | AnonymousUser, application: Application) -> bool:
    return user.is_authenticated and application.reviews.filter(reviewer=user).exists()


def can_decide(user: User | AnonymousUser, application: Application) -> tuple[bool, str]:
    """A programme manager who has not scored this application (four eyes); else why not."""
    if not is_manager(user):
        return False, _("Only programme managers approve or reject applications.")
    if has_scored(user, application) or application.assigned_reviewer_id == user.pk:
        return False, _("The person who scored an application cannot decide it.")
    return True, ""


def get_application_for_member(user: User | AnonymousUser, pk: int) -> Application:
    """An application of the user's own company; 404 for anything else."""
    company = company_of(user)
    if company is None:
        raise Http404("no company")
    return get_object_or_404(Application.objects.select_related("program", "company"), pk=pk, company=company)


def can_see_document_file(user: User | AnonymousUser, name: str) -> bool:
    """An application's documents are for the applying company and the centre's staff."""
    if not user.is_authenticated:
        return False
    documents = Application.objects.filter(documents__file=name)
    if user.is_staff and user.has_perm("support.view_application"):
        return documents.exists()
    company = company_of(user)
    return company is not None and documents.filter(company=company).exists()
