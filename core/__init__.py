"""The bottom layer every app may import: the domain error hierarchy, the workflow kernel, the scoping registry.

``core`` imports no other app of the project.
"""
