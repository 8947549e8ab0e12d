"""The build: the recipe, the cache of whole builds, the lock, publishing the outputs."""
