"""No N+1: the SQL a request runs does not grow with the rows behind its answer."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from app.db import pk
from app.enums import ClaimKind, Language, Lifecycle, SourceKind, SupportLevel, UseCaseLinkKind
from app.models import (
    Adopter,
    Claim,
    Feature,
    FeatureCategory,
    Framework,
    FrameworkUseCase,
    Source,
    SupportStatement,
    UseCase,
)

READS = (
    "/api/v1/frameworks/django",
    "/api/v1/frameworks?limit=100",
    "/api/v1/compare?frameworks=django,fastapi,flask",
    "/api/v1/matrix",
)
GROWN = ("django", "fastapi", "flask")


@pytest.fixture
def count_statements(
    client: Any, session: Session, connection: Any
) -> Iterator[Callable[[str], tuple[int, str]]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    def count(url: str) -> tuple[int, str]:
        client.app.cache.store.clear()  # a miss: the answer is built from the database
        session.expire_all()  # nothing already loaded spares a query
        seen.clear()
        response = client.get(url)
        assert response.status_code == 200, response.text
        return len(seen), response.text

    event.listen(connection, "before_cursor_execute", record)
    yield count
    event.remove(connection, "before_cursor_execute", record)


def grow(session: Session, per_framework: int) -> None:
    """Many more of every related row: features, statements, claims, adopters, use cases,
    sources, and frameworks for the lists."""
    sources = [
        Source(slug=f"grown-source-{i}", title=f"Grown source {i}", kind=SourceKind.documentation)
        for i in range(per_framework)
    ]
    category = session.exec(select(FeatureCategory)).first()
    assert category is not None
    features = [
        Feature(slug=f"grown-feature-{i}", name=f"Grown feature {i}", category_id=pk(category))
        for i in range(per_framework)
    ]
    use_case = UseCase(slug="grown-use-case", name="Grown use case", sources=sources[:3])
    session.add_all([*sources, *features, use_case])
    session.flush()
    extra = [
        Framework(
            slug=f"grown-{i}",
            name=f"Grown {i}",
            language=Language.python,
            lifecycle=Lifecycle.active,
        )
        for i in range(per_framework)
    ]
    session.add_all(extra)
    session.flush()
    grown = session.exec(select(Framework).where(Framework.slug.in_(GROWN))).all()  # type: ignore[attr-defined]
    for fw in [*grown, *extra]:
        for i, feature in enumerate(features):
            session.add(
                SupportStatement(
                    framework_id=pk(fw),
                    feature_id=pk(feature),
                    level=SupportLevel.extension,
                    via=[f"pkg-{i}"],
                    sources=sources[i % 3 : i % 3 + 2],
                )
            )
        for i in range(per_framework):
            session.add(
                Claim(
                    framework_id=pk(fw),
                    kind=(ClaimKind.pro, ClaimKind.con, ClaimKind.verdict)[i % 3],
                    text=f"grown claim {i}",
                    position=100 + i,
                    sources=sources[i : i + 2],
                )
            )
            session.add(
                Adopter(
                    framework_id=pk(fw), name=f"Adopter {i}", position=100 + i, sources=sources[:2]
                )
            )
            session.add(
                FrameworkUseCase(
                    framework_id=pk(fw),
                    use_case_id=pk(use_case),
                    kind=UseCaseLinkKind.decision_rule,
                    text=f"grown rule {i}",
                    position=100 + i,
                    sources=sources[:2],
                )
            )
    session.flush()


@pytest.mark.parametrize("url", READS)
def test_the_queries_a_read_runs_do_not_grow_with_its_rows(
    url: str, session: Session, count_statements: Callable[[str], tuple[int, str]]
) -> None:
    count_statements(url)  # values kept per dataset version are built once, here
    before, _ = count_statements(url)
    grow(session, per_framework=12)
    after, body = count_statements(url)
    assert "grown" in body  # the answer did take in the new rows
    assert after == before, f"{url}: {before} statements on the seed data, {after} with more rows"
    assert before <= 25, f"{url} runs {before} statements"
