"""The staff console: one blueprint (`bp`), one guard, its own layout. Views live in modules by area."""

from . import agreements as _agreement_views  # noqa: F401  (registers its views on bp)
from . import membership as _membership_views  # noqa: F401  (registers its views on bp)
from .routes import bp

__all__ = ["bp"]
