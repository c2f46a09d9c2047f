"""Assembly of the `sabt` command line: each part's commands mounted here."""
