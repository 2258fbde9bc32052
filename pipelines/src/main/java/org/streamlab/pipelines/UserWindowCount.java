package org.streamlab.pipelines;

/** Events of one user in one event-time window [windowStart, windowEnd), epoch milliseconds. */
public record UserWindowCount(String userId, long windowStart, long windowEnd, long count) {}
