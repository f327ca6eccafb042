"""store of the voting service."""
