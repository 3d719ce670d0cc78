from datetime import date

from django.shortcuts import get_object_or_404, render

from .models import Recall


def due_list(request):
    recalls = Recall.objects.filter(due_date__lte=date.today()).select_related("patient")
    return render(request, "recalls/due_list.html", {"recalls": recalls})


def letter_preview(request, pk):
    recall = get_object_or_404(Recall, pk=pk)
    return render(request, "recalls/letter.html", {"recall": recall, "patient": recall.patient})
