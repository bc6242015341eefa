"""The task files of the Lamps world (package data: every *.yaml here is loaded)."""
