"""The portal's pages: routes that render HTML in the reader's language."""
