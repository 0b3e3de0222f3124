"""The four generated task families, by name."""

from core.prompting.tasks import Family, arithmetic, coin_flip, dates, last_letter

FAMILIES: dict[str, Family] = {
    f.name: f for f in (coin_flip.FAMILY, last_letter.FAMILY, arithmetic.FAMILY, dates.FAMILY)
}
