"""Reads of the catalog."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from onewindow.hall.models import ServiceArea

from .models import LifeEvent


def themes_with_counts() -> QuerySet[ServiceArea]:
    """The district hall's service areas with the number of published matters each accepts."""
    return (
        ServiceArea.objects.filter(point__org_unit__kind="government")
        .annotate(matter_count=Count("matters", filter=Q(matters__current_version__isnull=False)))
        .order_by("sort_order")
    )


def life_events() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.all()
