"""Helpers other test modules import: sockets, servers, worlds, shared texts."""
