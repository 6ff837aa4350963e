"""Chain the audit entries written before the log was tamper-evident: per tenant, in id order, each
entry gets the hash of the one before it and its own. Their actor's name is taken as it is now (the
name at the time was not kept); their address is unknown (empty)."""

from django.db import migrations


def chain(apps, schema_editor):
    from katalog.core.audit import chain_key, entry_hash

    AuditLog = apps.get_model("core", "AuditLog")
    AuditChain = apps.get_model("core", "AuditChain")
    db = schema_editor.connection.alias
    heads = {}
    for entry in AuditLog.objects.using(db).select_related("actor").order_by("id").iterator(chunk_size=2000):
        key = chain_key(entry.katalog_id)
        last_hash, count = heads.get(key, ("", 0))
        if entry.actor_id and not entry.actor_name:
            # A historical model has no get_full_name(): core/audit.actor_name's rule, spelt out.
            full = f"{entry.actor.first_name} {entry.actor.last_name}".strip()
            entry.actor_name = f"{full} ({entry.actor.username})" if full else entry.actor.username
        entry.prev_hash = last_hash
        entry.hash = entry_hash(entry)
        AuditLog.objects.using(db).filter(pk=entry.pk).update(
            actor_name=entry.actor_name, prev_hash=entry.prev_hash, hash=entry.hash
        )
        heads[key] = (entry.hash, count + 1)
    for key, (last_hash, count) in heads.items():
        AuditChain.objects.using(db).update_or_create(key=key, defaults={"last_hash": last_hash, "count": count})


class Migration(migrations.Migration):
    dependencies = [("core", "0006_audit_chain_and_actor_details")]

    operations = [migrations.RunPython(chain, migrations.RunPython.noop)]
