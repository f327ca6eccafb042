"""events of the voting service."""
