"""api of the voting service."""
