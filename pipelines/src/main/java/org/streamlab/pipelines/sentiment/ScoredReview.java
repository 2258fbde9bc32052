package org.streamlab.pipelines.sentiment;

/** A review and its sentiment in [-1, 1] (negative to positive), scored at {@code scoredAt} (epoch millis). */
public record ScoredReview(Review review, double sentiment, long scoredAt) {
    public String eventId() { return review.eventId(); }
    public String userId() { return review.userId(); }
}
