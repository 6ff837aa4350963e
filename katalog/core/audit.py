"""The one way a service writes its audit entry."""

from typing import Any

from django.db import models

from .models import AuditLog, Katalog


def record(*, actor: Any, action: str, obj: models.Model, katalog: Katalog | None, **data: Any) -> AuditLog:
    """Write an audit entry inside the caller's transaction. `actor` may be None (the system)."""
    return AuditLog.objects.create(
        katalog=katalog,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data={
            k: (str(v) if not isinstance(v, int | float | bool | str | type(None) | list | dict) else v)
            for k, v in data.items()
        },
    )
