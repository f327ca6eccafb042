"""Pure logic of notifications: templates, retries, delivery keys."""
