def items(request):
    """Navigation entries of this app for the signed-in user: [{"url": ..., "label": ...}]."""
    return []
