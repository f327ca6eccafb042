"""Event contracts of the contest platform: the envelope, payloads, topics and wire format.

Services import event models from here and never redefine them.
"""

from contest_contracts.envelope import Envelope, EventData, new_event_id

__all__ = ["Envelope", "EventData", "new_event_id"]
