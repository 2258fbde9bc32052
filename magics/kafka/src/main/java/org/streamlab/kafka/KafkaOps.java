package org.streamlab.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.internals.Topic;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.display.HtmlTable;
import org.streamlab.kernel.magic.MagicContext;

/** What the {@code %kafka} subcommands do, against a running {@link KafkaService}. */
final class KafkaOps {
    /** Rows a record table shows (the total count is always given). */
    static final int SHOWN_ROWS = 100;
    private static final long REFRESH_NANOS = 250_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaOps() {}

    // ---- topics ---------------------------------------------------------------------------------------

    static HtmlTable topics(KafkaService service) {
        KafkaConnection c = service.connection();
        Admin admin = c.admin();
        Set<String> names = new TreeSet<>(c.await(admin.listTopics().names(), null));
        HtmlTable t = new HtmlTable(List.of("topic", "partitions", "replication factor", "records"));
        if (names.isEmpty()) {
            return t.caption("no topics yet: create one with %kafka create NAME");
        }
        Map<String, TopicDescription> descriptions = new TreeMap<>(c.await(admin.describeTopics(names).allTopicNames(), null));
        Map<TopicPartition, Long> counts = recordCounts(c, descriptions.values());
        for (TopicDescription d : descriptions.values()) {
            long records = 0;
            for (TopicPartitionInfo p : d.partitions()) {
                records += counts.getOrDefault(new TopicPartition(d.name(), p.partition()), 0L);
            }
            t.addRow(List.of(d.name(), d.partitions().size(), replicationFactor(d), records));
        }
        return t;
    }

