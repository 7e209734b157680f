"""Media: uploads, thumbnails, storage backends and link previews."""
