from __future__ import annotations

from django.urls import path

from . import views

app_name = "results"

urlpatterns = [
    path("results/", views.public_results, name="public"),
]
