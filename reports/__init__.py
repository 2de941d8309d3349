"""The compliance report's templates (``templates/``), styles (``static/``) and JSON schema (``schema/``).

Data only: :mod:`harness.report` renders them.
"""

from __future__ import annotations
