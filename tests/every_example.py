"""Every example schedule of ``tests/examples.py``, whatever table it is in.

Other issues add tables (``COMPAT_EXAMPLES``, ``COMBINATOR_EXAMPLES``...);
collecting every ``*_EXAMPLES`` dict keeps config, spec and inspect tests
covering new names with no change here.
"""

import examples


def every_example() -> dict:
  """``{id: zero-argument builder}`` over all ``*_EXAMPLES`` tables."""
  out = {}
  for table in sorted(n for n in dir(examples) if n.endswith("_EXAMPLES")):
    for key, build in getattr(examples, table).items():
      out[key if key not in out else f"{table}:{key}"] = build
  return out
