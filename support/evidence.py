"""Export evidence: the deals and shipments an application cites, the programme's evidence rule
computed from the company's deal history, and the one-claim-per-shipment rule.

- An applicant cites deals of their own company that are at least contracted (not lost), as a
  whole or by one of their recorded shipments (`citable_deals`, `check_citations`).
- A programme may require evidence (`SupportProgram.evidence_rule`): `rule_check` answers, from
  the company's shipments, whether it is met, why, and which shipments qualify; the applicant
  sees it before applying, submission refuses an application citing none of them
  (`rule_refusal`), and screening says so to the reviewer.
- A shipment (the row, its invoice and bill of lading, and any other row with the same export
  declaration number) backs one application: `refuse_double_claim` is called by support.workflow
  at submission (against applications submitted, in review or granted) and at approval (against
  granted ones), after `lock_cited` has locked the cited deals and shipments in primary-key order,
  under the same locks as the budget.
- Under the same locks, `refuse_uncitable` refuses the submission or the approval when a cited deal
  has left the citable states since it was cited (marked lost).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Trim, Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.models import Company
from deals.models import Deal, DealLine, Shipment
from deals.models import Status as DealStatus
from portal.templatetags.portal_tags import localnumber

from .models import Application, ApplicationEvidence, EvidenceRule, SupportProgram

# Unicode isolates: a Latin reference or buyer's name keeps its order inside a Persian label.
LTR, END = "\u2066", "\u2069"

# A deal is cited once it is agreed: contracted, shipped, paid or closed (never negotiating or lost).
CITABLE_DEAL_STATES = (DealStatus.CONTRACTED, DealStatus.SHIPPED, DealStatus.PAID, DealStatus.CLOSED)

Cited = Deal | Shipment


def citable_deals(company: Company | None) -> QuerySet[Deal]:
    """The company's deals an application may cite, newest first."""
    if company is None:
        return Deal.objects.none()
    return Deal.objects.filter(company=company, status__in=CITABLE_DEAL_STATES)


def citable_shipments(company: Company | None) -> QuerySet[Shipment]:
    """The recorded shipments of the company's citable deals."""
    return Shipment.objects.filter(deal__in=citable_deals(company))


def check_citations(company: Company, items: Iterable[Cited]) -> list[Cited]:
    """`items` (deals and shipments) if the company may cite them all; a field error otherwise
    (another company's deal is refused as if it did not exist)."""
    items = list(dict.fromkeys(items))
    deal_ids = {item.pk for item in items if isinstance(item, Deal)}
    shipment_ids = {item.pk for item in items if isinstance(item, Shipment)}
    allowed_deals = set(citable_deals(company).filter(pk__in=deal_ids).values_list("pk", flat=True))
    allowed_shipments = set(
        citable_shipments(company).filter(pk__in=shipment_ids).values_list("pk", flat=True)
    )
    if deal_ids - allowed_deals or shipment_ids - allowed_shipments:
        raise ValidationError(
            {"evidence": _("Cite only your own company's contracted deals and their recorded shipments.")}
        )
    return items


def normalized(number: str) -> str:
    """An export declaration number as compared: trimmed, upper case, ASCII digits."""
    from portal.i18n.digits import to_ascii_digits

    return to_ascii_digits(number or "").strip().upper()


