"""Who may read a page: the view restrictions on it and its ancestors, as data.

An audience is a list of clauses, one per view restriction; a caller must satisfy every clause.
`[]` is public. Clauses: `{"kind": "groups", "groups": [ids]}` (member of any of the groups),
`{"kind": "login"}` (any authenticated caller), `{"kind": "password"}` (a shared password:
never served by the API, since a token cannot carry it).
"""

from dataclasses import dataclass, field

from wagtail.models import Page, PageViewRestriction

Audience = list[dict]
PUBLIC: Audience = []


@dataclass(frozen=True)
class Caller:
    """Who is asking: anonymous, or the user behind an API token and their groups."""

    authenticated: bool = False
    group_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def for_user(cls, user) -> "Caller":
        if user is None or not user.is_authenticated:
            return ANONYMOUS
        return cls(
            authenticated=True, group_ids=frozenset(user.groups.values_list("id", flat=True))
        )


ANONYMOUS = Caller()


def restriction_clause(restriction: PageViewRestriction) -> dict:
    """Describe one view restriction as an audience clause."""
    if restriction.restriction_type == PageViewRestriction.GROUPS:
        return {"kind": "groups", "groups": sorted(g.pk for g in restriction.groups.all())}
    if restriction.restriction_type == PageViewRestriction.LOGIN:
        return {"kind": "login"}
    return {"kind": "password"}


def audience_for_page(page: Page) -> Audience:
    """Return the audience of a saved page, from restrictions on it and its ancestors."""
    if not page.path:
        return PUBLIC
    restrictions = (
        PageViewRestriction.objects.filter(page__path__in=_ancestor_paths(page.path))
        .prefetch_related("groups")
        .order_by("page__depth")
    )
    return _unique([restriction_clause(r) for r in restrictions])


def audience_allows(audience: Audience, caller: Caller) -> bool:
    """Return whether the caller satisfies every clause of the audience."""
    for clause in audience:
        kind = clause["kind"]
        if kind == "password" or not caller.authenticated:
            return False
        if kind == "groups" and not caller.group_ids.intersection(clause["groups"]):
            return False
    return True


def audience_covers(reader: Audience, target: Audience) -> bool:
    """Return whether everyone who may read `reader` may also read `target`.

    True when each of the target's clauses also binds the reader, so a link or an embedded
    summary never shows a reader something they could not fetch.
    """
    return all(clause in reader for clause in target if clause["kind"] != "password") and not any(
        clause["kind"] == "password" for clause in target
    )


def _ancestor_paths(path: str) -> list[str]:
    steplen = Page.steplen
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


def _unique(clauses: list[dict]) -> list[dict]:
    unique: list[dict] = []
    for clause in clauses:
        if clause not in unique:
            unique.append(clause)
    return unique
