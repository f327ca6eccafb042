"""The notifications service: email, SMS and signed webhooks in kk/ru/en."""
