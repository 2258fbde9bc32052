package org.streamlab.pipelines;

/**
 * One clickstream event as the course's {@code EventGenerator} writes it, reduced to what the stream jobs use.
 * {@code eventTime} is epoch milliseconds (when it happened, not when it arrived).
 */
public record ClickEvent(String eventId, String userId, String type, long eventTime) {}
