"""Lints that hold docs/data-policy.md: what a schema cannot say about levels and sources."""

from collections import defaultdict
from datetime import date, timedelta
from urllib.parse import urlsplit

from app.enums import DEFAULT_ECOSYSTEM, Ecosystem, Lifecycle, SourceKind, SupportLevel
from app.packages import name_problem, same_package
from app.seed.load import base_chain, statements
from app.seed.schema import Dataset, FrameworkIn, SourceIn, StatementIn
from app.sync.npm import FACTS as NPM_FACTS
from app.sync.pypi import SIGNALS

# Mirrors, aggregators, Q&A sites, blogs and tutorial farms: never a source of a statement
# (docs/data-policy.md, "What a source must be"). A host matches itself and its subdomains.
DENIED_HOSTS = frozenset(
    {
        "alternativeto.net",
        "anaconda.org",
        "awesomeopensource.com",
        "blogspot.com",
        "cnblogs.com",
        "csdn.net",
        "deps.dev",
        "dev.to",
        "docsearch.algolia.com",
        "fig.io",
        "fossies.org",
        "geeksforgeeks.org",
        "hashnode.dev",
        "javatpoint.com",
        "libraries.io",
        "manpages.ubuntu.com",
        "medium.com",
        "newreleases.io",
        "openhub.net",
        "packages.debian.org",
        "piwheels.org",
        "pyup.io",
        "quora.com",
        "reddit.com",
        "repology.org",
        "serverfault.com",
        "snyk.io",
        "socket.dev",
        "sourceforge.net",
        "stackexchange.com",
        "stackoverflow.com",
        "stackshare.io",
        "substack.com",
        "superuser.com",
        "tessl.io",
        "towardsdatascience.com",
        "tutorialspoint.com",
        "w3cschool.cn",
        "w3schools.com",
        "wordpress.com",
    }
)
# Where a repository, not a project, is the unit: a site key keeps its owner and name.
CODE_HOSTS = frozenset({"github.com", "gitlab.com", "codeberg.org", "bitbucket.org"})
# API documentation hosts shared by a whole ecosystem: the package is the unit, named by
# this many leading path segments (None: the whole path, as a Go module path is).
SHARED_DOC_HOSTS: dict[str, int | None] = {
    "docs.rs": 1,
    "pkg.go.dev": None,
    "hexdocs.pm": 1,
    "rubydoc.info": 2,  # /gems/<name>
    "javadoc.io": 3,  # /doc/<groupId>/<artifactId>
}
# What the package index may back: packaging facts, never a support level.
PACKAGING_ATTRIBUTES = frozenset(
    {"latest_version", "latest_release_date", "first_release_date", "license", "package"}
    | set(SIGNALS)
    | set(NPM_FACTS)
)
PACKAGE_INDEX_PREFIX = "package-index-"
STALE_AFTER = timedelta(days=3 * 365)


def denied(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in DENIED_HOSTS)


def site_key(url: str) -> str:
    """A page's site: its host, or host/owner/name on a code host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host in CODE_HOSTS:
        owner_name = [p for p in parts.path.split("/") if p][:2]
        return "/".join([host, *(p.lower() for p in owner_name)])
    if host == "raw.githubusercontent.com":
        owner_name = [p for p in parts.path.split("/") if p][:2]
        return "/".join(["github.com", *(p.lower() for p in owner_name)])
    if host in SHARED_DOC_HOSTS:
        segments = [p for p in parts.path.split("@")[0].split("/") if p]
        return "/".join([host, *segments[: SHARED_DOC_HOSTS[host]]])
    return host


def ecosystem(fw: FrameworkIn) -> Ecosystem:
    """The registry a framework's package names (its `via`) are looked up in."""
    return fw.packages[0].ecosystem if fw.packages else DEFAULT_ECOSYSTEM[fw.language]


