"""Closed vocabularies shared by the tables, the API schemas and the seed files."""

from enum import StrEnum


class Classification(StrEnum):
    micro = "micro"
    full_stack = "full-stack"
    api = "api"
    platform = "platform"


class Language(StrEnum):
    python = "python"
    javascript = "javascript"
    typescript = "typescript"
    go = "go"
    java = "java"
    kotlin = "kotlin"
    ruby = "ruby"
    php = "php"
    csharp = "csharp"
    rust = "rust"
    elixir = "elixir"


LANGUAGE_NAMES = {
    "python": "Python",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "go": "Go",
    "java": "Java",
    "kotlin": "Kotlin",
    "ruby": "Ruby",
    "php": "PHP",
    "csharp": "C#",
    "rust": "Rust",
    "elixir": "Elixir",
}


class Ecosystem(StrEnum):
    """A package registry's namespace: where a `packages` or `via` name is looked up."""

    pypi = "pypi"
    npm = "npm"
    go = "go"
    maven = "maven"
    rubygems = "rubygems"
    packagist = "packagist"
    nuget = "nuget"
    crates = "crates"
    hex = "hex"


# The ecosystem a framework's names are in when it lists no `packages` of its own.
DEFAULT_ECOSYSTEM = {
    Language.python: Ecosystem.pypi,
    Language.javascript: Ecosystem.npm,
    Language.typescript: Ecosystem.npm,
    Language.go: Ecosystem.go,
    Language.java: Ecosystem.maven,
    Language.kotlin: Ecosystem.maven,
    Language.ruby: Ecosystem.rubygems,
    Language.php: Ecosystem.packagist,
    Language.csharp: Ecosystem.nuget,
    Language.rust: Ecosystem.crates,
    Language.elixir: Ecosystem.hex,
}


class Interface(StrEnum):
    """The server interface an application speaks, in its language."""

    wsgi = "wsgi"
    asgi = "asgi"
    both = "both"  # WSGI and ASGI
    native = "native"  # only its own server, none of the interfaces below
    node_http = "node-http"  # a request listener for Node's http module
    fetch = "fetch"  # a function from a Web-standard Request to a Response
    http_handler = "http-handler"  # Go's net/http Handler
    tower = "tower"  # a Rust Tower Service
    rack = "rack"
    servlet = "servlet"
    reactive_streams = "reactive-streams"
    psr_15 = "psr-15"  # PSR-7 messages through PSR-15 handlers
    plug = "plug"


class ModuleFormat(StrEnum):
    """How a JavaScript package is loaded, from its manifest."""

    esm = "esm"
    commonjs = "commonjs"
    dual = "dual"  # both import and require


class ConcurrencyModel(StrEnum):
    """How the framework runs concurrent requests by default."""

    event_loop = "event-loop"  # one thread, an event loop (asyncio, Node, Bun)
    async_runtime = "async-runtime"  # futures on a multi-threaded runtime (Tokio)
    threads = "threads"  # an OS thread per request from a pool
    processes = "processes"  # a worker process per request at a time
    green_threads = "green-threads"  # runtime-scheduled lightweight threads (goroutines)
    virtual_threads = "virtual-threads"  # JVM virtual threads
    actors = "actors"  # a BEAM process per request


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
