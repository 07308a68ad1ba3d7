"""The embedded demo corpus (built by catalog.demo.build)."""
