"""The public JSON API: see inbox.views.api."""
