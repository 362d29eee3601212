"""The vectorised ranker must agree with the pure scorer, answer for answer."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.recommendations import scoring
from app.recommendations.scoring import Query
from app.recommendations.table import Ranker, Table
from tests.recommendations.test_scoring import FEATURES, framework, weights

SLUGS = ["alpha", "beta", "delta", "epsilon", "gamma", "zeta"]


@settings(max_examples=200, deadline=None)
@given(
    facts=st.tuples(*(framework(s) for s in SLUGS)),
    w=weights,
    must=st.lists(st.sampled_from(FEATURES), max_size=2, unique=True),
    nice=st.lists(st.sampled_from([*FEATURES, "not-described"]), max_size=3, unique=True),
    allow=st.booleans(),
    limit=st.integers(1, 7),
)
def test_the_ranker_agrees_with_the_pure_scorer(
    facts: tuple[scoring.FrameworkFacts, ...],
    w: dict[str, int],
    must: list[str],
    nice: list[str],
    allow: bool,
    limit: int,
) -> None:
    q = Query(
        weights=scoring.effective_weights(w, {}, None),
        must_have=tuple(must),
        nice_to_have=tuple(nice),
        allow_extensions=allow,
    )
    ranked, excluded = scoring.rank(list(facts), q)
    ranker = Ranker(Table.from_facts(list(facts)), q)
    fast = ranker.top(limit)
    assert [(r.framework.slug, r.score) for r in fast] == [
        (r.framework.slug, r.score) for r in ranked[:limit]
    ]
    assert [(p.criterion, p.score) for r in fast for p in r.parts] == [
        (p.criterion, p.score) for r in ranked[:limit] for p in r.parts
    ]
    assert ranker.excluded() == excluded
    assert ranker.sensitivity() == scoring.sensitivity(list(facts), q)
