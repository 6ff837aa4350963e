"""GET /api/v1/suggestions?q=: what the search box offers as the buyer types (public)."""

from ninja import Query, Router, Schema

from katalog.core.bounds import SearchText
from katalog.core.errors import NotFound

from .suggestions import suggestion_items

router = Router(tags=["products"])


class SuggestionQuery(Schema):
    q: SearchText  # required; at most 200 characters (422 otherwise)


class SuggestionOut(Schema):
    kind: str  # product | category | vendor
    label: str
    url: str  # the page picking it opens: a search, a category, a storefront
    id: int | None  # the category's or vendor's id; none for a product name


class SuggestionList(Schema):
    query: str
    suggestions: list[SuggestionOut]


@router.get("", response=SuggestionList, auth=None)
def list_suggestions(request, params: Query[SuggestionQuery]):
    """Product names, categories and vendors for a partly typed query (the last word is a prefix,
    earlier words are corrected when misspelt). Fewer than 2 letters give an empty list."""
    katalog = request.katalog
    if not katalog:
        raise NotFound()
    return {"query": params.q, "suggestions": suggestion_items(katalog, params.q)}
