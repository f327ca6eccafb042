"""domain of the voting service."""
