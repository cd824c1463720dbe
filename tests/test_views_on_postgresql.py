"""The reading pages, the editor and the API on PostgreSQL: the same tests as on SQLite (imported from
their modules), with the app on a fresh PostgreSQL database that it migrates and fills with the demo
articles as on a first start."""

from __future__ import annotations

import pytest
from scripts.pgcluster import PostgresCluster

from reader.settings import Settings
from tests.conftest import new_pg_database
from tests.test_views_api import (  # noqa: F401 - collected here, run with this module's settings
    test_a_draft_is_read_only_with_a_token,
    test_a_put_publishes_unpublishes_or_keeps_the_state,
    test_if_match_on_a_missing_slug_creates_nothing,
    test_if_none_match_star_creates_and_never_replaces,
    test_of_two_clients_that_read_one_version_the_second_write_is_refused,
    test_put_creates_then_replaces_and_delete_deletes,
    test_revoked_tokens_stop_working,
    test_two_writes_racing_on_one_version_write_once,
    test_without_conditions_a_put_still_replaces_whatever_is_there,
    token,
)
from tests.test_views_articles import (  # noqa: F401
    test_a_search_is_escaped_and_finds_nothing_politely,
    test_an_excerpt_shows_markup_in_the_text_as_text,
    test_health,
    test_index_lists_the_demo_articles_newest_first,
    test_readers_find_articles_by_their_text_and_see_where,
    test_readers_find_articles_by_words_of_their_titles,
    test_the_seed_article_page,
)
from tests.test_views_crawlers import test_the_sitemap_lists_every_articles_page_with_when_it_changed  # noqa: F401
from tests.test_views_editor import (  # noqa: F401
    test_a_deleted_article_is_listed_shown_and_restored,
    test_a_deleted_article_is_not_restored_over_one_created_at_its_address_since,
    test_a_new_article_saved_as_a_draft_is_the_editors_only,
    test_a_nul_in_a_search_or_an_address_is_no_server_error,
    test_create_edit_and_delete,
    test_publishing_and_unpublishing_from_the_form_are_in_the_history,
    test_the_deleted_articles_come_a_page_at_a_time_in_english,
    test_wrong_passwords_are_throttled,
)
from tests.test_views_feed import (  # noqa: F401
    test_a_feed_reader_polls_for_304_until_an_article_changes,
    test_a_renamed_article_keeps_its_entry_id_and_a_new_one_at_its_address_gets_another,
    test_the_feed_lists_the_newest_articles_as_the_index_does,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(pg_cluster: PostgresCluster) -> Settings:
    return Settings(db_url=new_pg_database(pg_cluster, migrated=False))
