"""Closed vocabularies shared by the tables, the API schemas and the seed files."""

from enum import StrEnum


class Classification(StrEnum):
    micro = "micro"
    full_stack = "full-stack"
    api = "api"
    platform = "platform"


class Interface(StrEnum):
    wsgi = "wsgi"
    asgi = "asgi"
    both = "both"
    native = "native"  # its own server, neither WSGI nor ASGI


class LearningCurve(StrEnum):
    gentle = "gentle"
    moderate = "moderate"
    steep = "steep"


class Lifecycle(StrEnum):
    active = "active"
    maintenance = "maintenance"
    deprecated = "deprecated"


class SupportLevel(StrEnum):
    built_in = "built_in"
    extension = "extension"
    partial = "partial"
    none = "none"
    unknown = "unknown"


class SourceKind(StrEnum):
    article = "article"
    documentation = "documentation"
    benchmark_suite = "benchmark-suite"
    measured = "measured"


class ClaimKind(StrEnum):
    pro = "pro"
    con = "con"
    verdict = "verdict"
    fact = "fact"


class Aspect(StrEnum):
    """What a `fact` claim is about: the rows of the seed articles' comparison tables."""

    type = "type"
    release_year = "release_year"
    philosophy = "philosophy"
    learning_curve = "learning_curve"
    performance = "performance"
    async_support = "async_support"
    validation = "validation"
    orm = "orm"
    admin_panel = "admin_panel"
    api_docs = "api_docs"
    best_for = "best_for"
    language_version = "language_version"


class UseCaseLinkKind(StrEnum):
    use_case = "use_case"
    decision_rule = "decision_rule"


class TestType(StrEnum):
    __test__ = False  # not a pytest class

    json = "json"
    plaintext = "plaintext"
    db = "db"
    query = "query"
    fortune = "fortune"
    update = "update"
    cached_query = "cached-query"
    unspecified = "unspecified"


class ConsiderationKind(StrEnum):
    gain = "gain"
    cost = "cost"
    note = "note"


class Effort(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"
    unknown = "unknown"


class Criterion(StrEnum):
    performance = "performance"
    async_ = "async"
    batteries_included = "batteries_included"
    flexibility = "flexibility"
    ease_of_learning = "ease_of_learning"
    api_docs = "api_docs"
    admin = "admin"
    security = "security"
    ecosystem = "ecosystem"
    maintenance = "maintenance"


class TeamExperience(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    expert = "expert"
