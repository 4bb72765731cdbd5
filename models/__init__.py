"""Domain documents and pure rules: no I/O happens in this package."""