# ---------------------------------------------------------------------------
# The programme's rule
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleCheck:
    """The answer of a programme's evidence rule for a company: met or not, the reason in the
    reader's words, and the shipments that meet it (oldest first)."""

    rule: str
    met: bool
    reason: str
    shipments: tuple[Shipment, ...] = field(default=())

    @property
    def required(self) -> bool:
        return self.rule != EvidenceRule.NONE

    @property
    def deals(self) -> list[Deal]:
        return list({s.deal_id: s.deal for s in self.shipments}.values())

    def is_cited_by(self, rows: Iterable[ApplicationEvidence]) -> bool:
        """Whether the citations `rows` include a qualifying shipment or a qualifying deal as a whole."""
        shipments = {s.pk for s in self.shipments}
        deals = {s.deal_id for s in self.shipments}
        return any(
            (row.shipment_id in shipments) if row.shipment_id else (row.deal_id in deals) for row in rows
        )


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    import calendar

    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rule_check(company: Company, program: SupportProgram, *, on: date | None = None) -> RuleCheck:
    """Whether `company`'s deal history meets `program`'s evidence rule on `on` (today by default).

    Three queries at most: the company's shipments (with their deals), the deals' product lines
    (new-product rule) and the programme's eligible countries or categories."""
    rule = program.evidence_rule
    if rule == EvidenceRule.NONE:
        return RuleCheck(rule, True, "")
    on = on or timezone.localdate()
    since = months_before(on, program.evidence_months)
    shipments = list(
        Shipment.objects.filter(
            deal__company=company, deal__status__in=CITABLE_DEAL_STATES, shipped_on__lte=on
        )
        .select_related("deal__destination", "deal__buyer_country")
        .order_by("shipped_on", "pk")
    )
    months = program.evidence_months
    qualifying: list[Shipment] = []
    if rule == EvidenceRule.RECENT_SHIPMENT:
        qualifying = [s for s in shipments if s.shipped_on >= since]
        missing = ngettext(
            "Your company recorded no shipment in the last %(months)s month.",
            "Your company recorded no shipment in the last %(months)s months.",
            months,
        )
    elif rule == EvidenceRule.NEW_COUNTRY:
        eligible = set(program.eligible_countries.values_list("pk", flat=True))
        seen: set[int] = set()
        for shipment in shipments:
            country = shipment.deal.destination_id
            if country in seen:
                continue
            seen.add(country)
            if shipment.shipped_on >= since and (not eligible or country in eligible):
                qualifying.append(shipment)
        missing = ngettext(
            "None of your company's shipments in the last %(months)s month was its first to a country.",
            "None of your company's shipments in the last %(months)s months was its first to a country.",
            months,
        )
    else:  # EvidenceRule.NEW_PRODUCT
        categories = set(program.eligible_categories.values_list("pk", flat=True))
        lines: dict[int, list[tuple[int, int]]] = {}
        for deal_id, product_id, category_id in DealLine.objects.filter(
            deal_id__in={s.deal_id for s in shipments}
        ).values_list("deal_id", "product_id", "product__category_id"):
            lines.setdefault(deal_id, []).append((product_id, category_id))
        exported: set[int] = set()
        for shipment in shipments:
            new = [(p, c) for p, c in lines.get(shipment.deal_id, []) if p not in exported]
            exported.update(p for p, _c in new)
            if shipment.shipped_on >= since and any(not categories or c in categories for _p, c in new):
                qualifying.append(shipment)
        missing = ngettext(
            "None of your company's shipments in the last %(months)s month was a product's first export.",
            "None of your company's shipments in the last %(months)s months was a product's first export.",
            months,
        )
    if not qualifying:
        return RuleCheck(rule, False, missing % {"months": localnumber(months)})
    references = ", ".join(dict.fromkeys(s.deal.reference for s in qualifying))
    reason = _("Met by: %(deals)s.") % {"deals": references}
    return RuleCheck(rule, True, reason, tuple(qualifying))


def rule_refusal(application: Application, *, on: date | None = None, check: RuleCheck | None = None) -> str:
    """Why the application does not satisfy its programme's evidence rule ("" when it does): the
    rule must be met and the application must cite a qualifying deal or shipment. `check`: the
    rule's answer for the application's company, when it is at hand."""
    check = check or rule_check(application.company, application.program, on=on)
    if not check.required:
        return ""
    rule = application.program.get_evidence_rule_display()
    if not check.met:
        return _("This programme requires %(rule)s. %(reason)s") % {
            "rule": rule.lower(),
            "reason": check.reason,
        }
    if not check.is_cited_by(application.evidence.all()):
        references = ", ".join(d.reference for d in check.deals)
        return _("This programme requires %(rule)s: cite one of these deals or its shipment: %(deals)s.") % {
            "rule": rule.lower(),
            "deals": references,
        }
    return ""


# ---------------------------------------------------------------------------
# One claim per shipment
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Claimed:
    """What an application's citations claim: shipments (ids and declaration numbers) and deals
    cited as a whole (which claim every shipment of theirs)."""

    shipment_ids: frozenset[int]
    numbers: frozenset[str]
    whole_deals: frozenset[int]
    deals: frozenset[int]

    @property
    def empty(self) -> bool:
        return not self.deals


