import random

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from ninja import NinjaAPI, Schema

from hello.models import Fortune, World

api = NinjaAPI(docs_url=None, openapi_url=None)


class Message(Schema):
    message: str


class Row(Schema):
    id: int
    randomNumber: int  # the field name the test type fixes


def _count(queries):
    try:
        return min(max(int(queries), 1), 500)
    except ValueError:
        return 1


def _row(world):
    return {"id": world.id, "randomNumber": world.randomnumber}


@api.get("/json", response=Message)
def json(request):
    return {"message": "Hello, World!"}


@api.get("/plaintext")
def plaintext(request):
    return HttpResponse("Hello, World!", content_type="text/plain")


@api.get("/db", response=Row)
def db(request):
    return _row(World.objects.get(id=random.randint(1, 10000)))


@api.get("/queries", response=list[Row])
def queries(request, queries: str = "1"):
    ids = [random.randint(1, 10000) for _ in range(_count(queries))]
    return [_row(World.objects.get(id=i)) for i in ids]


@api.get("/updates", response=list[Row])
def updates(request, queries: str = "1"):
    worlds = [World.objects.get(id=random.randint(1, 10000)) for _ in range(_count(queries))]
    for world in worlds:
        world.randomnumber = random.randint(1, 10000)
    World.objects.bulk_update(sorted(worlds, key=lambda w: w.id), ["randomnumber"])
    return [_row(w) for w in worlds]


def fortunes(request):
    rows = list(Fortune.objects.all())
    rows.append(Fortune(id=0, message="Additional fortune added at request time."))
    rows.sort(key=lambda f: f.message)
    return render(request, "fortunes.html", {"fortunes": rows})


urlpatterns = [path("fortunes", fortunes), path("", api.urls)]
