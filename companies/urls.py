from __future__ import annotations

from django.urls import path

from . import views

app_name = "companies"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.detail, name="detail"),
    path("register/", views.register, name="register"),
    path("mine/", views.mine, name="mine"),
    path("mine/edit/", views.edit, name="edit"),
    path("mine/invite/", views.invite, name="invite"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
