"""Generated search traffic: no download. The same generator makes the training data and the test's
requests, so a test can shift one feature and know the rest did not move."""

from __future__ import annotations

import numpy as np
import pandas as pd

COUNTRIES = ["US", "DE", "FR", "BR", "IN", "JP"]
COUNTRY_WEIGHTS = [0.35, 0.15, 0.12, 0.14, 0.16, 0.08]
#: What the buggy upstream sends instead of ISO codes: ISO 3166 numeric codes (the field report's bug).
NUMERIC_CODES = {"US": 840, "DE": 276, "FR": 250, "BR": 76, "IN": 356, "JP": 392}
PLATFORMS = ["ios", "android", "web"]
FEATURES = ["query_length", "item_price", "position", "user_country"]


def traffic(n: int, seed: int, query_shift: float = 0.0) -> pd.DataFrame:
    """Search impressions: query length in words, price, result position, country and platform, and whether
    the result was clicked. ``query_shift`` lengthens queries (a new search box that suggests long queries)."""
    rng = np.random.default_rng(seed)
    query_length = np.round(rng.lognormal(mean=1.0 + query_shift, sigma=0.45, size=n), 0).clip(1, 40)
    item_price = np.round(rng.lognormal(mean=3.2, sigma=0.8, size=n), 2)
    position = rng.integers(1, 21, size=n)
    country = rng.choice(COUNTRIES, p=COUNTRY_WEIGHTS, size=n)
    platform = rng.choice(PLATFORMS, p=[0.45, 0.35, 0.2], size=n)
    logit = -1.2 - 0.12 * position + 0.15 * query_length - 0.004 * item_price + (country == "US") * 0.3
    click = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"query_length": query_length, "item_price": item_price, "position": position,
                         "user_country": country, "platform": platform, "click": click.astype(int)})
