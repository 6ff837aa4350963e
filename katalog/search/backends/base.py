"""What every engine implements, and the document form they all receive."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from katalog.search.analysis import Clause, analyze
from katalog.search.ranking import preference
from katalog.search.types import SearchDocument, SearchFilters, SearchResult, Sort, to_sen

# Product ids up to 2**30 order correctly in the single integer key Tantivy sorts on.
NEWEST_ID_BITS = 30


@dataclass(frozen=True)
class PreparedDocument:
    """A SearchDocument after analysis: what an engine stores. Built once, by `prepare`."""

    doc: SearchDocument
    name_terms: str
    body_terms: str
    price_sen: int
    listed_s: int
    # 0..7 (katalog/search/ranking.py): the order among results of equal text relevance.
    preference: int = 0

    @property
    def newest_key(self) -> int:
        return (self.listed_s << NEWEST_ID_BITS) | (self.doc.product_id & ((1 << NEWEST_ID_BITS) - 1))


def prepare(doc: SearchDocument) -> PreparedDocument:
    """Analyze a document once so every engine indexes exactly the same terms."""
    return PreparedDocument(
        doc=doc,
        name_terms=" ".join(analyze(doc.name)),
        body_terms=" ".join(analyze(doc.description)),
        price_sen=to_sen(doc.price),
        listed_s=int(doc.listed_at.timestamp()),
        preference=preference(doc),
    )


@dataclass(frozen=True)
class SearchPlan:
    """A query ready for an engine: `raw` is whatever the engine runs (SQL and parameters, or
    Tantivy query objects), kept so the benchmark can time the engine alone."""

    tenant_id: int
    clauses: tuple[Clause, ...]
    filters: SearchFilters
    sort: Sort
    offset: int
    limit: int
    raw: Any = None
    # Relaxed matching: a document matches when it matches at least this many clauses (0 = all of them).
    min_match: int = 0
    # Which of the seven daily orders breaks the remaining ties (katalog/search/ranking.py).
    rotation_day: int = 0
    # A relaxed plan's documents by matched-clauses mask ({mask: count}, every filter applied), as
    # `clause_masks` counted them at the relaxation floor: an engine may use it to read only the
    # clause combinations that occur (the same documents). None when not known.
    masks: dict[int, int] | None = None

    @property
    def required(self) -> int:
        """How many clauses a document must match."""
        return self.min_match or len(self.clauses)


class SearchBackend(ABC):
    """An engine. It matches and counts the analyzed terms it is given; it never analyzes."""

    name: str

    @abstractmethod
    def index(self, docs: Sequence[PreparedDocument]) -> None:
        """Insert or replace these documents (keyed by tenant and product id)."""

    @abstractmethod
    def remove(self, tenant_id: int, product_ids: Sequence[int]) -> None:
        """Remove documents; unknown ids are ignored."""

    @abstractmethod
    def clear(self, tenant_id: int) -> None:
        """Remove every document of one tenant (before a rebuild)."""

    def rebuild(self, tenant_id: int, batches: Iterable[Sequence[PreparedDocument]]) -> int:
        """Replace a tenant's documents; engines that can make it one atomic switch override this."""
        self.clear(tenant_id)
        total = 0
        for batch in batches:
            self.index(batch)
            total += len(batch)
        return total

    @abstractmethod
    def plan(self, plan: SearchPlan) -> SearchPlan:
        """Compile the clauses, filters and order into the engine's own query."""

    @abstractmethod
    def execute(self, plan: SearchPlan) -> SearchResult:
        """Run a compiled plan and shape the result."""

    def execute_unless_fewer(self, plan: SearchPlan, at_least: int) -> SearchResult | None:
        """`execute(plan)`, or None when fewer than `at_least` documents match: the caller then
        relaxes the query and has no use for this plan's page or facets, which an engine that can
        count first need not compute."""
        result = self.execute(plan)
        return result if result.count >= at_least else None

    @abstractmethod
    def execute_raw(self, plan: SearchPlan) -> object:
        """Run only the engine's own calls for a plan (for the benchmark): no analysis, no shaping."""

    def clause_masks(self, plan: SearchPlan) -> dict[int, int] | None:
        """For relaxed matching: the documents that match at least one clause of `plan` and every
        filter, counted by which clauses they match, as {mask: count} where bit i of mask is clause i
        (plan.clauses order). `selectors.search` derives from it the relaxed level and the clauses
        left out, and then runs the plan at that level. None means the engine has no such count;
        the selectors then relax by running the plan at each level (same result, more work, and
        without `left_out`)."""
        return None
