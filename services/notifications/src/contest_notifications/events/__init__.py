"""What the notifications service consumes."""
