package org.streamlab.reliability.faults;

import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.streamlab.flink.Flink;
import org.streamlab.kafka.Kafka;

/**
 * The job of the kernel-kill scenario, run inside a kernel: Kafka topic {@code in} to Kafka topic {@code out}, with
 * checkpoints every 300 ms (retained), and an exactly-once (transactional) Kafka sink, as in Phase 3 / 03. Restored
 * from {@code checkpoint} when it is given. No user functions: nothing but the connectors has to be shipped.
 */
public final class CopyJob {
    private CopyJob() {
    }

    /** The sink's transaction timeout: longer than any outage of the fault runs (15 min, the broker's maximum). */
    public static final long TRANSACTION_TIMEOUT_MS = 900_000;

    public static JobClient start(String in, String out, String checkpoint) throws Exception {
        return start(in, out, checkpoint, TRANSACTION_TIMEOUT_MS);
    }

    public static JobClient start(String in, String out, String checkpoint, long transactionTimeoutMs) throws Exception {
        String bootstrap = Kafka.bootstrapServers();
        StreamExecutionEnvironment env = Flink.newEnv();
        env.enableCheckpointing(300);
        env.getCheckpointConfig().setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        Configuration c = new Configuration();
        c.setString("restart-strategy.type", "none");
        if (checkpoint != null) {
            c.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint);
        }
        env.configure(c);
        env.setParallelism(1);
        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(bootstrap).setTopics(in).setGroupId("faults-copy")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .setProperty("isolation.level", "read_committed")
                .build();
        Properties producer = new Properties();
        // longer than the outage: a transaction pre-committed in the last checkpoint must still be open when the job is
        // restored, or the transaction coordinator may abort it on its timeout (a run with 60 s missed 2,032 records)
        producer.setProperty("transaction.timeout.ms", String.valueOf(transactionTimeoutMs));
        KafkaSink<String> sink = KafkaSink.<String>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(KafkaRecordSerializationSchema.builder().setTopic(out)
                        .setValueSerializationSchema(new SimpleStringSchema()).build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("faults-copy")
                .setKafkaProducerConfig(producer)
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "in").uid("in").sinkTo(sink).uid("out");
        return env.executeAsync("faults-copy");
    }
}
