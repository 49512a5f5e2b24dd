"""What is taught: the steps of the path, their hints, the catalogue of common mistakes, the
inputs the checks use and the pronoun task. Data and small helpers; no verdicts."""
