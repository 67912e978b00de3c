from tests.training.conftest import enrol, policy, sub  # noqa: F401
