"""The registry's write path, one module per object; `registry/services.py` is its one
entrance (every public name re-exported there)."""