def claimed_by(application: Application) -> Claimed:
    rows = list(application.evidence.all())
    whole = frozenset(r.deal_id for r in rows if r.shipment_id is None)
    cited = {r.shipment_id for r in rows if r.shipment_id is not None}
    shipments = Shipment.objects.filter(Q(pk__in=cited) | Q(deal_id__in=whole)).values_list(
        "pk", "declaration_number"
    )
    pairs = list(shipments)
    return Claimed(
        shipment_ids=frozenset(pk for pk, _n in pairs),
        numbers=frozenset(n for _pk, n in ((pk, normalized(n)) for pk, n in pairs) if n),
        whole_deals=whole,
        deals=frozenset(r.deal_id for r in rows),
    )


def lock_cited(application: Application) -> Claimed:
    """Lock the cited deals, then the claimed shipments (and any other shipment with the same
    declaration number), each in primary-key order, so two decisions over the same export wait
    for each other without a deadlock. Call inside the workflow's transaction, after its locks."""
    claimed = claimed_by(application)
    if claimed.empty:
        return claimed
    list(Deal.objects.select_for_update().filter(pk__in=claimed.deals).order_by("pk").values_list("pk"))
    list(
        Shipment.objects.select_for_update()
        .alias(number=Upper(Trim("declaration_number")))
        .filter(Q(pk__in=claimed.shipment_ids) | Q(number__in=claimed.numbers))
        .order_by("pk")
        .values_list("pk")
    )
    return claimed


def refuse_uncitable(claimed: Claimed) -> None:
    """Refuse when a cited deal is no longer contracted, shipped, paid or closed (marked lost, say,
    since it was cited). Call after `lock_cited`: the deals are locked, so none changes until the
    decision commits, and this read sees what the last change to them wrote."""
    if claimed.empty:
        return
    gone = list(
        Deal.objects.filter(pk__in=claimed.deals)
        .exclude(status__in=CITABLE_DEAL_STATES)
        .only("reference", "status")
        .order_by("reference")
    )
    if not gone:
        return
    deals = ", ".join(f"{LTR}{deal.reference}{END} ({deal.get_status_display()})" for deal in gone)
    message = ngettext(
        "Deal %(deals)s is no longer contracted, shipped or paid: only agreed deals back an "
        "application. Remove it from this application's evidence.",
        "Deals %(deals)s are no longer contracted, shipped or paid: only agreed deals back an "
        "application. Remove them from this application's evidence.",
        len(gone),
    )
    raise ValidationError(message % {"deals": deals}, code="evidence_uncitable")


def refuse_double_claim(
    application: Application, states: Iterable[str], claimed: Claimed | None = None
) -> None:
    """Refuse when another application in one of `states` cites a shipment this one claims (the
    same row, or the same export declaration number), or a deal this one cites as a whole."""
    claimed = claimed or claimed_by(application)
    if claimed.empty:
        return
    others = (
        ApplicationEvidence.objects.filter(application__status__in=list(states))
        .exclude(application_id=application.pk)
        .alias(
            number=Upper(Trim("shipment__declaration_number")),
            deal_number=Upper(Trim("deal__shipments__declaration_number")),
        )
    )
    whole = Q(shipment__isnull=True) & (
        Q(deal__shipments__in=claimed.shipment_ids) | Q(deal_number__in=claimed.numbers)
    )
    overlap = (
        Q(shipment_id__in=claimed.shipment_ids)
        | Q(number__in=claimed.numbers)
        | Q(deal_id__in=claimed.whole_deals)
        | whole
    )
    clash = others.filter(overlap).select_related("application", "deal", "shipment").order_by("pk").first()
    if clash is None:
        return
    raise ValidationError(
        _(
            "%(export)s already backs application %(reference)s (%(status)s): one export backs one "
            "application. Remove it from this application's evidence."
        )
        % {
            "export": (
                _("Shipment %(number)s of deal %(deal)s")
                % {"number": clash.shipment.declaration_number, "deal": clash.deal.reference}
                if clash.shipment_id
                else _("Deal %(deal)s") % {"deal": clash.deal.reference}
            ),
            "reference": clash.application.reference or "—",
            "status": clash.application.get_status_display(),
        },
        code="double_claim",
    )


