package org.streamlab.pipelines;

/**
 * One Kafka record as read, before parsing: where it came from and its value as text ("" for a null value).
 * {@code validUtf8} is false when the bytes were not UTF-8: the payload then holds them decoded with replacement
 * characters, for the dead letter, and the parsers reject the record.
 */
public record RawEvent(String topic, int partition, long offset, String payload, boolean validUtf8) {
    public RawEvent(String topic, int partition, long offset, String payload) {
        this(topic, partition, offset, payload, true);
    }
}
