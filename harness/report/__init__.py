"""The compliance report: built from a finished run folder and rendered with jinja2."""

from __future__ import annotations
