"""The console: a Textual front end over the same engine as the headless CLI."""