def _standard_library(fw: FrameworkIn) -> bool:
    # Go's net/http is every Go framework's required dependency: its pages are not
    # another framework's site to the frameworks built over it.
    return (
        bool(fw.packages)
        and fw.packages[0].ecosystem is Ecosystem.go
        and ("." not in fw.packages[0].name.split("/")[0])
    )


def _own_sites(fw: FrameworkIn) -> set[str]:
    return {site_key(str(u)) for u in (fw.homepage, fw.documentation, fw.repository) if u}


def _level_conflicts(dataset: Dataset) -> list[str]:
    """The same package for the same feature gives the same level, unless noted."""
    named: dict[tuple[str, tuple[Ecosystem, str]], list[tuple[str, StatementIn]]] = defaultdict(
        list
    )
    for fw in dataset.frameworks:
        for feature, value in fw.support.items():
            for st in statements(value):
                for package in st.via:
                    key = same_package(ecosystem(fw), package.lower())
                    named[feature, key].append((fw.slug, st))
    problems = []
    for (feature, (_, package)), uses in sorted(named.items()):
        if len({st.level for _, st in uses}) < 2:
            continue
        levels = ", ".join(sorted(f"{slug}={st.level.value}" for slug, st in uses))
        for slug, st in uses:
            if package not in (st.notes or "").lower():
                problems.append(
                    f"framework {slug} support.{feature}: {package} gives different levels"
                    f" ({levels}); a note naming {package} must say why"
                )
    return sorted(set(problems))


def _statement_sources(
    at: str, st: StatementIn, sources: dict[str, SourceIn], fw: FrameworkIn
) -> list[str]:
    cited = [sources[s] for s in st.sources if s in sources]
    problems = []
    if cited and not any(s.url for s in cited):
        problems.append(f"{at}: rests only on sources without a URL")
    if (
        st.level is not SupportLevel.unknown
        and cited
        and not any(s.kind is SourceKind.documentation and s.url for s in cited)
    ):
        problems.append(f"{at}: needs a primary source (documentation, repository, changelog)")
    for src in cited:
        if src.kind in (SourceKind.benchmark_suite, SourceKind.measured):
            problems.append(f"{at}: {src.slug} is a {src.kind.value}, which backs benchmarks only")
        if src.slug.startswith(PACKAGE_INDEX_PREFIX):
            problems.append(f"{at}: {src.slug} backs packaging facts only, not support")
    return problems


def _foreign_site(
    at: str,
    st: StatementIn,
    sources: dict[str, SourceIn],
    allowed: set[str],
    owners: dict[str, str],
    packages: dict[str, str],
) -> list[str]:
    """A page on another framework's site backs this one's statement only through based_on,
    or when that framework is the extension the statement names in `via`."""
    via = {p.lower() for p in st.via}
    allowed = allowed | {key for key, owner in owners.items() if packages.get(owner) in via}
    problems = []
    for slug in st.sources:
        src = sources.get(slug)
        if src is None or src.url is None:
            continue
        key = site_key(str(src.url))
        if key in owners and key not in allowed:
            problems.append(f"{at}: {slug} is {owners[key]}'s site; cite it through based_on")
    return problems


def _inheritance(dataset: Dataset, by_slug: dict[str, FrameworkIn]) -> list[str]:
    problems = []
    for fw in dataset.frameworks:
        if fw.based_on is None:
            continue
        where = f"framework {fw.slug}"
        if fw.based_on == fw.slug:
            problems.append(f"{where}: based_on names itself")
            continue
        if fw.based_on not in by_slug:
            problems.append(f"{where}: based_on names unknown framework '{fw.based_on}'")
            continue
        chain = base_chain(by_slug, fw.slug)
        last = by_slug.get(chain[-1]) if chain else None
        if last is not None and last.based_on in {fw.slug, *chain}:
            problems.append(f"{where}: based_on makes a cycle ({' -> '.join([fw.slug, *chain])})")
            continue
        for feature, value in sorted(fw.support.items()):
            base = next((by_slug[b] for b in chain if feature in by_slug[b].support), None)
            if base is None:
                continue
            base_statement = statements(base.support[feature])[0]
            own = statements(value)[0]
            if own.level is base_statement.level:
                continue
            # An override says why, on a source of its own, not only the base's pages.
            if not (own.notes or "").strip() or set(own.sources) <= set(base_statement.sources):
                problems.append(
                    f"{where} support.{feature}: {own.level.value} overrides {base.slug}'s"
                    f" {base_statement.level.value}; give notes and a source of its own"
                )
    return problems


