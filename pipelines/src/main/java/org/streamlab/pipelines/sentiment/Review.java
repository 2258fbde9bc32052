package org.streamlab.pipelines.sentiment;

/**
 * A product review as the pipeline reads it from Kafka. {@code productId} may be null. {@code truncated} is true when
 * the text was longer than the pipeline's limit and was cut to it (the model reads only its first tokens anyway).
 */
public record Review(String eventId, String userId, String productId, String text, long eventTime, boolean truncated) {}
