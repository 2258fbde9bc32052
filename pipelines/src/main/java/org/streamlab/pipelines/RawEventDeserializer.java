package org.streamlab.pipelines;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka records to {@link RawEvent}s. Never throws: a null value (tombstone) becomes an empty payload, which the
 * parser sends to the dead-letter topic, instead of failing the source as a plain string schema would.
 */
final class RawEventDeserializer implements KafkaRecordDeserializationSchema<RawEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawEvent> out) {
        String value = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
        out.collect(new RawEvent(record.topic(), record.partition(), record.offset(), value));
    }

    @Override
    public TypeInformation<RawEvent> getProducedType() {
        return TypeInformation.of(RawEvent.class);
    }
}
