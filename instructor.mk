# Instructors' targets, included by the Makefile. A handout leaves this file out.
#   make check-tests TESTS=tests/steps:tests/hidden   validate test folders, list points per step
#   make handout                                      dist/handout/ and dist/lstm-kit-handout.zip
#   make gradescope TESTS=tests/steps:tests/hidden    dist/autograder.zip for Gradescope
#   make grade-all SUBMISSIONS=folder [OUT=build/class] [JOBS=n] [TIME_LIMIT=s]   grade a whole class
#       [ROSTER=roster.csv] [LEARNER=name]   name the learners; grade one learner again into OUT
#   make classroom                                    refresh .github/classroom/autograding.json
#   make notebook                                     notebooks/lstm_kit.ipynb from the stubs in exercises/
OUT ?= build/class
JOBS ?=
CALL_TIMEOUT ?= 10
TIME_LIMIT ?= 300

.PHONY: check-tests handout gradescope grade-all classroom notebook

check-tests: $(VENV)/.installed
	@$(PY) -m grader --check-tests --tests $(TESTS)

handout: $(VENV)/.installed
	@$(PY) -m instructor handout

gradescope: $(VENV)/.installed
	@$(PY) -m instructor gradescope --tests $(TESTS) --call-timeout $(CALL_TIMEOUT)

grade-all: $(VENV)/.installed
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade-all SUBMISSIONS=folder [TESTS=...] [OUT=build/class]"; exit 2; }
	@$(PY) -m instructor grade-all $(SUBMISSIONS) --tests $(TESTS) --out $(OUT) --call-timeout $(CALL_TIMEOUT) --time-limit $(TIME_LIMIT) $(if $(JOBS),--jobs $(JOBS)) $(if $(ROSTER),--roster "$(ROSTER)") $(if $(LEARNER),--only "$(LEARNER)")

classroom: $(VENV)/.installed
	@$(PY) -m instructor classroom

notebook: $(VENV)/.installed
	@$(PY) -m instructor notebook
