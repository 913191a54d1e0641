"""Does a model understand its constitution? Questions over a spec's sections, and
likelihood checks of its rules."""
