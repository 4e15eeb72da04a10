"""Speed and memory measurements (`make bench`); not part of the installed package."""
