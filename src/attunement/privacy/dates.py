from datetime import date


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
