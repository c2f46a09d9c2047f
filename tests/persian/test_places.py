from sabt.persian import places


def test_31_provinces_with_iso_codes_and_census_population() -> None:
    provinces = places.provinces()
    assert len(provinces) == 31
    assert provinces["IR-23"].name_en == "Tehran"
    assert sum(p.population_1395 for p in provinces.values()) == 79_926_270


def test_every_county_has_a_prefix_and_a_unique_code() -> None:
    counties = places.counties()
    assert len(counties) == 478
    assert all(places.prefixes_of_county(code) for code in counties)
    assert {c.province_iso for c in counties.values()} == set(places.provinces())


def test_prefixes_published_and_synthetic() -> None:
    prefixes = places.office_prefixes()
    assert len(prefixes) == 704
    assert len(places.published_prefixes()) == 626
    tehran = places.county_by_name("تهران")
    assert prefixes["001"].county_code == tehran.code
    assert prefixes["031"].province_iso == "IR-30"  # Karaj, corrected to Alborz
    assert all(p.synthetic for p in prefixes.values() if p.prefix >= "921" and p.prefix != "986")
