"""Fill the database with realistic bilingual demo data; safe to run again.

Each installed app may provide a `demo` module with `seed(*, stdout) -> None`; they run in
INSTALLED_APPS order, which is also the dependency order (portal, companies, products, ...).
They replay the demo's history through the services at past moments (portal.demo.replayed_at).
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.demo import pages_stale_once


class Command(BaseCommand):
    help = "Create demo countries, accounts and data for every app. Idempotent."

    def handle(self, *args: object, **options: object) -> None:
        with pages_stale_once():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                with transaction.atomic():
                    import_module(module_name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
