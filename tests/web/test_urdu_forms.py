"""The web layer's own words in Urdu: a form's labels and its validators' messages, and a flash, chosen by
?lang=ur and by Accept-Language (the catalogue is app/translations/ur, compiled by `make install`)."""


def test_the_sign_in_form_speaks_urdu_with_lang_ur(client):
    page = client.get("/sign-in?lang=ur").get_data(as_text=True)
    assert "ای میل" in page and "پاس ورڈ" in page and "اس ڈیوائس پر مجھے سائن اِن رکھیں" in page
    refused = client.post("/sign-in?lang=ur", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "اپنا ای میل ایڈریس درج کریں۔" in refused and "Enter your email address." not in refused


def test_a_flash_follows_accept_language(app):
    browser = app.test_client()
    page = browser.get("/dashboard", headers={"Accept-Language": "ur"}, follow_redirects=True)
    assert "جاری رکھنے کے لیے براہ کرم سائن اِن کریں۔" in page.get_data(as_text=True)


def test_english_stays_english(client):
    page = client.get("/dashboard", headers={"Accept-Language": "en"}, follow_redirects=True).get_data(as_text=True)
    assert "Please sign in to continue." in page and "Keep me signed in on this device" in page
