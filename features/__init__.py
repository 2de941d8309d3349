"""The compliance suite: the law as Gherkin scenarios with step libraries."""
