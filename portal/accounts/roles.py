"""Helpers for data migrations that give role groups their admin permissions."""

from __future__ import annotations

from django.contrib.auth.management import create_permissions


def grant_permissions(apps, app_label: str, grants: dict[str, list[str]]) -> None:
    """Add `<app_label>` permissions (by codename) to the role groups named in `grants`."""
    # Permissions are normally created after all migrations ran; make sure these exist now.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"unknown permissions for {app_label}: {sorted(missing)}")
        group.permissions.add(*permissions)
