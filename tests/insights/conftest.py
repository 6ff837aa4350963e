from tests.buying.conftest import _tasks, shop  # noqa: F401  (the buying fixtures)
