package org.streamlab.pipelines.sentiment;

/**
 * A review and its sentiment in [-1, 1] (negative to positive), scored at {@code scoredAt} (epoch millis) by
 * {@code model}: the registry version that scored it (e.g. {@code models:/review-sentiment/3}), or null when the job
 * scores with a fixed head (the history then records the config's model name).
 */
public record ScoredReview(Review review, double sentiment, long scoredAt, String model) {
    public ScoredReview(Review review, double sentiment, long scoredAt) {
        this(review, sentiment, scoredAt, null);
    }

    public String eventId() { return review.eventId(); }
    public String userId() { return review.userId(); }
}
