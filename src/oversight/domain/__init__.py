"""Pure rules: no I/O, no framework. Status machines, roles and permissions, tallies."""
