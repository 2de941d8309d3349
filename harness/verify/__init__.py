"""The SAF-T Cash Register verifier: ``kassakontroll verify FILE…``.

Checks a whole export -- schema, signature chain, numbering, code lists, report figures,
money -- in bounded memory, continues past the first problem and explains every finding
in Norwegian bokmål or English with the clause it rests on. See ``docs/verify.md``.
"""

from __future__ import annotations

from harness.verify.engine import FileResult, VerifyOptions, verify_file, verify_files
from harness.verify.findings import Finding, Location
from harness.verify.rules import RULES, Rule, Severity
from harness.verify.signatures import KeyRing, KeySpecError

__all__ = [
    "RULES",
    "FileResult",
    "Finding",
    "KeyRing",
    "KeySpecError",
    "Location",
    "Rule",
    "Severity",
    "VerifyOptions",
    "verify_file",
    "verify_files",
]
