"""Plain data in any reasonable container: what the worker sends (grader/sandbox/protocol.py) holds
a namedtuple, an OrderedDict or a defaultdict as its plain form, and the shared checks
(grader/judge/checks.py) take numbers as a learner may give them and say, of a value no float
can hold, what the learner's value is; no class of the grader's own reaches a message. The
graded cases are mistakes.py's ALTERNATIVES (full marks) and the hostile case wrong-return-types."""
import decimal
from collections import OrderedDict, defaultdict, namedtuple

import numpy as np
import pytest

from grader.judge.checks import CheckFailed, expect_array, expect_numbers, expect_tuple, type_name
from grader.sandbox.protocol import Foreign, pack, unpack

Grads = namedtuple("Grads", "dx dh")


def travelled(value):
    """``value`` as the grader receives it from the worker."""
    return unpack(pack(value))


def test_containers_travel_as_their_plain_forms():
    dx, dh = np.arange(6.0).reshape(2, 3), np.ones(2)
    got = travelled([Grads(dx, dh), OrderedDict(b=dh, a=dx), defaultdict(list, {"W": dx, "v": [1, 2]})])
    assert type(got[0]) is tuple and [type(v) for v in got[1:]] == [dict, dict]
    assert np.array_equal(got[0][0], dx) and np.array_equal(got[0][1], dh)
    assert set(got[1]) == {"a", "b"} and np.array_equal(got[1]["a"], dx)
    assert got[2]["v"] == [1, 2] and type(got[2]["v"]) is list


def test_a_subclass_is_read_through_its_base_class():
    class Shrinking(tuple):
        def __iter__(self):
            return iter(())

    class Hiding(dict):
        def items(self):
            return []

    class Keyed(str):
        pass

    assert travelled(Shrinking((1, 2))) == (1, 2)
    assert travelled(Hiding(a=1)) == {"a": 1}
    key = next(iter(travelled({Keyed("W"): 1})))
    assert key == "W" and type(key) is str


def test_a_dict_whose_keys_are_not_strings_is_described_not_sent():
    got = travelled(defaultdict(int, {3: 4}))
    assert isinstance(got, Foreign) and got.type == "defaultdict with keys that are not strings"
    with pytest.raises(CheckFailed, match="is a defaultdict with keys that are not strings; expected"):
        expect_array(got, "grads", np.zeros(2))


def test_a_namedtuple_of_the_right_length_is_a_tuple_of_outputs():
    assert expect_tuple(travelled(Grads(np.ones(1), np.ones(2))), "f", ("dx", "dh"))[1].shape == (2,)
    with pytest.raises(CheckFailed, match=r"f returned 2 items; expected a tuple \(dx, dh, db\)"):
        expect_tuple(travelled(Grads(1, 2)), "f", ("dx", "dh", "db"))


def test_numbers_in_any_reasonable_form_are_numbers():
    losses = [np.array(1.5), np.float32(2.5), np.float64(3.5), np.int64(4), 5, 6.5]
    for sent in (losses, tuple(losses), np.array([1.5, 2.5, 3.5, 4, 5, 6.5])):
        got = expect_numbers(travelled(sent), "losses", 6)
        assert got.dtype == np.float64 and got.tolist() == [1.5, 2.5, 3.5, 4.0, 5.0, 6.5]


@pytest.mark.parametrize("sent, message", [
    ([1.0, 10**400], r"losses\[1\] is 100000\.\.\. \(a whole number of 401 digits\): too large for a float64"),
    ([decimal.Decimal("1.5")], r"losses\[0\] is a Decimal \(Decimal\('1\.5'\)\); expected a number"),
    ([object()], r"losses\[0\] is a object \(<object object at"),
    ([np.ones(2)], r"losses\[0\] is an array of shape \(2,\); expected a single number"),
    ([True], r"losses\[0\] is a bool; expected a number"),
    ([1.0, None], r"losses\[1\] is None; expected a number"),
    ([1.0, 2.0], r"losses has shape \(2,\); expected \(3,\)"),
    ([1.0, float("nan"), 3.0], r"losses contains NaN at losses\[1\]"),
])
def test_a_value_that_is_no_number_is_named_with_what_it_is(sent, message):
    with pytest.raises(CheckFailed, match=message) as failure:
        expect_numbers(travelled(sent), "losses", 3 if len(sent) > 1 else 1)
    assert "Foreign" not in str(failure.value)


def test_a_whole_number_too_large_for_numpy_is_named_as_a_number():
    for sent in (10**400, -2**64):
        with pytest.raises(CheckFailed, match=r"loss is -?\d{6}\.\.\. \(a whole number of \d+ digits\), too "
                                              r"large for any NumPy number; expected a number \(float64\)"):
            expect_array(travelled(sent), "loss", np.zeros(()))


def test_the_type_of_a_described_value_is_the_learners():
    class Tensorish:
        pass

    got = travelled(Tensorish())
    assert type_name(got) == "Tensorish" and type_name([1]) == "list"
    with pytest.raises(CheckFailed, match="h is a Tensorish; expected a NumPy array of shape"):
        expect_array(got, "h", np.zeros((2, 3)))
