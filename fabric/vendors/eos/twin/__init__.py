"""Arista EOS twin."""
