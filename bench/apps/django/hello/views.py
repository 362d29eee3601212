import random

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from hello.models import Fortune, World


def _count(request):
    try:
        return min(max(int(request.GET.get("queries", 1)), 1), 500)
    except ValueError:
        return 1


def _row(world):
    return {"id": world.id, "randomNumber": world.randomnumber}


def json(request):
    return JsonResponse({"message": "Hello, World!"})


def plaintext(request):
    return HttpResponse("Hello, World!", content_type="text/plain")


def db(request):
    return JsonResponse(_row(World.objects.get(id=random.randint(1, 10000))))


def queries(request):
    ids = [random.randint(1, 10000) for _ in range(_count(request))]
    return JsonResponse([_row(World.objects.get(id=i)) for i in ids], safe=False)


def updates(request):
    worlds = [World.objects.get(id=random.randint(1, 10000)) for _ in range(_count(request))]
    for world in worlds:
        world.randomnumber = random.randint(1, 10000)
    World.objects.bulk_update(sorted(worlds, key=lambda w: w.id), ["randomnumber"])
    return JsonResponse([_row(w) for w in worlds], safe=False)


def fortunes(request):
    rows = list(Fortune.objects.all())
    rows.append(Fortune(id=0, message="Additional fortune added at request time."))
    rows.sort(key=lambda f: f.message)
    return render(request, "fortunes.html", {"fortunes": rows})
