from __future__ import annotations

from django.urls import path

from . import views

app_name = "brokers"

urlpatterns = [
    path("brokers/", views.directory, name="directory"),
    path("brokers/<int:pk>/", views.detail, name="detail"),
    path("brokers/register/", views.register, name="register"),
    path("brokers/mine/", views.mine, name="mine"),
    path("brokers/mine/edit/", views.edit, name="edit"),
    path("brokers/mine/invite/", views.invite, name="invite"),
    path("brokers/mine/licence/", views.licence_renewal, name="licence_renewal"),
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
    path("inquiries/new/", views.inquiry_create, name="inquiry_create"),
    path("inquiries/thanks/", views.inquiry_thanks, name="inquiry_thanks"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inquiry_detail, name="inquiry_detail"),
    path("inbox/<int:pk>/claim/", views.inquiry_claim, name="inquiry_claim"),
    path("inbox/<int:pk>/release/", views.inquiry_release, name="inquiry_release"),
    path("inbox/<int:pk>/reply/", views.inquiry_reply, name="inquiry_reply"),
    path("inbox/<int:pk>/convert/", views.inquiry_convert, name="inquiry_convert"),
    path("inbox/<int:pk>/close/", views.inquiry_close, name="inquiry_close"),
    path("offers/<int:pk>/co-brokers/", views.offer_partner_invite, name="offer_partner_invite"),
    path("offer-co-brokers/<int:pk>/<str:action>/", views.offer_partner_act, name="offer_partner_act"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/<str:action>/", views.referral_act, name="referral_act"),
]
