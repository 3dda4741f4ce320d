"""Identity's HTML pages, one module per subject. Each view parses a form, calls one
service and redirects (post/redirect/get)."""
