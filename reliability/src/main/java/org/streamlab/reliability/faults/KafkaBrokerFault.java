package org.streamlab.reliability.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.streamlab.kafka.Kafka;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * A broker of the kafka magic's 3-broker KRaft cluster (embedded brokers in the kernel's JVM, one controller-only
 * node) is stopped while an idempotent producer (acks=all) writes to a topic with replication 3 and
 * min.insync.replicas=2, and a read_committed consumer reads it. The broker stopped is the leader of partition 0.
 */
public final class KafkaBrokerFault {
    private KafkaBrokerFault() {
    }

    public static FaultResult run(KernelTestKit kit, int records, int perSecond) throws Exception {
        kit.execSuccess("%services start kafka --brokers 3");
        String topic = "faults-broker-" + System.currentTimeMillis();
        int victim;
        Set<Integer> victimPartitions = new HashSet<>();
        try (Admin admin = Kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(60, TimeUnit.SECONDS);
            TopicDescription d = awaitFullIsr(admin, topic);
            victim = d.partitions().get(0).leader().id();
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.leader().id() == victim) {
                    victimPartitions.add(p.partition());
                }
            }
        }

        Map<String, Integer> seen = new ConcurrentHashMap<>();
        AtomicLong consumedRecords = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread consumer = new Thread(() -> {
            try (KafkaConsumer<String, String> c = Kafka.consumer("faults-broker-reader-" + topic,
                    Map.of("isolation.level", "read_committed", "auto.offset.reset", "earliest"))) {
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
        AtomicLong stopDone = new AtomicLong();
        Thread killer = null;
        long producedAt = System.nanoTime();
        try (KafkaProducer<String, String> producer = Kafka.producer(Map.of(
                "enable.idempotence", "true", "acks", "all", "max.in.flight.requests.per.connection", "5",
                "delivery.timeout.ms", "120000", "request.timeout.ms", "10000", "linger.ms", "5"))) {
            long periodNanos = 1_000_000_000L / perSecond;
            long next = System.nanoTime();
            for (int i = 0; i < records; i++) {
                if (i == records / 3) {
                    // on a thread of its own: the producer goes on sending while the broker goes down
                    killStart.set(System.nanoTime());
                    killer = new Thread(() -> {
                        Kafka.stopBroker(victim);
                        stopDone.set(System.nanoTime());
                    }, "faults-broker-stop");
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
        long stopNanos = stopDone.get() - killStart.get();
        long produceSeconds = System.nanoTime() - producedAt;

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
        Kafka.startBroker(victim);

        long lost = acked.stream().filter(id -> !seen.containsKey(id)).count();
        long duplicated = seen.values().stream().mapToLong(n -> n - 1).sum();
        long resumeNanos = firstAckAfterKill.get() == Long.MAX_VALUE ? -1 : firstAckAfterKill.get() - killStart.get();
        List<String> notes = new ArrayList<>();
        notes.add(records + " records sent at " + perSecond + "/s over " + FaultResult.millis(produceSeconds)
                + "; acknowledged " + acked.size() + ", failed " + failed.get() + (failures.isEmpty() ? "" : " " + failures));
        notes.add("stopped broker " + victim + " (leader of partitions " + victimPartitions + ") after " + records / 3
                + " sends; its controlled shutdown took " + FaultResult.millis(stopNanos)
                + " (the kafka magic's brokers run in the kernel's JVM: stop-broker is a shutdown, not a SIGKILL)");
        notes.add("read_committed consumer saw " + consumedRecords.get() + " records, " + seen.size() + " distinct");
        notes.add("longest gap between two acknowledgements: " + FaultResult.millis(longestAckGap.get()));
        String recovery = resumeNanos < 0 ? "never resumed on the victim's partitions"
                : FaultResult.millis(resumeNanos) + " from the stop until the first ack on a partition the stopped broker led";
        return new FaultResult("Kafka: 1 of 3 brokers down", "leader broker stopped mid-produce",
                stopDone.get() > 0 && firstAckAfterKill.get() != Long.MAX_VALUE, acked.size(),
                lost, duplicated, recovery, notes);
    }

    private static TopicDescription awaitFullIsr(Admin admin, String topic) throws Exception {
        for (int i = 0; i < 300; i++) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            if (d.partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() == 3)) {
                return d;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("topic " + topic + " never had 3 in-sync replicas on every partition");
    }
}
