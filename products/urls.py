from __future__ import annotations

from django.urls import path

from . import views

app_name = "products"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/archive/", views.archive, name="archive"),
    path("<int:pk>/certificates/", views.certificate_add, name="certificate_add"),
    path(
        "<int:pk>/certificates/<int:certificate_pk>/edit/",
        views.certificate_edit,
        name="certificate_edit",
    ),
    path(
        "<int:pk>/certificates/<int:certificate_pk>/remove/",
        views.certificate_remove,
        name="certificate_remove",
    ),
    path("<int:pk>/gallery/", views.image_add, name="image_add"),
    path("<int:pk>/gallery/<int:image_pk>/remove/", views.image_remove, name="image_remove"),
]