# ---------------------------------------------------------------------------
# Reading the evidence (the applicant's page, the reviewers' admin)
# ---------------------------------------------------------------------------
@dataclass
class CitedDeal:
    """One cited deal with what of it is cited: the whole deal, or some of its shipments."""

    deal: Deal
    whole: bool = False
    shipments: list[Shipment] = field(default_factory=list)


def cited_deals(application: Application) -> list[CitedDeal]:
    """The application's citations grouped by deal (two queries: the citations with their deals
    and shipments, and the shipments of deals cited as a whole)."""
    rows = list(
        application.evidence.select_related("deal__buyer_country", "deal__destination", "shipment").order_by(
            "deal__reference", "shipment__shipped_on", "pk"
        )
    )
    grouped: dict[int, CitedDeal] = {}
    for row in rows:
        entry = grouped.setdefault(row.deal_id, CitedDeal(row.deal))
        if row.shipment_id is None:
            entry.whole = True
        else:
            entry.shipments.append(row.shipment)
    whole = [entry for entry in grouped.values() if entry.whole]
    if whole:
        by_deal: dict[int, list[Shipment]] = {}
        for shipment in Shipment.objects.filter(deal_id__in=[e.deal.pk for e in whole]).order_by(
            "shipped_on", "pk"
        ):
            by_deal.setdefault(shipment.deal_id, []).append(shipment)
        for entry in whole:
            entry.shipments = by_deal.get(entry.deal.pk, [])
    return list(grouped.values())


def evidence_choices(company: Company | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The form's choices, grouped by deal: "d<id>" cites the deal as a whole, "s<id>" one shipment
    (two queries)."""
    deals = list(citable_deals(company).select_related("destination").order_by("-created_at", "-pk"))
    shipments: dict[int, list[Shipment]] = {}
    for shipment in Shipment.objects.filter(deal__in=deals).order_by("shipped_on", "pk"):
        shipments.setdefault(shipment.deal_id, []).append(shipment)
    from portal.templatetags.portal_tags import jdate

    groups = []
    for deal in deals:
        label = (
            f"{deal.reference} · {deal.buyer_name} · {deal.destination.name} · {deal.get_status_display()}"
        )
        options = [(f"d{deal.pk}", _("The whole deal"))]
        options += [
            (
                f"s{s.pk}",
                _("Shipment %(number)s of %(date)s")
                % {"number": f"{LTR}{s.declaration_number}{END}", "date": jdate(s.shipped_on)},
            )
            for s in shipments.get(deal.pk, [])
        ]
        groups.append((label, options))
    return groups


def items_from_values(company: Company | None, values: Iterable[str]) -> list[Cited]:
    """The company's citable deals and shipments named by the form's values ("d<id>", "s<id>")."""
    deal_ids = {int(v[1:]) for v in values if v.startswith("d") and v[1:].isdigit()}
    shipment_ids = {int(v[1:]) for v in values if v.startswith("s") and v[1:].isdigit()}
    deals = list(citable_deals(company).filter(pk__in=deal_ids))
    shipments = list(citable_shipments(company).filter(pk__in=shipment_ids).select_related("deal"))
    return [*deals, *shipments]


def values_of(application: Application) -> list[str]:
    return [f"s{r.shipment_id}" if r.shipment_id else f"d{r.deal_id}" for r in application.evidence.all()]


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------
def can_see_cited_file(user: object, name: str) -> bool:
    """A shipment's invoice or bill of lading, for staff who may open an application citing that
    shipment (or its deal as a whole): support.permissions.applications_for_staff. Not other
    shipments of the same deal cited by shipment, nor any uncited one."""
    from .permissions import applications_for_staff

    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return False
    named = Q(invoice=name) | Q(transport_document=name)
    shipments = Shipment.objects.filter(named).values("pk", "deal_id")
    citing = Application.objects.filter(
        Q(evidence__shipment__in=shipments.values("pk"))
        | Q(evidence__shipment__isnull=True, evidence__deal__in=shipments.values("deal_id"))
    )
    return applications_for_staff(user, citing).exists()
