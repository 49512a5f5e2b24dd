"""Course tooling for instructors: a handout, bundles for Gradescope, Classroom 50 and
PrairieLearn, and grading a whole class. None of it ships to learners (the platforms' bundles
carry the grader, not this package)."""
