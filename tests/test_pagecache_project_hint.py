"""core.pagecache.project_cached reads, with the entry, the version of the campaign the project
was last seen in by this process: a hint only. A project moved to another campaign, and a write
to that campaign, are seen at once even when the hint names the old campaign."""

from core import pagecache


def test_a_wrong_campaign_hint_never_serves_a_stale_entry(db, shared_cache):
    state = {"campaign": 1, "value": "one"}
    calls = []

    def compute():
        calls.append(1)
        return state["campaign"], state["value"]

    assert pagecache.project_cached(991, compute) == "one"
    computed = len(calls)
    assert pagecache.project_cached(991, compute) == "one"
    assert len(calls) == computed  # a hit: nothing computed

    state.update(campaign=2, value="two")  # moved to campaign 2, both campaigns written
    pagecache.bump_campaigns([1, 2])
    assert pagecache.project_cached(991, compute) == "two"

    # This process last saw it in campaign 1 (as another worker would have); campaign 2 is
    # written: its version is read although the hint named campaign 1.
    pagecache._PROJECT_CAMPAIGN[991] = 1
    state["value"] = "three"
    pagecache.bump_campaigns([2])
    assert pagecache.project_cached(991, compute) == "three"
    assert pagecache.project_cached(991, compute) == "three"
    assert pagecache._PROJECT_CAMPAIGN[991] == 2
