package org.streamlab.pipelines;

/** One Kafka record as read, before parsing: where it came from and its value as text ("" for a null value). */
public record RawEvent(String topic, int partition, long offset, String payload) {}
