"""The matrix domain's reads, one module per job; this names them for the router and tests."""

from app.matrix.compare import SUPPORT_ROWS, compare
from app.matrix.grid import MAX_COMPARE, MIN_COMPARE, build_matrix, cell_text, matrix, matrix_csv
from app.matrix.migrations import list_migrations, migration, migrations_page

__all__ = [
    "MAX_COMPARE",
    "MIN_COMPARE",
    "SUPPORT_ROWS",
    "build_matrix",
    "cell_text",
    "compare",
    "list_migrations",
    "matrix",
    "matrix_csv",
    "migration",
    "migrations_page",
]
