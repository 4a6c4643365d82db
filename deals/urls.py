from __future__ import annotations

from django.urls import path

from . import views

app_name = "deals"

urlpatterns = [
    path("", views.deal_list, name="list"),
    path("new/", views.deal_create, name="create"),
    path("new/from-response/<int:pk>/", views.deal_create_from_response, name="create_from_response"),
    path("new/from-inquiry/<int:pk>/", views.deal_create_from_inquiry, name="create_from_inquiry"),
    path("<int:pk>/", views.deal_detail, name="detail"),
    path("<int:pk>/contract/", views.deal_contract, name="contract"),
    path("<int:pk>/shipments/", views.shipment_add, name="shipment_add"),
    path("<int:pk>/payments/", views.payment_add, name="payment_add"),
    path("<int:pk>/lost/", views.deal_lose, name="lose"),
    path("<int:pk>/close/", views.deal_close, name="close"),
    path("<int:pk>/co-brokers/", views.partner_invite, name="partner_invite"),
    path("co-brokering/", views.partner_list, name="partner_list"),
    path("co-brokering/<int:pk>/<str:action>/", views.partner_act, name="partner_act"),
]
