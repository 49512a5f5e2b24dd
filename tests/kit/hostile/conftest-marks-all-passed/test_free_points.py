import pytest


@pytest.mark.step("sigmoid", points=1000)
def test_free_points():
    assert True
