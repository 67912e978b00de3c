"""The permission contracts themselves: the "outside scope → 404" check
never skips."""

import pytest

from tests.contracts import ApiContract, PageContract


@pytest.mark.parametrize("base", [PageContract, ApiContract])
def test_a_contract_without_an_outside_actor_fails(base):
    class Unnamed(base):
        def url(self, world):
            return "/"

    with pytest.raises(pytest.fail.Exception, match="names no outside actor"):
        Unnamed().test_outside_scope_is_404(world=None, login=None)


def test_every_contract_in_the_suite_names_an_outside_actor():
    import importlib
    import pkgutil

    import tests

    unnamed = []
    for info in pkgutil.walk_packages(tests.__path__, "tests."):
        if not info.name.rsplit(".", 1)[-1].startswith("test_"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, PageContract)
                and value.__module__ == module.__name__
                and value.outside is None
            ):
                unnamed.append(f"{info.name}.{name}")
    assert unnamed == []
