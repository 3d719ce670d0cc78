from django.contrib import admin
from django.urls import path
from recalls import views as recall_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("recalls/due/", recall_views.due_list, name="recall-due-list"),
    path("recalls/<int:pk>/letter/", recall_views.letter_preview, name="recall-letter"),
]
