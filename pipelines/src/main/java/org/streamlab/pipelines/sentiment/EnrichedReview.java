package org.streamlab.pipelines.sentiment;

/**
 * A scored review with what the users table says about its author. {@code knownUser} is false when the author is not
 * in the table; {@code segment} and {@code country} then hold the enricher's defaults. {@code model} is the registry
 * version that scored it, null with a fixed head.
 */
public record EnrichedReview(String eventId, String userId, String productId, String text, long eventTime, boolean truncated,
                             double sentiment, long scoredAt, String segment, String country, boolean knownUser, String model) {

    public EnrichedReview(String eventId, String userId, String productId, String text, long eventTime, boolean truncated,
                          double sentiment, long scoredAt, String segment, String country, boolean knownUser) {
        this(eventId, userId, productId, text, eventTime, truncated, sentiment, scoredAt, segment, country, knownUser, null);
    }

    /** The scored review with the profile's fields (or the defaults given for an unknown user). */
    public static EnrichedReview of(ScoredReview s, String segment, String country, boolean knownUser) {
        Review r = s.review();
        return new EnrichedReview(r.eventId(), r.userId(), r.productId(), r.text(), r.eventTime(), r.truncated(),
                s.sentiment(), s.scoredAt(), segment, country, knownUser, s.model());
    }
}
