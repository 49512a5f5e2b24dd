"""Course tooling for instructors: a handout, a Gradescope autograder, GitHub Classroom's
autograding file, and grading a whole class. None of it ships to learners."""
