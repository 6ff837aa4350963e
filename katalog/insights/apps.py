from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall_triggers(sender, using="default", **kwargs):
    """After every migrate (and every `flush`, which sends the same signal), put the vendor-rollup
    triggers back and recount the rollups: on SQLite a migration that alters the vendors table
    rebuilds it without its triggers, and `flush` empties the tables one by one with DELETE, whose
    triggers would leave counts below zero in a rollup emptied first (docs/performance.md)."""
    from django.db import connections

    from . import vendor_rollups

    conn = connections[using]
    if conn.vendor not in ("sqlite", "postgresql"):
        return
    tables = set(conn.introspection.table_names())
    if {"vendors_vendor", "insights_vendorrollup", "insights_registryfingerprint"} <= tables:
        vendor_rollups.install_triggers(conn)
        if using == "default":
            vendor_rollups.rebuild()


class InsightsConfig(AppConfig):
    name = "katalog.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self):
        post_migrate.connect(_reinstall_triggers, sender=self, dispatch_uid="insights_vendor_rollup_triggers")
