"""The results' part of the API. Included under /api/v1/ by config/urls.py."""

from __future__ import annotations

from django.urls import path

from . import api

urlpatterns = [
    path("results/", api.ResultsApi.as_view(), name="results"),
]
