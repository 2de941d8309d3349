"""Shared Given/When vocabulary of the compliance suite: operating the till."""
