from tests.projects.conftest import town  # noqa: F401  (the shared role-matrix town)
