"""The catalogue's reads, one module per resource; this names them for the router and for
modules that import them from here (the seed export)."""

from app.catalogue.features import feature_detail, feature_public, list_categories, list_features
from app.catalogue.frameworks import (
    WHOLE_FRAMEWORK,
    FrameworkPage,
    FrameworkSort,
    framework_detail,
    list_frameworks,
    read_framework_detail,
)
from app.catalogue.meta import meta
from app.catalogue.sources import list_sources, source_detail, source_public
from app.catalogue.use_cases import list_use_cases, use_case_detail, use_case_public
from app.support.reads import get_framework, slugs, statement

__all__ = [
    "WHOLE_FRAMEWORK",
    "FrameworkPage",
    "FrameworkSort",
    "feature_detail",
    "feature_public",
    "framework_detail",
    "get_framework",
    "list_categories",
    "list_features",
    "list_frameworks",
    "list_sources",
    "list_use_cases",
    "meta",
    "read_framework_detail",
    "slugs",
    "source_detail",
    "source_public",
    "statement",
    "use_case_detail",
    "use_case_public",
]
