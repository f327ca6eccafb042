"""The channels messages leave by: SMTP and the SMS provider."""
