from __future__ import annotations

from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("support/programmes/", views.program_list, name="program_list"),
    path("support/programmes/<int:pk>/", views.program_detail, name="program_detail"),
    path("support/programmes/<int:pk>/apply/", views.application_create, name="application_create"),
    path("support/applications/", views.application_list, name="application_list"),
    path("support/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("support/applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("support/applications/<int:pk>/documents/", views.document_add, name="document_add"),
    path("support/applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("support/applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("joint-brand/", views.joint_brand, name="joint_brand"),
]
