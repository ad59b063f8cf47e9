from . import urls_money

app_name = "welfare"

urlpatterns = [*urls_money.urlpatterns]
