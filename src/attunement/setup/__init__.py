"""Setting an organisation up."""
