"""The aggregate results for staff: /api/v1/results/ with the dashboard's filters as parameters."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .figures import staff_results
from .forms import ResultsFilterForm
from .permissions import SeesResults
from .serializers import ResultsSerializer

CALENDARS = ("gregorian", "jalali")


class ResultsApi(APIView):
    """Export results (programme managers): value by country, category, company, brokerage and
    month, the funnel, lost reasons and each programme's support against its companies' exports."""

    permission_classes = [SeesResults]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (ISO, or Jalali 1405/01/01)"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, included"),
            OpenApiParameter("programme", OpenApiTypes.INT, description="A support programme's id"),
            OpenApiParameter("country", OpenApiTypes.INT, description="A destination country's id"),
            OpenApiParameter(
                "calendar", OpenApiTypes.STR, enum=CALENDARS, description="Months by (default gregorian)"
            ),
        ],
        responses=ResultsSerializer,
    )
    def get(self, request: Request) -> Response:
        form = ResultsFilterForm(request.query_params)
        calendar = request.query_params.get("calendar", "gregorian")
        if not form.is_valid() or calendar not in CALENDARS:
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            if calendar not in CALENDARS:
                errors["calendar"] = [f"One of: {', '.join(CALENDARS)}."]
            raise serializers.ValidationError(errors)
        figures = staff_results(form.results_filter(), jalali=calendar == "jalali")
        return Response(ResultsSerializer(figures).data)
