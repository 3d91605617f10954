def register(router):
    """Register this app's API viewsets on the shared router."""
