from django import forms

PRACTICES = [("northgate", "Northgate"), ("riverside", "Riverside"),
             ("elm-park", "Elm Park"), ("castle-hill", "Castle Hill")]


class BookingRequestForm(forms.Form):
    name = forms.CharField(max_length=120)
    phone = forms.CharField(max_length=20)
    email = forms.EmailField(required=False)
    practice = forms.ChoiceField(choices=PRACTICES)
    preferred_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(widget=forms.Textarea, required=False)
