"""Properties of the pure scorer that must hold for any data."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.recommendations import scoring
from app.recommendations.scoring import FrameworkFacts, Query, Support

LEVELS = ["built_in", "extension", "partial", "none", "unknown"]
FEATURES = ["async-views", "openapi-docs", "admin-panel", "orm", "templating", "csrf-protection"]


@st.composite
def framework(draw: st.DrawFn, slug: str) -> FrameworkFacts:
    return FrameworkFacts(
        slug=slug,
        name=slug.title(),
        classification=draw(st.sampled_from(["micro", "api", "full-stack", None])),
        learning_curve=draw(st.sampled_from(["gentle", "moderate", "steep", None])),
        lifecycle="active",
        lifecycle_note=None,
        support={
            f: Support(draw(st.sampled_from(LEVELS)), ("pkg",) if draw(st.booleans()) else ())
            for f in FEATURES
        },
        relative_speed=draw(st.one_of(st.none(), st.floats(0.05, 1.0))),
    )


weights = st.fixed_dictionaries({c: st.integers(0, 5) for c in scoring.CRITERIA})


@settings(max_examples=150, deadline=None)
@given(
    a=framework("alpha"),
    b=framework("beta"),
    w=weights,
    criterion=st.sampled_from(scoring.CRITERIA),
)
def test_raising_a_weight_never_costs_ground_on_that_criterion(
    a: FrameworkFacts, b: FrameworkFacts, w: dict[str, int], criterion: str
) -> None:
    def standing(weights: dict[str, int]) -> dict[str, scoring.Ranked]:
        ranked, _ = scoring.rank([a, b], Query(weights=weights))
        return {r.framework.slug: r for r in ranked}

    before = standing(w)
    max_via = max(len({p for s in fw.support.values() for p in s.via}) for fw in (a, b))
    crit = {
        fw.slug: scoring.criterion_score(fw, criterion, Query(weights=w), max_via)[0]
        for fw in (a, b)
    }
    if w[criterion] == 5 or crit["alpha"] == crit["beta"]:
        return
    better, worse = ("alpha", "beta") if crit["alpha"] > crit["beta"] else ("beta", "alpha")
    after = standing({**w, criterion: w[criterion] + 1})
    gap_before = before[better].score - before[worse].score
    gap_after = after[better].score - after[worse].score
    assert gap_after >= min(gap_before, 0) - 0.02  # rounding to 2 decimals per part
    if gap_before > 0:
        assert gap_after > -0.02


@given(a=framework("alpha"), b=framework("beta"))
def test_a_must_have_nobody_has_excludes_everyone(a: FrameworkFacts, b: FrameworkFacts) -> None:
    ranked, excluded = scoring.rank([a, b], Query(weights={"admin": 1}, must_have=("nonesuch",)))
    assert ranked == []
    assert [(e.framework, e.lacking) for e in excluded] == [
        ("alpha", ("nonesuch",)),
        ("beta", ("nonesuch",)),
    ]


def test_ties_are_broken_by_slug() -> None:
    def bare(slug: str) -> FrameworkFacts:
        return FrameworkFacts(
            slug=slug,
            name=slug.title(),
            classification=None,
            learning_curve=None,
            lifecycle="active",
            lifecycle_note=None,
            support={},
        )

    ranked, _ = scoring.rank([bare("zeta"), bare("alpha")], Query(weights={"admin": 1}))
    assert [r.framework.slug for r in ranked] == ["alpha", "zeta"]
    assert ranked[0].score == ranked[1].score


def test_effective_weights_layer_preset_priorities_and_experience() -> None:
    weights = scoring.effective_weights(
        {"admin": 5, "ease_of_learning": 1}, {"admin": 2}, "beginner"
    )
    assert weights["admin"] == 2
    assert weights["ease_of_learning"] == 3
    assert scoring.effective_weights({}, {}, None) == dict.fromkeys(scoring.CRITERIA, 1)
    assert scoring.effective_weights({"ease_of_learning": 1}, {}, "expert")["ease_of_learning"] == 0
