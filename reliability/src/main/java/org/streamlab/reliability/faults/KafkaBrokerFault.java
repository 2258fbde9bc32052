package org.streamlab.reliability.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The kafka magic's 3-broker KRaft cluster, every node in a JVM of its own ({@link ExternalKafkaCluster}): the
 * process of the leader of partition 0 is SIGKILLed while an idempotent producer (acks=all) writes to a topic with
 * replication 3 and min.insync.replicas=2, and a read_committed consumer reads it. Afterwards the killed broker is
 * started again on its folder and the time until it is back in every partition's ISR is measured.
 */
public final class KafkaBrokerFault {
    private static final int SIGKILL_STATUS = 128 + 9;

    private KafkaBrokerFault() {
    }

    public static FaultResult run(Path workspace, int records, int perSecond) throws Exception {
        long clusterStart = System.nanoTime();
        try (ExternalKafkaCluster cluster = ExternalKafkaCluster.start(workspace, 3);
             Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers(),
                     "request.timeout.ms", "10000", "default.api.timeout.ms", "30000"))) {
            long clusterUp = System.nanoTime() - clusterStart;
            return run(cluster, admin, clusterUp, records, perSecond);
        }
    }

    private static FaultResult run(ExternalKafkaCluster cluster, Admin admin, long clusterUp, int records, int perSecond)
            throws Exception {
        String bootstrap = cluster.bootstrapServers();
        String topic = "faults-broker-" + System.currentTimeMillis();
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(60, TimeUnit.SECONDS);
        TopicDescription d = awaitFullIsr(admin, topic, 30);
        int victim = d.partitions().get(0).leader().id();
        long victimPid = cluster.pid(victim);
        Set<Integer> victimPartitions = new HashSet<>();
        for (TopicPartitionInfo p : d.partitions()) {
            if (p.leader().id() == victim) {
                victimPartitions.add(p.partition());
            }
        }

        Map<String, Integer> seen = new ConcurrentHashMap<>();
        AtomicLong consumedRecords = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread consumer = new Thread(() -> {
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                    "group.id", "faults-broker-reader-" + topic, "isolation.level", "read_committed",
                    "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer())) {
                c.subscribe(List.of(topic));
                while (!stop.get()) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        seen.merge(r.value(), 1, Integer::sum);
                        consumedRecords.incrementAndGet();
                    }
                }
            }
        }, "faults-consumer");
        consumer.start();

        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicLong failed = new AtomicLong();
        List<String> failures = new ArrayList<>();
        AtomicLong killStart = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstAckAfterKill = new AtomicLong(Long.MAX_VALUE); // on a partition the victim led, sent after the kill
        AtomicLong lastAck = new AtomicLong(System.nanoTime());
        AtomicLong longestAckGap = new AtomicLong();
        AtomicInteger exitStatus = new AtomicInteger(-1);
        AtomicLong newLeaderAt = new AtomicLong(-1);
        AtomicInteger newLeader = new AtomicInteger(-1);
        Thread killer = null;
        long producedAt = System.nanoTime();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "enable.idempotence", "true", "acks", "all", "max.in.flight.requests.per.connection", "5",
                "delivery.timeout.ms", "120000", "request.timeout.ms", "10000", "linger.ms", "5"),
                new StringSerializer(), new StringSerializer())) {
            long periodNanos = 1_000_000_000L / perSecond;
            long next = System.nanoTime();
            for (int i = 0; i < records; i++) {
                if (i == records / 3) {
                    // on a thread of its own: the producer goes on sending while the broker dies
                    killStart.set(System.nanoTime());
                    killer = new Thread(() -> {
                        try {
                            exitStatus.set(cluster.kill(victim));
                            // the controller fences the dead broker after its session timeout, then elects from the ISR
                            for (int n = 0; n < 1200 && newLeaderAt.get() < 0; n++) {
                                TopicPartitionInfo p0 = admin.describeTopics(List.of(topic)).allTopicNames()
                                        .get(30, TimeUnit.SECONDS).get(topic).partitions().get(0);
                                if (p0.leader() != null && p0.leader().id() != victim) {
                                    newLeader.set(p0.leader().id());
                                    newLeaderAt.set(System.nanoTime());
                                }
                                Thread.sleep(50);
                            }
                        } catch (Exception e) {
                            synchronized (failures) {
                                failures.add("killer: " + e);
                            }
                        }
                    }, "faults-broker-kill");
                    killer.start();
                }
                String id = Integer.toString(i);
                long sentAt = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, "k-" + id, id), (meta, e) -> {
                    long now = System.nanoTime();
                    if (e != null) {
                        failed.incrementAndGet();
                        synchronized (failures) {
                            if (failures.size() < 3) {
                                failures.add(e.toString());
                            }
                        }
                        return;
                    }
                    acked.add(id);
                    long gap = now - lastAck.getAndSet(now);
                    longestAckGap.accumulateAndGet(gap, Math::max);
                    if (sentAt >= killStart.get() && victimPartitions.contains(meta.partition())) {
                        firstAckAfterKill.accumulateAndGet(now, Math::min);
                    }
                });
                next += periodNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            producer.flush();
        }
        if (killer != null) {
            killer.join();
        }
        long produceNanos = System.nanoTime() - producedAt;

        // the consumer reads until it has every acknowledged record, or nothing new came for 30 s
        long lastProgress = System.nanoTime();
        long lastCount = -1;
        while (!seen.keySet().containsAll(acked) && System.nanoTime() - lastProgress < 30_000_000_000L) {
            Thread.sleep(200);
            if (consumedRecords.get() != lastCount) {
                lastCount = consumedRecords.get();
                lastProgress = System.nanoTime();
            }
        }
        Thread.sleep(1000); // a late duplicate would arrive now
        stop.set(true);
        consumer.join(10_000);

        // the killed broker comes back on its folder: truncates to the leader's log, catches up, rejoins the ISR
        long restartAt = System.nanoTime();
        String rejoin;
        try {
            cluster.restart(victim);
            long up = System.nanoTime();
            awaitFullIsr(admin, topic, 180);
            rejoin = "restarted broker " + victim + " (new pid " + cluster.pid(victim) + ") was up in "
                    + FaultResult.millis(up - restartAt) + " and back in the ISR of every partition "
                    + FaultResult.millis(System.nanoTime() - restartAt) + " after the restart";
        } catch (Exception e) {
            rejoin = "restarted broker " + victim + " did not rejoin the ISR: " + e.getMessage();
        }

        long lost = acked.stream().filter(id -> !seen.containsKey(id)).count();
        long duplicated = seen.values().stream().mapToLong(n -> n - 1).sum();
        long resumeNanos = firstAckAfterKill.get() == Long.MAX_VALUE ? -1 : firstAckAfterKill.get() - killStart.get();
        List<String> notes = new ArrayList<>();
        notes.add("3 brokers + 1 controller, each a JVM of its own, up in " + FaultResult.millis(clusterUp));
        notes.add(records + " records sent at " + perSecond + "/s over " + FaultResult.millis(produceNanos)
                + "; acknowledged " + acked.size() + ", failed " + failed.get() + (failures.isEmpty() ? "" : " " + failures));
        notes.add("SIGKILLed broker " + victim + " (pid " + victimPid + ", exit status " + exitStatus.get()
                + ", leader of partitions " + victimPartitions + ") after " + records / 3 + " sends"
                + (newLeaderAt.get() < 0 ? "; partition 0 got no new leader"
                : "; partition 0 led by broker " + newLeader.get() + " " + FaultResult.millis(newLeaderAt.get() - killStart.get())
                + " after the kill (the controller waits for the broker's session timeout)"));
        notes.add("read_committed consumer saw " + consumedRecords.get() + " records, " + seen.size() + " distinct");
        notes.add("longest gap between two acknowledgements: " + FaultResult.millis(longestAckGap.get()));
        notes.add(rejoin);
        String recovery = resumeNanos < 0 ? "never resumed on the victim's partitions"
                : FaultResult.millis(resumeNanos) + " from the SIGKILL until the first ack on a partition the killed broker led";
        return new FaultResult("Kafka: 1 of 3 brokers killed", "leader broker's JVM SIGKILLed mid-produce",
                exitStatus.get() == SIGKILL_STATUS && firstAckAfterKill.get() != Long.MAX_VALUE, acked.size(),
                lost, duplicated, recovery, notes);
    }

    private static TopicDescription awaitFullIsr(Admin admin, String topic, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            TopicDescription d;
            try {
                d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                // just created: the broker that answered has not received the topic's metadata yet
                Thread.sleep(100);
                continue;
            }
            if (d.partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() == 3)) {
                return d;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("topic " + topic + " did not have 3 in-sync replicas on every partition within " + seconds + " s");
    }
}
