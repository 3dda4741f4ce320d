"""The synthetic population: generated in memory (`generator`), written in batches
(`writer`). The registries' numbers carry valid check digits (`numbers`)."""
