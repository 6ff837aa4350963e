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


class ZeroResultQuery(models.Model):
    """How often a query found nothing, per tenant and ISO week ("2026-W48"): what the Pengelola reads
    to add synonyms. One tiny counter write per zero-result search (docs/search.md, "Zero results")."""

    tenant_id = models.IntegerField()
    week = models.CharField(max_length=8)
    query = models.CharField(max_length=100)  # normalized: lower case, single spaces
    count = models.PositiveIntegerField(default=0)
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant_id", "week", "query"], name="search_zero_result_unique")]

    def __str__(self) -> str:
        return f"{self.week} {self.query} ({self.count})"


class SuggestionKind(models.TextChoices):
    PRODUCT = "p", "product"
    CATEGORY = "c", "category"
    VENDOR = "v", "vendor"


class Suggestion(models.Model):
    """One thing a buyer may pick while typing: a product name (shared by every product of that name;
    `weight` = how many indexed products carry it), a category or a vendor (`target_id`)."""

    tenant_id = models.IntegerField()
    kind = models.CharField(max_length=1, choices=SuggestionKind.choices)
    phrase = models.CharField(max_length=120)  # the normalized label: what makes two names the same
    label = models.CharField(max_length=200)
    target_id = models.BigIntegerField(null=True)
    weight = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant_id", "kind", "phrase"], name="search_suggestion_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.label}"


class SuggestionKey(models.Model):
    """A normalized prefix key of a suggestion: its phrase from each word start on ("kemeja batik pria",
    "batik pria", "pria"), cut to KEY_LENGTH. A typed prefix is one range scan of this index."""

    KEY_LENGTH = 40

    tenant_id = models.IntegerField()
    key = models.CharField(max_length=KEY_LENGTH)
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="keys")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "key", "suggestion"], name="search_suggestion_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class SuggestionSource(models.Model):
    """Which product-name suggestion each indexed product holds up, so that a product renamed or
    removed lowers the old name's weight (and a name no product carries any more disappears)."""

    tenant_id = models.IntegerField()
    product_id = models.BigIntegerField()
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="sources")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "product_id"], name="search_suggestion_source_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.product_id}"
