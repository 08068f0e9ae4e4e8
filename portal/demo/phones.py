"""Phone numbers for demo data: valid to the offer editor, plainly made up to a reader."""

from __future__ import annotations

# Denmark has no numbers set aside for fiction (like 555 in American films), and
# the editor accepts only numbers in ranges that are in use, so a demo number
# cannot be both valid and certain to reach nobody. The demo therefore keeps to
# one block, the one the forms already give as their example ("Fx 20 12 34 56"):
# the 12 34 run tells a reader it is made up, and a hundred numbers rather than
# ten thousand limit whom a curious caller could reach.
DEMO_PHONE_BLOCK = "+45 20 12 34"


def demo_phone_number(last_two: int) -> str:
    """Return demo number ``last_two`` (0-99) of the block, written as the editor stores it."""
    if not 0 <= last_two <= 99:
        raise ValueError(f"a demo phone number ends in 00-99, not {last_two}")
    return f"{DEMO_PHONE_BLOCK} {last_two:02d}"
