"""Code that names features by slug names ones the dataset has: a renamed feature
fails here, not silently as a zero score or a missing compare row."""

from app.enums import Criterion
from app.matrix.service import SUPPORT_ROWS
from app.recommendations import scoring
from app.seed.load import read_dataset
from tests.conftest import SEED


def test_every_feature_the_scorer_or_compare_names_exists() -> None:
    known = {f.slug for f in read_dataset(SEED).features}
    named = {
        "scoring.FEATURE_CRITERIA": {f for w in scoring.FEATURE_CRITERIA.values() for f in w},
        "scoring.BATTERIES": set(scoring.BATTERIES),
        "scoring.OPTIONAL_LAYERS": set(scoring.OPTIONAL_LAYERS),
        "matrix SUPPORT_ROWS": {slug for slug, _label in SUPPORT_ROWS},
    }
    missing = {where: sorted(slugs - known) for where, slugs in named.items() if slugs - known}
    assert not missing


def test_the_criteria_are_one_list() -> None:
    assert tuple(c.value for c in Criterion) == scoring.CRITERIA
    assert set(scoring.FEATURE_CRITERIA) <= set(scoring.CRITERIA)
    assert set(scoring.CRITERIA) <= set(scoring.LABELS)
