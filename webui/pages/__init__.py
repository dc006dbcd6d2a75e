"""HTML pages, each with a JSON twin."""
