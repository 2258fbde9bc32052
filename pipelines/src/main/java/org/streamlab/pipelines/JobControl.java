package org.streamlab.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.streamlab.kernel.UserError;

/**
 * Running unbounded Kafka jobs the production way, as Phase 3 / 03 teaches it: wait while a job runs, stop it with a
 * drained savepoint once its consumer group has consumed the topic, cancel it mid-stream and find the checkpoint it
 * left on disk. Kafka is reached at the bootstrap servers given; Flink through the {@link JobClient} and its REST URL.
 */
public final class JobControl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobControl() {}

    /** A completed checkpoint: where it is ({@code file:/…/chk-N}) and its id. */
    public record Checkpoint(String path, long id) {}

    /** Fails with a readable error unless {@code inputTopic} exists; creates {@code deadLetterTopic} if it does not. */
    public static void ensureTopics(String bootstrapServers, String inputTopic, String deadLetterTopic) {
        try (Admin admin = admin(bootstrapServers)) {
            Set<String> topics = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            if (!topics.contains(inputTopic)) {
                throw new UserError("the input topic " + inputTopic + " does not exist on " + bootstrapServers,
                        "create it and produce the events first (%kafka create " + inputTopic + "), or fix inputTopic(...)");
            }
            if (!topics.contains(deadLetterTopic)) {
                admin.createTopics(List.of(new NewTopic(deadLetterTopic, 1, (short) 1))).all().get(15, TimeUnit.SECONDS);
            }
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw new UserError("Kafka at " + bootstrapServers + " did not answer: " + rootMessage(e),
                    "check that Kafka runs (%services) and bootstrapServers(...) is its address", e);
        }
    }

    /** The end offset of every partition of {@code topic}, now. */
    public static Map<TopicPartition, Long> endOffsets(String bootstrapServers, String topic) throws Exception {
        try (Admin admin = admin(bootstrapServers)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        }
    }

    /** The offsets {@code groupId} committed, per partition (partitions it never committed are missing). */
    public static Map<TopicPartition, Long> committedOffsets(String bootstrapServers, String groupId) throws Exception {
        try (Admin admin = admin(bootstrapServers)) {
            Map<TopicPartition, Long> committed = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, om) -> { if (om != null) committed.put(tp, om.offset()); });
            return committed;
        }
    }

    /** Records of {@code topic} that {@code groupId} has committed, summed over partitions. */
    public static long consumed(String bootstrapServers, String groupId) throws Exception {
        return committedOffsets(bootstrapServers, groupId).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Deletes the group's committed offsets (an earlier run's would make a new run look consumed at once). */
    public static void forgetGroup(String bootstrapServers, String groupId) throws Exception {
        try (Admin admin = admin(bootstrapServers)) {
            admin.deleteConsumerGroups(List.of(groupId)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
        }
    }

    /**
     * Waits, checking every 100 ms, until {@code done} holds; fails if the job ends by itself first (it failed,
     * with its failure) or after {@code timeout}.
     */
    public static void awaitWhileRunning(JobClient job, String what, Duration timeout, Callable<Boolean> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.call()) {
            JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("the job ended (" + status + ") before " + what + ": " + failureOf(job));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    /**
     * Waits until {@code groupId} has committed every partition's end offset of {@code topic} (so a completed
     * checkpoint covers every record), then stops the job with a drained savepoint and returns the savepoint's path.
     * The job is cancelled if waiting fails, so an unbounded job is never left behind.
     */
    public static String stopWhenConsumed(JobClient job, String bootstrapServers, String topic, String groupId, Duration timeout) throws Exception {
        try {
            Map<TopicPartition, Long> end = endOffsets(bootstrapServers, topic);
            awaitWhileRunning(job, "consumption of " + topic + " (end offsets " + end + ")", timeout, () -> {
                Map<TopicPartition, Long> committed = committedOffsets(bootstrapServers, groupId);
                return end.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                try {
                    return job.stopWithSavepoint(true, null, SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // a job restored a moment ago may still be deploying its tasks: the savepoint cannot start yet
                    if (!tasksNotYetRunning(e) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        } catch (Exception | Error e) {
            job.cancel();
            throw e;
        }
    }

    /** The job's latest completed checkpoint from Flink's REST API, if there is one yet. */
    public static Optional<Checkpoint> latestCheckpoint(String flinkRestUrl, JobClient job) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(flinkRestUrl + "/jobs/" + job.getJobID() + "/checkpoints")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode completed = JSON.readTree(r.body()).path("latest").path("completed");
        if (completed.isMissingNode() || completed.isNull()) {
            return Optional.empty();
        }
        return Optional.of(new Checkpoint(completed.path("external_path").asText(), completed.path("id").asLong()));
    }

    /**
     * Cancels the job, waits until it is CANCELED (at most {@code timeout}), and returns the newest completed
     * checkpoint it left on disk (retained on cancellation) in the folder of {@code anyCheckpoint}: a checkpoint may
     * have completed between the last look and the cancel.
     */
    public static Checkpoint cancelAndFindRetainedCheckpoint(JobClient job, Checkpoint anyCheckpoint, Duration timeout) throws Exception {
        job.cancel().get(timeout.toSeconds(), TimeUnit.SECONDS);
        long deadline = System.nanoTime() + timeout.toNanos();
        JobStatus status;
        do {
            Thread.sleep(50);
            status = job.getJobStatus().get(30, TimeUnit.SECONDS);
        } while (!status.isGloballyTerminalState() && System.nanoTime() < deadline);
        if (status != JobStatus.CANCELED) {
            throw new IllegalStateException("the job was not cancelled within " + timeout.toSeconds() + " s: " + status);
        }
        Path folder = Path.of(URI.create(anyCheckpoint.path())).getParent();
        Path newest = newestCompletedCheckpoint(folder).orElseThrow(() -> new IllegalStateException("no completed "
                + "checkpoint left in " + folder + ": is externalized checkpoint retention RETAIN_ON_CANCELLATION?"));
        return new Checkpoint(newest.toUri().toString(), Long.parseLong(newest.getFileName().toString().substring(4)));
    }

    /** The newest completed checkpoint ({@code chk-N} with its {@code _metadata}) in a job's checkpoint folder, if any. */
    public static Optional<Path> newestCompletedCheckpoint(Path jobFolder) throws IOException {
        if (!Files.isDirectory(jobFolder)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jobFolder)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.exists(d.resolve("_metadata")))
                    .max(Comparator.comparingLong(d -> Long.parseLong(d.getFileName().toString().substring(4))));
        }
    }

    /** Why a job that ended by itself failed: the innermost message of its failure. */
    public static String failureOf(JobClient job) {
        try {
            job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
            return "no failure";
        } catch (Exception e) {
            return rootMessage(e);
        }
    }

    /**
     * A job failure caused by a ClickHouse sink ({@link ClickHouseSinkException}) becomes one readable UserError that
     * says why running again is safe ({@code rerunSafeBecause}); anything else is rethrown as is.
     */
    public static RuntimeException explainFailure(Exception e, String job, String rerunSafeBecause) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.startsWith("ClickHouse at ")) {
                return new UserError(m, job + " stopped; once ClickHouse answers, run it again: " + rerunSafeBecause, e);
            }
        }
        return e instanceof RuntimeException r ? r : new RuntimeException(job + " failed: " + rootMessage(e), e);
    }

    /** The innermost cause as {@code SimpleName: message}. */
    private static boolean tasksNotYetRunning(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("Not all required tasks are currently running")) {
                return true;
            }
        }
        return false;
    }

    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static Admin admin(String bootstrapServers) {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers, "request.timeout.ms", "10000", "default.api.timeout.ms", "15000"));
    }
}
