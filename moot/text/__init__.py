"""Turning user-written text (Markdown) into safe HTML."""
