def tenant(request):
    return {"katalog": getattr(request, "katalog", None), "actor": getattr(request, "actor", None)}
