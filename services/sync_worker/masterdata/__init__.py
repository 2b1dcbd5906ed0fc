"""(package docstring filled by its issue)"""
