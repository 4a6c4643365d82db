"""The results' staff pages, under /admin/results/ (included by config/urls.py before the admin's
own URLs): each wrapped by the admin site, which asks staff for their log-in and second factor."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from portal.http.page_cache import cache_staff_page

from . import admin_views

app_name = "results_admin"

urlpatterns = [
    path("", admin.site.admin_view(cache_staff_page(admin_views.dashboard)), name="dashboard"),
    path("download/<str:table>.csv", admin.site.admin_view(admin_views.download_csv), name="csv"),
    path("download/results.xlsx", admin.site.admin_view(admin_views.download_xlsx), name="xlsx"),
]
