"""`python -m spreadgraph.cli` runs the command line."""

from spreadgraph.cli import main

main()
