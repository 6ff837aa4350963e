"""Tables of the search app. Tenants are plain integers here on purpose: this app must not
depend on the models of the apps that feed it."""

from django.db import models


class Synonym(models.Model):
    """A tenant's equivalence, applied in both directions at query time (no re-index needed):
    `ATK` = `alat tulis kantor`."""

    tenant_id = models.IntegerField(db_index=True)
    term = models.CharField(max_length=100)
    expansion = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant_id", "term", "expansion"], name="search_synonym_unique")]

    def __str__(self) -> str:
        return f"{self.term} = {self.expansion}"


class SearchTerm(models.Model):
    """The words each tenant's index has seen, with their stems: the dictionary that typo
    tolerance corrects against. Shared by every backend so all backends correct alike."""

    tenant_id = models.IntegerField()
    word = models.CharField(max_length=40)
    stem = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant_id", "word"], name="search_term_unique")]

    def __str__(self) -> str:
        return f"{self.word} -> {self.stem}"


class SearchOutbox(models.Model):
    """A product whose search entry must be refreshed. Written in the same transaction as the
    product change, drained by `apply_outbox`, so the index never misses a committed change."""

    tenant_id = models.IntegerField()
    product_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.product_id}"
