"""Thaw's own benchmarks (not tests). See README.md in this folder."""
