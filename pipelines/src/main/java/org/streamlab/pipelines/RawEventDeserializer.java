package org.streamlab.pipelines;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka records to {@link RawEvent}s. Never throws: a null value (tombstone) becomes an empty payload and bytes that
 * are not UTF-8 a payload marked invalid, which the parsers send to the dead-letter topic, instead of failing the
 * source as a plain string schema would (or silently replacing characters, as {@code new String(bytes, UTF_8)} does).
 */
public final class RawEventDeserializer implements KafkaRecordDeserializationSchema<RawEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawEvent> out) {
        byte[] value = record.value();
        if (value == null) {
            out.collect(new RawEvent(record.topic(), record.partition(), record.offset(), ""));
            return;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
            out.collect(new RawEvent(record.topic(), record.partition(), record.offset(), text));
        } catch (CharacterCodingException e) {
            out.collect(new RawEvent(record.topic(), record.partition(), record.offset(), new String(value, StandardCharsets.UTF_8), false));
        }
    }

    @Override
    public TypeInformation<RawEvent> getProducedType() {
        return TypeInformation.of(RawEvent.class);
    }
}
