package org.streamlab.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.sql.SparkSession;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.magic.MagicContext;
import scala.Option;

/** One running SparkSession with Delta, plus the worker thread that runs cells' statements under a job group. */
final class SparkEngine {
    /** A cell shows live progress once its Spark work has run this long. */
    static volatile long progressAfterMillis = 700;

    private static final AtomicLong GROUPS = new AtomicLong();

    private final SparkSession session;
    private final String master;
    private final CatalogStore catalog;
    private final ExecutorService worker;

    private SparkEngine(SparkSession session, String master, CatalogStore catalog) {
        this.session = session;
        this.master = master;
        this.catalog = catalog;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "streamlab-spark-cell");
            t.setDaemon(true);
            return t;
        });
    }

    SparkSession session() { return session; }

    String master() { return master; }

    Path warehouse() { return catalog.warehouse(); }

    static SparkEngine start(KernelConfig config, String externalMaster, String extraConf) throws Exception {
        Path dir = config.workspaceDir("spark");
        Path warehouse = dir.resolve("warehouse");
        Files.createDirectories(warehouse);
        Map<String, String> conf = new LinkedHashMap<>();
        String master = externalMaster == null ? "local[*]" : externalMaster;
        boolean loopback = true;
        if (externalMaster != null && externalMaster.startsWith("spark://")) {
            loopback = checkMasterReachable(config, externalMaster);
        }
        conf.put("spark.master", master);
        conf.put("spark.app.name", "StreamLab");
        conf.put("spark.ui.enabled", "false");
        conf.put("spark.ui.showConsoleProgress", "false");
        // SQL timestamp literals mean the same instant on every learner's laptop, and match the other engines the
        // course compares with (Feast, ClickHouse, Flink work in UTC); SPARK_CONF can still set another zone
        conf.put("spark.sql.session.timeZone", "UTC");
        conf.put("spark.sql.shuffle.partitions", "4");
        conf.put("spark.default.parallelism", "4");
        conf.put("spark.serializer", "org.apache.spark.serializer.JavaSerializer");
        conf.put("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
        conf.put("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
        conf.put("spark.sql.catalogImplementation", "in-memory");
        conf.put("spark.sql.warehouse.dir", warehouse.toUri().toString());
        conf.put("spark.databricks.delta.snapshotPartitions", "2");
        conf.put("spark.ui.retainedJobs", "200");
        conf.put("spark.ui.retainedStages", "400");
        conf.put("spark.ui.retainedTasks", "5000");
        conf.put("spark.sql.ui.retainedExecutions", "50");
        conf.put("spark.cleaner.periodicGC.interval", "10min");
        if (loopback) {
            conf.put("spark.driver.host", "127.0.0.1");
            conf.put("spark.driver.bindAddress", "127.0.0.1");
        }
        if (externalMaster != null) {
            conf.put("spark.executor.memory", "512m");
            if (loopback) {
                // A master on this machine runs executors here: give them the kernel's jars (Delta included).
                conf.put("spark.executor.extraClassPath", System.getProperty("java.class.path"));
            }
        }
        conf.putAll(parseConf(extraConf));
        Logs.quietSpark();

        SparkSession.Builder builder = SparkSession.builder();
        conf.forEach(builder::config);
        SparkSession session = builder.getOrCreate();
        try {
            CatalogStore catalog = new CatalogStore(session, dir.resolve("catalog.json"), warehouse);
            catalog.restore();
            catalog.listen();
            return new SparkEngine(session, master, catalog);
        } catch (Exception | Error e) {
            session.stop();
            throw e;
        }
    }

    /** Fails fast, with the address and how to configure it, when no host of a spark:// URL answers. */
    private static boolean checkMasterReachable(KernelConfig config, String url) {
        String hosts = url.substring("spark://".length());
        boolean allLoopback = true;
        String lastError = null;
        boolean reached = false;
        for (String hostPort : hosts.split(",")) {
            String hp = hostPort.strip();
            int colon = hp.lastIndexOf(':');
            String host = colon < 0 ? hp : hp.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hp.substring(colon + 1).replaceAll("/.*", ""));
            } catch (NumberFormatException e) {
                throw new UserError("SPARK_MASTER is not a valid master URL: " + url,
                        "write it as spark://HOST:PORT (e.g. spark://127.0.0.1:7077); " + config.howToSet(SparkService.MASTER_KEY));
            }
            String h = host.toLowerCase(Locale.ROOT);
            allLoopback &= h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 3000);
                reached = true;
            } catch (IOException e) {
                lastError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
        }
        if (!reached) {
            throw new UserError("the Spark master at " + url + " did not answer (" + lastError + ")",
                    "start the master (and a worker) there, or fix SPARK_MASTER: " + config.howToSet(SparkService.MASTER_KEY)
                            + "; unset it to use the embedded local Spark");
        }
        return allLoopback;
    }

    static Map<String, String> parseConf(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String pair : text.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UserError("SPARK_CONF entry is not key=value: " + pair.strip(),
                        "write SPARK_CONF as key=value pairs separated by ';', e.g. spark.executor.memory=1g;spark.sql.shuffle.partitions=8");
            }
            out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return out;
    }

    void stop() {
        worker.shutdownNow();
        try {
            catalog.close();
        } finally {
            try {
                session.stop();
            } finally {
                SparkSession.clearActiveSession();
                SparkSession.clearDefaultSession();
                try {
                    org.apache.spark.sql.delta.DeltaLog.clearCache();
                } catch (RuntimeException ignored) {
                    // cache already gone
                }
            }
        }
    }

    /**
     * Runs {@code work} on the Spark worker thread under a fresh job group, while this (the cell's) thread shows
     * progress and turns an interrupt into a cancellation of the group's jobs.
     */
    <T> T run(MagicContext context, String description, Function<SparkSession, T> work) {
        SparkContext sc = session.sparkContext();
        String group = "streamlab-cell-" + GROUPS.incrementAndGet();
        AtomicBoolean cancelled = new AtomicBoolean();
        Runnable cancel = () -> {
            cancelled.set(true);
            sc.cancelJobGroupAndFutureJobs(group, "interrupted from the notebook");
        };
        Future<T> future = worker.submit(() -> {
            sc.setJobGroup(group, description, true);
            try {
                return work.apply(session);
            } finally {
                sc.clearJobGroup();
            }
        });
        long start = System.nanoTime();
        String displayId = null;
        String shown = null;
        String outcome = "failed";
        try (AutoCloseable ignored = context.onInterrupt(cancel)) {
            while (true) {
                try {
                    T result = future.get(150, TimeUnit.MILLISECONDS);
                    outcome = "done";
                    return result;
                } catch (TimeoutException pending) {
                    if (context.isInterrupted() && !cancelled.get()) {
                        cancel.run();
                    }
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (ms >= progressAfterMillis) {
                        String text = progress(sc.statusTracker(), group, ms, "running");
                        DisplayData shownData = new DisplayData(text);
                        if (displayId == null) {
                            displayId = context.display(shownData);
                        } else if (!text.equals(shown)) {
                            context.updateDisplay(displayId, shownData);
                        }
                        shown = text;
                    }
                } catch (InterruptedException e) {
                    cancel.run();
                    awaitQuietly(future);
                    Thread.currentThread().interrupt();
                    outcome = "cancelled";
                    throw cancelledError();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cancelled.get()) {
                        outcome = "cancelled";
                        throw cancelledError();
                    }
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new UserError("Spark failed: " + SparkErrors.clean(cause), null, cause);
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception closeFailure) {
            throw new IllegalStateException(closeFailure);
        } finally {
            if (displayId != null) {
                long ms = (System.nanoTime() - start) / 1_000_000;
                context.updateDisplay(displayId, new DisplayData(progress(sc.statusTracker(), group, ms, outcome)));
            }
        }
    }

    private static UserError cancelledError() {
        return new UserError("interrupted: the cell's Spark jobs were cancelled",
                "statements before the interrupted one have run; run the cell again to redo the rest");
    }

    private static void awaitQuietly(Future<?> future) {
        try {
            future.get(15, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the cancelled work ends with an exception, or keeps going in the background
        }
    }

    /** One line: jobs, stages and tasks of the cell's job group, and the time so far. */
    static String progress(SparkStatusTracker tracker, String group, long millis, String state) {
        int jobs = 0;
        int jobsDone = 0;
        int stages = 0;
        int stagesDone = 0;
        long tasks = 0;
        long tasksDone = 0;
        long tasksRunning = 0;
        for (int jobId : tracker.getJobIdsForGroup(group)) {
            Option<SparkJobInfo> job = tracker.getJobInfo(jobId);
            if (job.isEmpty()) {
                continue;
            }
            jobs++;
            if (job.get().status() == org.apache.spark.JobExecutionStatus.SUCCEEDED) {
                jobsDone++;
            }
            for (int stageId : job.get().stageIds()) {
                Option<SparkStageInfo> stage = tracker.getStageInfo(stageId);
                if (stage.isEmpty()) {
                    continue;
                }
                stages++;
                SparkStageInfo s = stage.get();
                tasks += s.numTasks();
                tasksDone += s.numCompletedTasks();
                tasksRunning += s.numActiveTasks();
                if (s.numTasks() > 0 && s.numCompletedTasks() >= s.numTasks()) {
                    stagesDone++;
                }
            }
        }
        StringBuilder sb = new StringBuilder("Spark ").append(state).append(": ");
        sb.append(jobsDone).append('/').append(jobs).append(jobs == 1 ? " job" : " jobs");
        sb.append(", stages ").append(stagesDone).append('/').append(stages);
        sb.append(", tasks ").append(tasksDone).append('/').append(tasks);
        if (tasksRunning > 0 && state.equals("running")) {
            sb.append(" (").append(tasksRunning).append(" running)");
        }
        sb.append(String.format(Locale.ROOT, ", %.1f s", millis / 1000.0));
        return sb.toString();
    }

    /** Tables of the persistent catalog, for tests and {@code %services}-style listings. */
    List<String> persistedTables() {
        return new ArrayList<>(catalog.persistedNames());
    }

    static URI uri(Path p) { return p.toUri(); }
}
