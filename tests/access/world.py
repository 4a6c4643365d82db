"""The world the access matrix walks: one of each persona and each object a URL acts on.

`build_world()` makes every row once; tests/access/test_matrix.py keeps it for the whole module and
runs each cell in a savepoint that is rolled back. Names here are the ones the matrix uses: a
persona name is a column of matrix.csv, a target name is its `target` column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice

from brokers.models import BrokerInvitation, BuyerInquiry, InboxSettings, Offer, OfferAttachment
from companies.models import CompanyInvitation
from portal.models import ApiToken, SecurityEvent, User
from portal.permissions import Role
from products.models import ProductImage
from support.models import ApplicationDocument, Review, ReviewAssignment, Reviewer, StaffTie, Status
from tests.brokers.factories import (
    BrokerFactory,
    BrokerMembershipFactory,
    BrokerServiceFactory,
    EngagementFactory,
    LicenceRenewalFactory,
    OfferFactory,
    OfferResponseFactory,
    ServiceTypeFactory,
)
from tests.companies.factories import PDF_BYTES, CompanyFactory, MembershipFactory
from tests.deals.factories import deal_terms, lines_of, walk_to
from tests.portal.factories import NotificationFactory, TargetCountryFactory, UserFactory
from tests.products.factories import (
    CategoryFactory,
    CertificationFactory,
    ProductCertificationFactory,
    ProductFactory,
    RequirementFactory,
    png_bytes,
)
from tests.support.factories import ApplicationFactory, DocumentTypeFactory, ProgramFactory
from tests.two_factor import totp_device

PERSONAS = [
    "anonymous",
    "member_a",
    "member_b",
    "member_pending",
    "broker_approved",
    "broker_pending",
    "broker_suspended",
    "reviewer_assigned",
    "reviewer_other",
    "manager",
    "superuser",
]


@dataclass
class World:
    users: dict[str, User | None] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # persona -> session key

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _member(company, email: str) -> User:  # noqa: ANN001
    user = UserFactory(email=email, roles=[Role.COMPANY_MEMBER])
    MembershipFactory(company=company, user=user)
    return user


def _broker_member(broker, email: str) -> User:  # noqa: ANN001
    user = UserFactory(email=email, english=True, roles=[Role.BROKER_MEMBER])
    BrokerMembershipFactory(broker=broker, user=user)
    return user


def _document(application, document_type) -> ApplicationDocument:  # noqa: ANN001
    document = ApplicationDocument(application=application, document_type=document_type)
    document.file.save("proforma.pdf", ContentFile(PDF_BYTES), save=False)
    document.save()
    return document


def ensure_role_groups() -> None:
    """Put the migration-made role groups back if a transactional test flushed them."""
    if Group.objects.filter(name=Role.REVIEWER.value).exists():
        return
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.conftest import ROLE_MIGRATIONS

    state_apps = MigrationExecutor(connection).loader.project_state().apps
    for module, function in ROLE_MIGRATIONS:
        getattr(import_module(module), function)(state_apps, None)


def build_world() -> World:
    """Create the personas and the objects; every file is really stored so /media/ can serve it."""
    ensure_role_groups()
    w = World()
    o = w.objects
    o["iraq"] = TargetCountryFactory(iso_code="IQ")
    o["masks"] = CategoryFactory(slug="masks")
    o["ce"] = CertificationFactory(code="ce")
    o["iso"] = CertificationFactory(code="iso-13485")
    o["logistics"] = ServiceTypeFactory(slug="logistics")
    o["proforma"] = DocumentTypeFactory(slug="proforma")

    # --- companies and their members ------------------------------------------------------------
    o["company_a"] = CompanyFactory(name_en="Alpha Medical", logo=ContentFile(png_bytes(), name="logo.png"))
    o["company_b"] = CompanyFactory(name_en="Beta Health")
    o["company_pending"] = CompanyFactory(name_en="Pending Labs", pending=True)
    w.users["anonymous"] = None
    w.users["member_a"] = _member(o["company_a"], "sara@alpha.example")
    w.users["member_b"] = _member(o["company_b"], "omid@beta.example")
    w.users["member_pending"] = _member(o["company_pending"], "nima@pending.example")

    # --- brokerages and their members -----------------------------------------------------------
    o["broker_approved"] = BrokerFactory(name_en="Pars Brokers", countries=[o["iraq"]])
    o["broker_pending"] = BrokerFactory(name_en="Waiting Brokers", pending=True, countries=[o["iraq"]])
    o["broker_suspended"] = BrokerFactory(name_en="Halted Brokers", suspended=True, countries=[o["iraq"]])
    w.users["broker_approved"] = _broker_member(o["broker_approved"], "reza@pars.example")
    w.users["broker_pending"] = _broker_member(o["broker_pending"], "leila@waiting.example")
    w.users["broker_suspended"] = _broker_member(o["broker_suspended"], "kaveh@halted.example")

    # --- the centre's staff ---------------------------------------------------------------------
    reviewer = [Role.REVIEWER]
    w.users["reviewer_assigned"] = UserFactory(email="ali@centre.example", is_staff=True, roles=reviewer)
    w.users["reviewer_other"] = UserFactory(email="zahra@centre.example", is_staff=True, roles=reviewer)
    w.users["manager"] = UserFactory(
        email="maryam@centre.example", is_staff=True, roles=[Role.PROGRAMME_MANAGER]
    )
    w.users["superuser"] = UserFactory(email="root@centre.example", is_staff=True, is_superuser=True)

    # --- products -------------------------------------------------------------------------------
    image = {"image": ContentFile(png_bytes(), name="mask.png")}
    o["product_a_public"] = ProductFactory(company=o["company_a"], category=o["masks"], **image)
    o["product_a_draft"] = ProductFactory(
        company=o["company_a"], category=o["masks"], draft=True,
        image=ContentFile(png_bytes(), name="draft.png"),
        datasheet=ContentFile(PDF_BYTES, name="datasheet.pdf"),
    )  # fmt: skip
    o["product_b"] = ProductFactory(company=o["company_b"], category=o["masks"])
    o["product_pending"] = ProductFactory(company=o["company_pending"], category=o["masks"])
    o["certificate_a"] = ProductCertificationFactory(product=o["product_a_public"], certification=o["ce"])
    o["certificate_verified"] = o["certificate_a"]  # by its own pk (certificate_a is by product)
    o["certificate_pending"] = ProductCertificationFactory(
        product=o["product_a_public"], certification=o["ce"], number="CE-WAITING", pending=True
    )
    o["picture_a"] = ProductImage.objects.create(
        product=o["product_a_public"], image=ContentFile(png_bytes(), name="side.png"), caption="Side"
    )

    # --- offers and responses -------------------------------------------------------------------
    o["offer_open"] = OfferFactory(broker=o["broker_approved"], country=o["iraq"], categories=[o["masks"]])
    o["offer_draft"] = OfferFactory(
        broker=o["broker_approved"], country=o["iraq"], categories=[o["masks"]],
        status=Offer.Status.DRAFT, published_at=None,
    )  # fmt: skip
    o["attachment_open"] = OfferAttachment.objects.create(
        offer=o["offer_open"], file=ContentFile(PDF_BYTES, name="spec.pdf"), title="Spec"
    )
    o["attachment_draft"] = OfferAttachment.objects.create(
        offer=o["offer_draft"], file=ContentFile(PDF_BYTES, name="tender.pdf"), title="Tender"
    )
    o["response_a"] = OfferResponseFactory(
        offer=o["offer_open"], company=o["company_a"], created_by=w.users["member_a"]
    )
    o["response_a"].products.set([o["product_a_public"]])

    # --- brokerage services and their engagements -----------------------------------------------
    o["licence_renewal"] = LicenceRenewalFactory(broker=o["broker_approved"])
    o["service_a"] = BrokerServiceFactory(broker=o["broker_approved"], service_type=o["logistics"])
    o["engagement_a"] = EngagementFactory(
        service=o["service_a"], company=o["company_a"], requested_by=w.users["member_a"]
    )
    o["engagement_delivered"] = EngagementFactory(
        service=o["service_a"], company=o["company_a"], delivered=True
    )

    # --- support programmes and applications ----------------------------------------------------
    o["program"] = ProgramFactory()
    o["program"].required_documents.set([o["proforma"]])
    o["application_a"] = ApplicationFactory(company=o["company_a"], program=o["program"])
    o["application_a"].__class__.objects.filter(pk=o["application_a"].pk).update(
        status=Status.UNDER_REVIEW,
        assigned_reviewer=w.users["reviewer_assigned"],
        reference="EXP-1405-000101",
        submitted_at=timezone.now() - dt.timedelta(days=2),
        review_started_at=timezone.now() - dt.timedelta(days=1),
        review_due_at=timezone.now() + dt.timedelta(days=13),
    )
    o["application_a"].refresh_from_db()
    o["document_a"] = _document(o["application_a"], o["proforma"])
    # One completed review by a panel member who is no persona, so that a manager may decide and
    # the assigned reviewer may still score.
    panel = UserFactory(email="panel@centre.example", is_staff=True, roles=reviewer)
    ReviewAssignment.objects.create(  # a review counts for its seat on the panel (reviews_complete)
        application=o["application_a"], reviewer=panel, review_round=o["application_a"].review_round
    )
    o["panel_review"] = Review.objects.create(
        application=o["application_a"], reviewer=panel, recommendation=Review.Recommendation.APPROVE,
        weighted_score=Decimal("7.50"), review_round=o["application_a"].review_round,
    )  # fmt: skip
    # A tie Zahra declared to a company with no application here, and a reviewer's availability.
    o["tie_other"] = StaffTie.objects.create(
        user=w.users["reviewer_other"], company=o["company_pending"], nature=StaffTie.Nature.OTHER
    )
    o["reviewer_seat"] = Reviewer.objects.get(pk=w.users["reviewer_assigned"].pk)
    o["application_a_draft"] = ApplicationFactory(company=o["company_a"], program=o["program"])
    o["document_a_draft"] = _document(o["application_a_draft"], o["proforma"])
    o["application_b"] = ApplicationFactory(company=o["company_b"], program=o["program"])
    o["application_b"].__class__.objects.filter(pk=o["application_b"].pk).update(
        status=Status.UNDER_REVIEW, reference="EXP-1405-000102", submitted_at=timezone.now()
    )
    o["application_b"].refresh_from_db()
    o["document_b"] = _document(o["application_b"], o["proforma"])

    # --- notifications and invitations ----------------------------------------------------------
    o["notification_a"] = NotificationFactory(recipient=w.users["member_a"], title="Your application moved")
    o["company_invitation"] = CompanyInvitation.objects.create(
        company=o["company_a"], email="newcomer@alpha.example", invited_by=w.users["member_a"]
    )
    o["broker_invitation"] = BrokerInvitation.objects.create(
        broker=o["broker_approved"], email="newcomer@pars.example", invited_by=w.users["broker_approved"]
    )
    o["inquiry"] = BuyerInquiry.objects.create(
        name="Ahmed", organisation="Baghdad Clinic", country=o["iraq"], email="ahmed@clinic.example",
        message="We need masks", company=o["company_a"],
    )  # fmt: skip
    # In the inbox of company A and of the approved brokerage covering Iraq; nobody holds it.
    o["inquiry_routed"] = BuyerInquiry.objects.create(
        name="Hassan", organisation="Basra Clinic", country=o["iraq"], email="hassan@clinic.example",
        message="Gloves, please", company=o["company_a"], status=BuyerInquiry.Status.ROUTED,
        routed_at=timezone.now(), reference="INQ-1405-900001",
    )  # fmt: skip
    o["inbox_settings"] = InboxSettings.load()
    # --- mandates: A authorises the approved brokerage for masks in Iraq; another brokerage's open
    # offer there, which the approved brokerage may answer for A -------------------------------------
    from tests.brokers.mandates import give_mandate

    o["mandate_a"] = give_mandate(
        company=o["company_a"], broker=o["broker_approved"], by=w.users["member_a"], countries=[o["iraq"]],
        categories=[o["masks"]],
    )  # fmt: skip
    o["offer_other"] = OfferFactory(
        broker=BrokerFactory(name_en="Tigris Brokers", countries=[o["iraq"]]), country=o["iraq"],
        categories=[o["masks"]],
    )  # fmt: skip
    # --- deals: A's, brought by the approved brokerage from the inquiry, at three stages -----------
    from brokers.services import response_decide
    from deals.services import deal_open_from_inquiry

    def broker_deal(status: str):  # noqa: ANN202
        deal = deal_open_from_inquiry(
            inquiry=o["inquiry"], by=w.users["broker_approved"], company=o["company_a"],
            lines=lines_of(o["product_a_public"]), **deal_terms(o["iraq"]),
        )  # fmt: skip
        return walk_to(deal, status, w.users["broker_approved"])

    o["deal_a"] = broker_deal("negotiating")
    o["deal_shipped"] = broker_deal("shipped")
    o["shipment"] = o["deal_shipped"].shipments.get()
    o["deal_paid"] = broker_deal("paid")
    # A's application under review cites a shipment of another shipped deal: its assigned reviewer
    # may open that shipment's papers, not those of the shipment above, which nobody cites.
    from support.models import ApplicationEvidence

    o["deal_cited"] = broker_deal("shipped")
    o["cited_shipment"] = o["deal_cited"].shipments.get()
    ApplicationEvidence.objects.create(
        application=o["application_a"], deal=o["deal_cited"], shipment=o["cited_shipment"]
    )
    o["offer_won"] = OfferFactory(broker=o["broker_approved"], country=o["iraq"], categories=[o["masks"]])
    o["response_won"] = OfferResponseFactory(
        offer=o["offer_won"], company=o["company_a"], created_by=w.users["member_a"]
    )
    o["response_won"].products.set([o["product_a_public"]])
    response_decide(response=o["response_won"], status="accepted", by=w.users["broker_approved"])
    # The approved brokerage answered another offer of Tigris's for A under A's mandate; Tigris accepted the
    # answer and A opened its deal: the approved brokerage is that deal's co-broker.
    from brokers.services import response_submit
    from deals.services import deal_open_from_response

    tigris_offer = OfferFactory(broker=o["offer_other"].broker, country=o["iraq"], categories=[o["masks"]])
    answered = response_submit(
        offer=tigris_offer, company=o["company_a"], by=w.users["broker_approved"],
        products=[o["product_a_public"]], broker=o["broker_approved"], unit_price="0.11", currency="USD",
        quantity=1000, lead_time_days=14, message="",
    )  # fmt: skip
    response_decide(response=answered, status="accepted")
    o["deal_answered"] = deal_open_from_response(
        response=answered, by=w.users["member_a"], lines=lines_of(o["product_a_public"]),
        **deal_terms(o["iraq"]),
    )  # fmt: skip
    # --- the brokers' network: a second approved brokerage covering Iraq (no persona works there),
    # a referral each way, and a co-brokering invitation each way (pending) -----------------------
    from brokers.models import Referral
    from deals.models import DealPartner

    o["broker_other"] = BrokerFactory(name_en="Caspian Logistics", countries=[o["iraq"]])
    other = UserFactory(email="nima@caspian.example", roles=[Role.BROKER_MEMBER])
    BrokerMembershipFactory(broker=o["broker_other"], user=other)
    o["referral_sent"] = Referral.objects.create(
        from_broker=o["broker_approved"], to_broker=o["broker_other"], company=o["company_a"],
        country=o["iraq"], created_by=w.users["broker_approved"],
    )  # fmt: skip
    o["referral_received"] = Referral.objects.create(
        from_broker=o["broker_other"], to_broker=o["broker_approved"], company=o["company_b"],
        country=o["iraq"], created_by=other,
    )  # fmt: skip
    o["partner_sent"] = DealPartner.objects.create(
        deal=o["deal_shipped"],
        broker=o["broker_other"],
        share_percent=40,
        invited_by=w.users["broker_approved"],
    )
    # Caspian acts for A under A's mandate too, and invites the approved brokerage onto that deal.
    give_mandate(
        company=o["company_a"], broker=o["broker_other"], by=w.users["member_a"], countries=[o["iraq"]],
        categories=[o["product_a_public"].category],
    )  # fmt: skip
    other_deal = deal_open_from_inquiry(
        inquiry=o["inquiry"], by=other, company=o["company_a"], lines=lines_of(o["product_a_public"]),
        **deal_terms(o["iraq"]),
    )  # fmt: skip
    o["partner_received"] = DealPartner.objects.create(
        deal=other_deal, broker=o["broker_approved"], share_percent=30, invited_by=other
    )
    from brokers.models import OfferPartner

    o["offer_partner_sent"] = OfferPartner.objects.create(
        offer=o["offer_open"],
        broker=o["broker_other"],
        share_percent=40,
        invited_by=w.users["broker_approved"],
    )
    o["offer_partner_received"] = OfferPartner.objects.create(
        offer=OfferFactory(broker=o["broker_other"], country=o["iraq"], categories=[o["masks"]]),
        broker=o["broker_approved"], share_percent=30, invited_by=other,
    )  # fmt: skip
    o["requirement"] = RequirementFactory(country=o["iraq"], category=o["masks"], certification=o["ce"])
    o["group"] = Group.objects.get(name=Role.REVIEWER.value)
    # The second factor: staff sessions pass it (test_matrix.py); these are the admin's objects.
    o["totp_device"] = totp_device(w.users["reviewer_assigned"])
    o["static_device"] = StaticDevice.objects.create(user=w.users["reviewer_assigned"], name="backup")
    o["api_token_a"], _raw = ApiToken.objects.create(user=w.users["member_a"], expiry=None)
    o["security_event"] = SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.choices[0][0], user=w.users["member_a"], username="sara@alpha.example"
    )
    for persona, user in w.users.items():
        if user is not None:
            o[f"user_{persona}"] = user
    return w
