"""Case templates: load (with line numbers), validate (all problems at once), and write to the graph."""
