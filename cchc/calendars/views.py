from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .arithmetic import Limit, LimitUnit
from .forms import DueDateForm
from .services import calendar_for, default_province


@login_required
def due_date(request: HttpRequest) -> HttpResponse:
    form = DueDateForm(request.GET or None)
    explanation = None
    if form.is_valid():
        data = form.cleaned_data
        limit = Limit(data["amount"], LimitUnit(data["unit"]), data["cutoff"])
        explanation = calendar_for(default_province()).explain(data["start"], limit)
    return render(request, "calendars/due_date.html", {"form": form, "explanation": explanation})
