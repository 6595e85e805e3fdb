"""The public site: facts gathered from scores and git, pages, downloads, charts and search.

`build.build_site` is the entry point; each module here does one step of it.
"""
