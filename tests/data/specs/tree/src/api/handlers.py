"""HTTP handlers."""


def get_user(request):
    return {"id": request.args["id"]}
