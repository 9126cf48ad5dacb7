"""Package data, not code: installed as ``fabric.templates`` (pyproject.toml maps this directory).

A regular package (this file) rather than a namespace one: setuptools' editable finder only maps a
package whose directory has an ``__init__.py`` (see fabric/resources.py).
"""
