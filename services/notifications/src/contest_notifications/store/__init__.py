"""MongoDB access of the notifications service."""
