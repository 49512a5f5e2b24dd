# The kit's own tests and benchmarks, included by the Makefile. A handout leaves this file out.
#   make test          lint the tree, then run the kit's own tests (tests/kit)
#   make bench         time grading, the reference LSTM, make watch, the hostile corpus, grade-all, check() in a kernel
#   make bench-torch   also time torch.nn.LSTM, in a venv of its own (.venv-torch)
.PHONY: test bench bench-torch

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

# TEST_JOBS=1 runs the tests in one process, in file order.
TEST_JOBS ?= 2
test: $(VENV)/.installed-test
	@$(PY) -m ruff check .
	@$(PY) -m pytest $(if $(filter-out 1,$(TEST_JOBS)),-n $(TEST_JOBS) --dist loadgroup) tests/kit

bench: $(VENV)/.installed-test
	@$(PY) -m bench.grade_speed
	@$(PY) -m bench.memory_speed
	@$(PY) -m bench.watch_speed
	@$(PY) -m bench.hostile_corpus
	@$(PY) -m bench.class_throughput
	@$(PY) -m bench.notebook_speed

bench-torch:
	@test -x .venv-torch/bin/python || $(PYTHON) -m venv .venv-torch
	@echo "Installing torch into .venv-torch (see requirements-torch.txt)..."
	@.venv-torch/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-torch.txt
	@.venv-torch/bin/python -m bench.memory_speed

clean::
	rm -rf .venv-torch .venv-oldest
