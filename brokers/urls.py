from __future__ import annotations

from django.urls import path

from . import mandate_views, views

app_name = "brokers"

urlpatterns = [
    path("brokers/", views.directory, name="directory"),
    path("brokers/<int:pk>/", views.detail, name="detail"),
    path("brokers/register/", views.register, name="register"),
    path("brokers/mine/", views.mine, name="mine"),
    path("brokers/mine/edit/", views.edit, name="edit"),
    path("brokers/mine/invite/", views.invite, name="invite"),
    path("brokers/invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("offers/", views.offer_board, name="offer_board"),
    path("offers/new/", views.offer_create, name="offer_create"),
    path("offers/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/publish/", views.offer_publish, name="offer_publish"),
    path("offers/<int:pk>/close/", views.offer_close, name="offer_close"),
    path("offers/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("offers/<int:pk>/respond/", views.respond, name="respond"),
    path(
        "responses/<int:pk>/<str:decision>/",
        views.response_decide,
        name="response_decide",
    ),
    path("responses/mine/", views.my_responses, name="my_responses"),
    path("brokers/mine/services/", views.service_list, name="service_list"),
    path("brokers/mine/services/new/", views.service_create, name="service_create"),
    path("brokers/mine/services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("brokers/mine/services/<int:pk>/<str:listed>/", views.service_listing, name="service_listing"),
    path("brokers/mine/engagements/", views.broker_engagements, name="broker_engagements"),
    path("services/<int:pk>/book/", views.service_book, name="service_book"),
    path("engagements/mine/", views.my_engagements, name="my_engagements"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/rate/", views.engagement_rate, name="engagement_rate"),
    path("engagements/<int:pk>/<str:action>/", views.engagement_act, name="engagement_act"),
    path("mandates/mine/", mandate_views.company_mandates, name="company_mandates"),
    path("mandates/new/", mandate_views.mandate_grant, name="mandate_grant"),
    path("mandates/<int:pk>/", mandate_views.mandate_detail, name="mandate_detail"),
    path("mandates/<int:pk>/revoke/", mandate_views.mandate_revoke, name="mandate_revoke"),
    path("brokers/mine/mandates/", mandate_views.broker_mandates, name="broker_mandates"),
    path("offers/<int:pk>/respond-for/<int:company_pk>/", mandate_views.respond_for, name="respond_for"),
    path("inquiries/new/", views.inquiry_create, name="inquiry_create"),
    path("inquiries/thanks/", views.inquiry_thanks, name="inquiry_thanks"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inquiry_detail, name="inquiry_detail"),
    path("inbox/<int:pk>/claim/", views.inquiry_claim, name="inquiry_claim"),
    path("inbox/<int:pk>/release/", views.inquiry_release, name="inquiry_release"),
    path("inbox/<int:pk>/reply/", views.inquiry_reply, name="inquiry_reply"),
    path("inbox/<int:pk>/convert/", views.inquiry_convert, name="inquiry_convert"),
    path("inbox/<int:pk>/close/", views.inquiry_close, name="inquiry_close"),
]
