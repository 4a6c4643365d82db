"""The admin lists deals for programme staff, read-only: no Save, no add, no delete."""

from __future__ import annotations

import pytest

from deals.models import Status
from tests.deals.factories import walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client_for, manager):
    from tests.access.world import ensure_role_groups

    ensure_role_groups()
    return client_for(manager)


def test_managers_list_deals_with_filters_and_search(staff_client, brokered_deal, direct_deal):
    page = staff_client.get("/admin/deals/deal/")
    assert page.status_code == 200
    text = page.content.decode()
    assert brokered_deal.reference in text
    assert direct_deal.reference in text

    def listed(query: str) -> list:
        return list(staff_client.get(f"/admin/deals/deal/?{query}").context["cl"].result_list)

    assert listed(f"company__id__exact={brokered_deal.company_id}") == [direct_deal, brokered_deal]
    assert listed(f"destination__id__exact={brokered_deal.destination_id}") == [direct_deal, brokered_deal]
    assert listed("status__exact=negotiating") == [direct_deal, brokered_deal]
    found = staff_client.get(f"/admin/deals/deal/?q={brokered_deal.reference}").context["cl"].result_list
    assert list(found) == [brokered_deal]
    lost = staff_client.get("/admin/deals/deal/?status__exact=lost").context["cl"].result_list
    assert list(lost) == []


def test_the_deal_page_is_read_only_without_save(staff_client, brokered_deal, broker_member):
    deal = walk_to(brokered_deal, Status.SHIPPED, broker_member)
    page = staff_client.get(f"/admin/deals/deal/{deal.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="_save"' not in text
    assert "status" not in page.context["adminform"].form.fields
    assert deal.shipments.get().invoice.url in text
    refused = staff_client.post(f"/admin/deals/deal/{deal.pk}/change/", {"status": "closed"})
    assert refused.status_code == 403
    deal.refresh_from_db()
    assert deal.status == Status.SHIPPED


def test_nobody_adds_or_deletes_deals_in_the_admin(client_for, brokered_deal, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@centre.example", password="x")
    client = client_for(root)
    assert client.get("/admin/deals/deal/add/").status_code == 403
    assert client.get(f"/admin/deals/deal/{brokered_deal.pk}/delete/").status_code == 403


def test_reviewers_do_not_see_deals(client_for, reviewer, brokered_deal):
    from tests.access.world import ensure_role_groups

    ensure_role_groups()
    assert client_for(reviewer).get("/admin/deals/deal/").status_code == 403


def test_managers_read_a_deals_credits_and_co_brokers_read_only(staff_client, brokered_deal, broker_member):
    from deals import services
    from tests.brokers.factories import BrokerFactory

    caspian = BrokerFactory(name_en="Caspian Logistics")
    services.deal_partner_invite(deal=brokered_deal, by=broker_member, broker=caspian, share_percent=40)
    page = staff_client.get(f"/admin/deals/deal/{brokered_deal.pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "deal credits" in text.lower() or "اعتبارهای معامله" in text
    assert caspian.name in text
    assert 'name="credits-0-share_percent"' not in text  # shown, never editable


def test_the_deal_page_names_each_step_and_shows_amounts_with_their_currency(
    staff_client, brokered_deal, broker_member
):
    """In Persian (the portal/admin_display.py side of it): the timeline's rows by their names,
    the value, the lines and the payments with the deal's currency."""
    deal = walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    persian = staff_client.get(f"/admin/deals/deal/{deal.pk}/change/", headers={"accept-language": "fa"})
    content = persian.content.decode()
    assert f"{deal.reference}: معامله ثبت شد" in content
    assert f"{deal.reference}: قرارداد امضا شد" in content
    assert "negotiating" not in content
    assert "contracted" not in content
    assert '<span dir="ltr">۵۰۰\u00a0USD</span>' in content  # 1,000 units at 0.50
    assert '<span dir="ltr">۰٫۵۰\u00a0USD</span>' in content  # the line's unit price
    listed = staff_client.get("/admin/deals/deal/", headers={"accept-language": "en"}).content.decode()
    assert '<span dir="ltr">500\u00a0USD</span>' in listed
