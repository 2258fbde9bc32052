package org.streamlab.pipelines.sentiment;

import java.io.Serializable;
import java.util.Map;

/**
 * Joins a scored review with its author's profile. {@code users} holds the whole users table by user id (loaded once
 * per parallel instance when the job starts). An author missing from the table must still give an enriched review
 * (with defaults): an enricher that throws fails the job, and one that drops the review loses it.
 */
@FunctionalInterface
public interface UserEnricher extends Serializable {
    EnrichedReview enrich(ScoredReview review, Map<String, UserProfile> users);
}
