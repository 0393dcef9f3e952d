"""`python -m yibao` runs the command line."""

from yibao.cli import main

main()
