"""Planning to the targets: what to build in which year, written as plan alternatives."""
