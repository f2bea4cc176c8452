"""Content formats: each reads files of one layout into validated pieces of a Dataset."""