    /** Latest minus earliest offset per partition (what a reader from the beginning can see, roughly). */
    private static Map<TopicPartition, Long> recordCounts(KafkaConnection c, Collection<TopicDescription> topics) {
        List<TopicPartition> tps = new ArrayList<>();
        for (TopicDescription d : topics) {
            for (TopicPartitionInfo p : d.partitions()) {
                tps.add(new TopicPartition(d.name(), p.partition()));
            }
        }
        Map<TopicPartition, Long> earliest = offsets(c, tps, OffsetSpec.earliest(), null);
        Map<TopicPartition, Long> latest = offsets(c, tps, OffsetSpec.latest(), null);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : tps) {
            out.put(tp, Math.max(0, latest.getOrDefault(tp, 0L) - earliest.getOrDefault(tp, 0L)));
        }
        return out;
    }

    private static Map<TopicPartition, Long> offsets(KafkaConnection c, Collection<TopicPartition> tps, OffsetSpec spec, String topic) {
        if (tps.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        tps.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResultInfo> result = c.await(c.admin().listOffsets(request).all(), topic);
        Map<TopicPartition, Long> out = new HashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static int replicationFactor(TopicDescription d) {
        return d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
    }

    static KafkaStatus create(KafkaService service, String topic, Integer partitions, Short replication, Map<String, String> configs) {
        KafkaConnection c = service.connection();
        try {
            Topic.validate(topic);
        } catch (KafkaException e) {
            throw c.translate(e, topic);
        }
        NewTopic nt = new NewTopic(topic, Optional.ofNullable(partitions), Optional.ofNullable(replication)).configs(configs);
        c.await(c.admin().createTopics(List.of(nt)).all(), topic);
        TopicDescription d = describeWithRetry(c, topic);
        StringBuilder sb = new StringBuilder("created topic '").append(topic).append("': ")
                .append(d.partitions().size()).append(d.partitions().size() == 1 ? " partition" : " partitions")
                .append(", replication factor ").append(replicationFactor(d));
        configs.forEach((k, v) -> sb.append(", ").append(k).append('=').append(v));
        return new KafkaStatus(sb.toString());
    }

    /** A just-created topic may take a moment to reach every broker's metadata. */
    private static TopicDescription describeWithRetry(KafkaConnection c, String topic) {
        UserError last = null;
        for (int i = 0; i < 50; i++) {
            try {
                return c.await(c.admin().describeTopics(List.of(topic)).allTopicNames(), topic).get(topic);
            } catch (UserError e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                last = e;
                sleep(100);
            }
        }
        throw last;
    }

    /**
     * Deletes those of {@code topics} that exist and waits until the brokers no longer list them (deletion is
     * asynchronous: a topic created again too early would meet the old one). Topics that do not exist are skipped,
     * so a notebook can start with this on every run. Returns the topics deleted.
     */
    static List<String> deleteTopicsIfPresent(KafkaConnection c, Collection<String> topics) {
        Set<String> existing = c.await(c.admin().listTopics().names(), null);
        List<String> doomed = topics.stream().distinct().filter(existing::contains).toList();
        if (doomed.isEmpty()) {
            return doomed;
        }
        c.await(c.admin().deleteTopics(doomed).all(), String.join(", ", doomed));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(KafkaConnection.CALL_SECONDS);
        while (!java.util.Collections.disjoint(c.await(c.admin().listTopics().names(), null), doomed)) {
            if (System.nanoTime() > deadline) {
                throw new UserError("Kafka still lists " + doomed + " " + KafkaConnection.CALL_SECONDS + " s after deleting them",
                        "run the cell again; if it persists: %services restart kafka");
            }
            sleepBriefly();
        }
        return doomed;
    }

    /** Deletes those of the consumer {@code groups} that exist (with their committed offsets); returns them. */
    static List<String> deleteGroupsIfPresent(KafkaConnection c, Collection<String> groups) {
        Set<String> existing = c.await(c.admin().listGroups().all(), null).stream().map(GroupListing::groupId)
                .collect(Collectors.toSet());
        List<String> doomed = groups.stream().distinct().filter(existing::contains).toList();
        if (!doomed.isEmpty()) {
            c.await(c.admin().deleteConsumerGroups(doomed).all(), null);
        }
        return doomed;
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted", null);
        }
    }

    static TopicDescription requireTopic(KafkaConnection c, String topic) {
        try {
            Topic.validate(topic);
        } catch (KafkaException e) {
            throw c.translate(e, topic);
        }
        return c.await(c.admin().describeTopics(List.of(topic)).allTopicNames(), topic).get(topic);
    }

    static HtmlTable describe(KafkaService service, String topic) {
        KafkaConnection c = service.connection();
        TopicDescription d = requireTopic(c, topic);
        List<TopicPartition> tps = d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, Long> earliest = offsets(c, tps, OffsetSpec.earliest(), topic);
        Map<TopicPartition, Long> latest = offsets(c, tps, OffsetSpec.latest(), topic);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = c.await(c.admin().describeConfigs(List.of(resource)).all(), topic).get(resource);
        List<String> set = new ArrayList<>();
        if (config != null) {
            for (ConfigEntry e : config.entries()) {
                if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                    set.add(e.name() + "=" + e.value());
                }
            }
        }
        java.util.Collections.sort(set);
        HtmlTable t = new HtmlTable(List.of("partition", "leader", "replicas", "isr", "earliest offset", "latest offset"));
        for (TopicPartitionInfo p : d.partitions()) {
            TopicPartition tp = new TopicPartition(topic, p.partition());
            t.addRow(List.of(p.partition(), p.leader() == null || p.leader().isEmpty() ? "none" : String.valueOf(p.leader().id()),
                    ids(p.replicas()), ids(p.isr()), earliest.getOrDefault(tp, 0L), latest.getOrDefault(tp, 0L)));
        }
        return t.caption("topic " + topic + ": " + d.partitions().size() + (d.partitions().size() == 1 ? " partition" : " partitions")
                + ", replication factor " + replicationFactor(d) + "; config: " + (set.isEmpty() ? "broker defaults" : String.join(", ", set)));
    }

    private static String ids(List<Node> nodes) {
        return nodes.stream().map(n -> String.valueOf(n.id())).collect(Collectors.joining(","));
    }

    static KafkaStatus delete(KafkaService service, String topic) {
        KafkaConnection c = service.connection();
        requireTopic(c, topic);
        c.await(c.admin().deleteTopics(List.of(topic)).all(), topic);
        return new KafkaStatus("deleted topic '" + topic + "'");
    }

    // ---- produce --------------------------------------------------------------------------------------

    static HtmlTable produceOne(KafkaService service, String topic, String key, String value) {
        KafkaConnection c = service.connection();
        boolean existed = topicExists(c, topic);
        try (KafkaProducer<String, String> p = c.producer(Map.of())) {
            RecordMetadata m = p.send(new ProducerRecord<>(topic, key, value)).get();
            HtmlTable t = new HtmlTable(List.of("topic", "partition", "offset", "key", "timestamp"));
            t.addRow(List.of(topic, m.partition(), m.offset(), key == null ? "null" : key, Instant.ofEpochMilli(m.timestamp()).toString()));
            return t.caption("produced 1 record" + (existed ? "" : " (the broker created topic '" + topic + "' with its defaults)"));
        } catch (java.util.concurrent.ExecutionException e) {
            throw produceFailure(c, e.getCause(), topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted", null);
        } catch (KafkaException e) {
            throw produceFailure(c, e, topic);
        }
    }

    /**
     * A failed send. A record that the brokers never acknowledged ends in a timeout; with acks=all the usual
     * reason is a partition with fewer in-sync replicas than min.insync.replicas, so look and say so.
     */
    static UserError produceFailure(KafkaConnection c, Throwable e, String topic) {
        if (!(e instanceof org.apache.kafka.common.errors.TimeoutException
                || e instanceof org.apache.kafka.common.errors.NotEnoughReplicasException
                || e instanceof org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException)) {
            return c.translate(e, topic);
        }
        String diagnosis = "";
        try {
            TopicDescription d = c.admin().describeTopics(List.of(topic)).allTopicNames()
                    .get(5, java.util.concurrent.TimeUnit.SECONDS).get(topic);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = c.admin().describeConfigs(List.of(resource)).all().get(5, java.util.concurrent.TimeUnit.SECONDS).get(resource);
            ConfigEntry minIsr = config == null ? null : config.get("min.insync.replicas");
            int required = minIsr == null ? 1 : Integer.parseInt(minIsr.value());
            List<String> short_ = new ArrayList<>();
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.isr().size() < required) {
                    short_.add("partition " + p.partition() + " has " + p.isr().size() + " in-sync replica(s)");
                }
            }
            if (!short_.isEmpty()) {
                diagnosis = ": not enough in-sync replicas (" + String.join(", ", short_) + "; min.insync.replicas=" + required + ")";
            }
        } catch (Exception ignored) {
            // the diagnosis is a courtesy; the failure itself is reported below
        }
        if (diagnosis.isEmpty() && e instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new UserError("the brokers did not acknowledge the record(s) for " + topic + ": " + e.getMessage(),
                    "check %kafka describe " + topic + " (leader and isr columns) and %kafka brokers", e);
        }
        return new UserError("the brokers refused the record(s) for " + topic + diagnosis + " (" + e.getMessage() + ")",
                "with acks=all a write needs min.insync.replicas in-sync replicas: start the stopped broker(s) again "
                        + "(%kafka brokers), or lower min.insync.replicas", e);
    }

    private static boolean topicExists(KafkaConnection c, String topic) {
        try {
            Topic.validate(topic);
        } catch (KafkaException e) {
            throw c.translate(e, topic);
        }
        return c.await(c.admin().listTopics().names(), topic).contains(topic);
    }

    /**
     * The keys of a {@code %%kafka produce} body, one per non-blank line, taken from a JSON field or fixed;
     * null when records have no key. Reads the whole body first, so a bad line fails before anything is sent.
     */
    static List<String> parseKeys(String body, String keyField, String fixedKey) {
        if (keyField == null && fixedKey == null) {
            return null;
        }
        List<String> keys = new ArrayList<>();
        int lineNo = 0;
        for (String line : (Iterable<String>) body.lines()::iterator) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            if (keyField == null) {
                keys.add(fixedKey);
                continue;
            }
            String value = line.strip();
            JsonNode node;
            try {
                node = JSON.readTree(value);
            } catch (Exception e) {
                throw new UserError("line " + lineNo + " is not JSON, so --key-field " + keyField + " cannot read it: " + abbreviate(value),
                        "give one JSON object per line, or drop --key-field");
            }
            JsonNode k = node == null ? null : node.get(keyField);
            if (k == null || k.isNull()) {
                throw new UserError("line " + lineNo + " has no field '" + keyField + "': " + abbreviate(value),
                        "every line needs the key field, or drop --key-field");
            }
            keys.add(k.isValueNode() ? k.asText() : k.toString());
        }
        return keys;
    }

    /** Non-blank lines of a body, counted without copying them. */
    static int countRecords(String body) {
        int n = 0;
        int start = 0;
        int len = body.length();
        while (start < len) {
            int end = lineEnd(body, start);
            if (!isBlank(body, start, end)) {
                n++;
            }
            start = next(body, end);
        }
        return n;
    }

    private static int lineEnd(String s, int from) {
        int len = s.length();
        int i = from;
        while (i < len) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    private static int next(String s, int end) {
        if (end < s.length() && s.charAt(end) == '\r' && end + 1 < s.length() && s.charAt(end + 1) == '\n') {
            return end + 2;
        }
        return end + 1;
    }

    private static boolean isBlank(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 59) + "…" : s;
    }

    /**
     * Produces every non-blank line of a cell body (stripped of surrounding blanks) as one record, showing a
     * progress line that updates in place for large bodies; returns a table of what each partition received.
     * Lines are cut from the body as they are sent, so a large cell costs no second copy of itself.
     */
    static HtmlTable produceLines(KafkaService service, MagicContext context, String topic, String body, String keyField, String fixedKey) {
        KafkaConnection c = service.connection();
        long start = System.nanoTime();
        List<String> keys = parseKeys(body, keyField, fixedKey);
        int total = keys != null ? keys.size() : countRecords(body);
        if (total == 0) {
            throw new UserError("the cell has no records to produce", "write one record per line below %%kafka produce " + topic);
        }
        boolean existed = topicExists(c, topic);
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Map<Integer, long[]> perPartition = new TreeMap<>(); // partition -> {count, first offset, last offset}
        org.apache.kafka.clients.producer.Callback callback = (m, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
                return;
            }
            synchronized (perPartition) {
                long[] st = perPartition.get(m.partition());
                if (st == null) {
                    perPartition.put(m.partition(), new long[] {1, m.offset(), m.offset()});
                } else {
                    st[0]++;
                    st[1] = Math.min(st[1], m.offset());
                    st[2] = Math.max(st[2], m.offset());
                }
            }
            acked.incrementAndGet();
        };
        String progressId = null;
        long lastRefresh = start;
        int sent = 0;
        boolean interrupted = false;
        try (KafkaProducer<String, String> producer = c.producer(Map.of())) {
            int pos = 0;
            int len = body.length();
            while (pos < len && sent < total) {
                int end = lineEnd(body, pos);
                int a = pos;
                int b = end;
                pos = next(body, end);
                while (a < b && Character.isWhitespace(body.charAt(a))) {
                    a++;
                }
                while (b > a && Character.isWhitespace(body.charAt(b - 1))) {
                    b--;
                }
                if (a == b) {
                    continue;
                }
                if (failure.get() != null) {
                    break;
                }
                try {
                    producer.send(new ProducerRecord<>(topic, keys == null ? null : keys.get(sent), body.substring(a, b)), callback);
                } catch (InterruptException e) {
                    // interrupted while waiting for buffer space: stop sending, deliver what was sent
                    interrupted = true;
                    Thread.interrupted();
                    break;
                }
                sent++;
                if ((sent & 1023) == 0) {
                    if (context.isInterrupted()) {
                        interrupted = true;
                        Thread.interrupted(); // flush what was sent without failing on the interrupt
                        break;
                    }
                    long now = System.nanoTime();
                    if (now - lastRefresh >= REFRESH_NANOS) {
                        lastRefresh = now;
                        KafkaStatus text = progress(topic, acked.get(), total, now - start);
                        if (progressId == null) {
                            progressId = context.display(text);
                        } else {
                            context.updateDisplay(progressId, text);
                        }
                    }
                }
            }
            producer.flush();
        } catch (InterruptException e) {
            interrupted = true;
            Thread.interrupted();
        } catch (KafkaException e) {
            throw c.translate(e, topic);
        }
        long elapsed = System.nanoTime() - start;
        if (progressId != null) {
            context.updateDisplay(progressId, progress(topic, acked.get(), total, elapsed));
        }
        if (failure.get() != null) {
            UserError ue = produceFailure(c, failure.get(), topic);
            throw new UserError("produced " + acked.get() + " of " + total + " records, then: " + ue.getMessage(), ue.hint(), failure.get());
        }
        HtmlTable t = new HtmlTable(List.of("partition", "records", "first offset", "last offset"));
        synchronized (perPartition) {
            perPartition.forEach((p, st) -> t.addRow(List.of(p, st[0], st[1], st[2])));
        }
        double seconds = elapsed / 1e9;
        return t.caption((interrupted ? "interrupted: " : "") + "produced " + acked.get() + (acked.get() == 1 ? " record" : " records")
                + " to " + topic + String.format(" in %.2f s", seconds)
                + (existed ? "" : " (the broker created topic '" + topic + "' with its defaults)"));
    }

    private static KafkaStatus progress(String topic, long done, long total, long nanos) {
        return new KafkaStatus(String.format("producing to %s: %,d / %,d records produced (%.1f s)", topic, done, total, nanos / 1e9));
    }

    // ---- consume --------------------------------------------------------------------------------------

    /** How a consume ended, and what it read. */
    record Consumed(KafkaRecordList records, String reason) {}

    static Consumed consume(KafkaService service, MagicContext context, String topic, boolean fromBeginning,
                            int max, double timeoutSeconds, String group) {
        KafkaConnection c = service.connection();
        TopicDescription d = requireTopic(c, topic);
        KafkaRecordList records = new KafkaRecordList();
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("auto.offset.reset", fromBeginning ? "earliest" : "latest");
        overrides.put("max.poll.records", Math.max(1, Math.min(max, 500)));
        overrides.put("client.id", "streamlab-consume");
        String reason = "timeout";
        long start = System.nanoTime();
        long deadline = start + (long) (timeoutSeconds * 1e9);
        String displayId = null;
        try (KafkaConsumer<String, String> consumer = c.consumer(group, overrides);
             AutoCloseable hook = context.onInterrupt(consumer::wakeup)) {
            if (group != null) {
                consumer.subscribe(List.of(topic));
            } else {
                List<TopicPartition> tps = d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(tps);
                if (fromBeginning) {
                    consumer.seekToBeginning(tps);
                } else {
                    consumer.seekToEnd(tps);
                }
                for (TopicPartition tp : tps) {
                    consumer.position(tp); // fix the start now, so records produced from here on are seen
                }
            }
            displayId = context.display(liveTable(records, topic, "waiting for records…"));
            long lastRefresh = System.nanoTime();
            boolean dirty = false;
            while (true) {
                if (records.size() >= max) {
                    reason = "--max " + max + " reached";
                    break;
                }
                if (context.isInterrupted()) {
                    reason = "interrupted";
                    Thread.interrupted();
                    break;
                }
                long now = System.nanoTime();
                if (now >= deadline) {
                    reason = "--timeout " + trim(timeoutSeconds) + " s reached";
                    break;
                }
                long waitMs = Math.max(1, Math.min(200, (deadline - now) / 1_000_000));
                ConsumerRecords<String, String> batch;
                try {
                    batch = consumer.poll(Duration.ofMillis(waitMs));
                } catch (WakeupException | InterruptException e) {
                    reason = "interrupted";
                    Thread.interrupted(); // so that closing the consumer below does not fail on the interrupt
                    break;
                }
                for (ConsumerRecord<String, String> r : batch) {
                    if (records.size() >= max) {
                        break;
                    }
                    records.add(new KafkaRecord(r.topic(), r.partition(), r.offset(), r.key(), r.value(), Instant.ofEpochMilli(r.timestamp())));
                    dirty = true;
                }
                now = System.nanoTime();
                if (dirty && now - lastRefresh >= REFRESH_NANOS) {
                    context.updateDisplay(displayId, liveTable(records, topic, "consuming…"));
                    lastRefresh = now;
                    dirty = false;
                }
            }
            if (group != null && !records.isEmpty()) {
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                for (KafkaRecord r : records) {
                    commit.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                            (a, b) -> a.offset() >= b.offset() ? a : b);
                }
                consumer.commitSync(commit);
            }
        } catch (WakeupException | InterruptException e) {
            reason = "interrupted";
            Thread.interrupted();
        } catch (KafkaException e) {
            throw c.translate(e, topic);
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw c.translate(e, topic);
        }
        if (displayId != null) {
            context.updateDisplay(displayId, new KafkaStatus(String.format("consumed %d %s from %s in %.1f s (%s)", records.size(),
                    records.size() == 1 ? "record" : "records", topic, (System.nanoTime() - start) / 1e9, reason)));
        }
        return new Consumed(records, reason);
    }

    private static HtmlTable liveTable(List<KafkaRecord> records, String topic, String status) {
        return KafkaRecord.table(records, SHOWN_ROWS).caption(topic + ": " + records.size() + " records, " + status);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    // ---- groups ---------------------------------------------------------------------------------------

    static HtmlTable groups(KafkaService service) {
        KafkaConnection c = service.connection();
        Collection<GroupListing> listings = c.await(c.admin().listGroups().all(), null);
        List<GroupListing> sorted = new ArrayList<>(listings);
        sorted.sort((a, b) -> a.groupId().compareTo(b.groupId()));
        List<String> consumerGroups = sorted.stream()
                .filter(g -> g.type().map(t -> t == GroupType.CONSUMER || t == GroupType.CLASSIC).orElse(true))
                .map(GroupListing::groupId).toList();
        Map<String, ConsumerGroupDescription> described = consumerGroups.isEmpty() ? Map.of()
                : c.await(c.admin().describeConsumerGroups(consumerGroups).all(), null);
        HtmlTable t = new HtmlTable(List.of("group", "type", "state", "members"));
        for (GroupListing g : sorted) {
            ConsumerGroupDescription d = described.get(g.groupId());
            t.addRow(List.of(g.groupId(), g.type().map(x -> x.toString().toLowerCase()).orElse("?"),
                    g.groupState().map(x -> x.toString().toLowerCase()).orElse("?"), d == null ? "" : d.members().size()));
        }
        return sorted.isEmpty() ? t.caption("no groups yet: %kafka consume TOPIC --group NAME creates one") : t;
    }

    static HtmlTable lag(KafkaService service, String group) {
        KafkaConnection c = service.connection();
        Map<TopicPartition, OffsetAndMetadata> committed = c.await(c.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), null);
        Map<TopicPartition, OffsetAndMetadata> present = new TreeMap<>((a, b) -> a.topic().equals(b.topic())
                ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
        committed.forEach((tp, om) -> {
            if (om != null) {
                present.put(tp, om);
            }
        });
        if (present.isEmpty()) {
            boolean known = c.await(c.admin().listGroups().all(), null).stream().anyMatch(g -> g.groupId().equals(group));
            throw new UserError(known ? "consumer group '" + group + "' has no committed offsets yet" : "no consumer group '" + group + "'",
                    "list groups with %kafka groups; a group appears once it commits, e.g. %kafka consume TOPIC --group " + group);
        }
        Map<TopicPartition, Long> ends = offsets(c, present.keySet(), OffsetSpec.latest(), null);
        HtmlTable t = new HtmlTable(List.of("topic", "partition", "committed offset", "end offset", "lag"));
        long total = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : present.entrySet()) {
            long end = ends.getOrDefault(e.getKey(), 0L);
            long lag = Math.max(0, end - e.getValue().offset());
            total += lag;
            t.addRow(List.of(e.getKey().topic(), e.getKey().partition(), e.getValue().offset(), end, lag));
        }
        return t.caption("group " + group + ": total lag " + total);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted", null);
        }
    }
}
