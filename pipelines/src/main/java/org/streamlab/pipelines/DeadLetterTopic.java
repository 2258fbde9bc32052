package org.streamlab.pipelines;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.streamlab.kernel.UserError;

/** A dead-letter topic: the Flink sink that writes it, and reading it back. */
public final class DeadLetterTopic {
    private DeadLetterTopic() {}

    /**
     * A Kafka sink of dead letters, keyed by reason, one JSON object each ({@link DeadLetter#toJson()}).
     * At-least-once: after a restore the letters since the checkpoint are written again.
     */
    public static KafkaSink<DeadLetter> sink(String bootstrapServers, String topic) {
        KafkaRecordSerializationSchema<DeadLetter> serializer = (d, ctx, ts) -> new ProducerRecord<>(topic,
                d.reason().name().getBytes(StandardCharsets.UTF_8), d.toJson().getBytes(StandardCharsets.UTF_8));
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** Reads a dead-letter topic back: every record from the beginning to the end offsets seen now. */
    public static List<DeadLetter> readAll(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        List<DeadLetter> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            if (partitions.isEmpty()) { // a mistyped name must not read as "no dead letters"
                throw new UserError("topic " + topic + " does not exist on " + bootstrapServers,
                        "check the name (%kafka topics lists them); the job creates its dead-letter topic when it starts");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(15));
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("reading " + topic + " took over 30 s: " + out.size() + " records read");
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(DeadLetter.fromJson(r.value()));
                }
            }
        }
        return out;
    }

    /** Dead letters per reason on the topic (every reason present, 0 when none). */
    public static Map<BadEventReason, Long> countByReason(String bootstrapServers, String topic) {
        return countByReason(readAll(bootstrapServers, topic));
    }

    public static Map<BadEventReason, Long> countByReason(List<DeadLetter> letters) {
        Map<BadEventReason, Long> out = new EnumMap<>(BadEventReason.class);
        for (BadEventReason r : BadEventReason.values()) {
            out.put(r, 0L);
        }
        for (DeadLetter d : letters) {
            out.merge(d.reason(), 1L, Long::sum);
        }
        return out;
    }
}