def policy_problems(dataset: Dataset, today: date) -> list[str]:
    """Every breach of the data policy a lint can see, one message each."""
    sources = {s.slug: s for s in dataset.sources}
    by_slug = {f.slug: f for f in dataset.frameworks}
    owners: dict[str, str] = {}
    packages = {f.slug: (f.package or "").lower() for f in dataset.frameworks}
    for fw in dataset.frameworks:
        if _standard_library(fw):
            continue
        for key in _own_sites(fw) - {"github.com"}:
            owners.setdefault(key, fw.slug)
    problems: list[str] = []
    for src in dataset.sources:
        if src.url and denied(str(src.url)):
            problems.append(
                f"source {src.slug}: {urlsplit(str(src.url)).hostname} is a mirror, aggregator,"
                " Q&A site or blog, never a source"
            )
    problems += _level_conflicts(dataset)
    problems += _inheritance(dataset, by_slug)
    for fw in dataset.frameworks:
        where = f"framework {fw.slug}"
        if fw.first_release_year is None:
            problems.append(f"{where}: first_release_year is missing")
        elif not any(
            sources[s].url
            for s in fw.attribute_sources.get("first_release_year", [])
            if s in sources
        ):
            problems.append(f"{where}: first_release_year needs a source with a URL")
        if (
            fw.lifecycle is Lifecycle.active
            and fw.latest_release_date is not None
            and fw.latest_release_date < today - STALE_AFTER
            and not (fw.lifecycle_note or "").strip()
        ):
            problems.append(
                f"{where}: lifecycle active but no release since {fw.latest_release_date};"
                " a lifecycle_note must say why"
            )
        for attribute, slugs in sorted(fw.attribute_sources.items()):
            for slug in slugs:
                if (found := sources.get(slug)) is None:
                    continue
                if slug.startswith(PACKAGE_INDEX_PREFIX) and attribute not in PACKAGING_ATTRIBUTES:
                    problems.append(f"{where} attribute {attribute}: {slug} backs packaging only")
                if found.kind in (SourceKind.benchmark_suite, SourceKind.measured):
                    problems.append(f"{where} attribute {attribute}: {slug} backs benchmarks only")
        # On npm `typed` is read from the package itself; PyPI's classifier can be missing
        # from a package that ships py.typed, so only npm's can contradict a statement.
        typing = fw.support.get("static-typing")
        if (
            ecosystem(fw) is Ecosystem.npm
            and fw.typed is False
            and typing
            and statements(typing)[0].level is SupportLevel.built_in
        ):
            problems.append(
                f"{where} support.static-typing: built_in, but the package on npm ships no"
                " type declarations (typed: false)"
            )
        allowed = _own_sites(fw) | {
            key
            for base in base_chain(by_slug, fw.slug)
            if base in by_slug
            for key in _own_sites(by_slug[base])
        }
        for feature, value in sorted(fw.support.items()):
            at = f"{where} support.{feature}"
            for st in statements(value):
                problems += _statement_sources(at, st, sources, fw)
                problems += _foreign_site(at, st, sources, allowed, owners, packages)
                if st.level is SupportLevel.unknown and "searched" not in (st.notes or "").lower():
                    problems.append(f"{at}: an unknown needs notes saying where was searched")
                if not set(st.official_via) <= set(st.via):
                    problems.append(f"{at}: official_via names a package not in via")
                for package in st.via:
                    if problem := name_problem(ecosystem(fw), package):
                        problems.append(f"{at}: via {problem}")
    return problems
