package org.streamlab.flink;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.catalog.GenericInMemoryCatalog;
import org.streamlab.kernel.UserError;

/**
 * A running Flink: the embedded MiniCluster (REST on a loopback port) or a remote cluster's REST
 * endpoint. Jobs are always submitted through REST ({@code execution.target=remote}), so embedded and
 * external mode run the same code path. Holds the two table environments the magics share (streaming and
 * batch, one catalog), and a REST client for listing and cancelling jobs.
 */
final class FlinkEngine implements AutoCloseable {
    /** Task slots of the embedded task manager: how many jobs (parallelism 1) can run at once. */
    static final int EMBEDDED_SLOTS = 8;
    static final String CATALOG = "default_catalog";
    static final String DATABASE = "default_database";

    private final MiniCluster miniCluster;
    private final Path dataDir;
    private final String host;
    private final int port;
    private final Configuration clientConfig;
    private final RestClusterClient<StandaloneClusterId> client;
    private final GenericInMemoryCatalog catalog = new GenericInMemoryCatalog(CATALOG, DATABASE);
    private final java.util.Set<String> sessionKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private StreamExecutionEnvironment streamEnv;
    private final WaitingExecutions waitingExecutions = new WaitingExecutions();
    private StreamTableEnvironment streamTableEnv;
    private TableEnvironment batchTableEnv;

    private FlinkEngine(MiniCluster miniCluster, Path dataDir, String host, int port, Map<String, String> extra) throws Exception {
        this.miniCluster = miniCluster;
        this.dataDir = dataDir;
        this.host = host;
        this.port = port;
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("execution.target", "remote");
        // env.execute() waits for the job and throws its failure; detached (the remote default) it would return at
        // submission with a DetachedJobExecutionResult, and a failing job would look like a finished one.
        conf.put("execution.attached", "true");
        conf.put("rest.address", host);
        conf.put("rest.port", String.valueOf(port));
        conf.put("security.delegation.tokens.enabled", "false");
        conf.put("rest.retry.max-attempts", "2");
        conf.put("rest.retry.delay", "200 ms");
        conf.putAll(extra);
        this.clientConfig = Configuration.fromMap(conf);
        this.client = new RestClusterClient<>(clientConfig, StandaloneClusterId.getInstance());
    }

    /** Starts a MiniCluster in this JVM, REST on a free loopback port, checkpoints under {@code dataDir}. */
    static FlinkEngine embedded(Path dataDir) throws Exception {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("rest.bind-address", "127.0.0.1");
        conf.put("rest.address", "127.0.0.1");
        conf.put("rest.bind-port", "0");
        conf.put("jobmanager.rpc.address", "127.0.0.1");
        conf.put("taskmanager.host", "127.0.0.1");
        // the BlobServer (jobmanager.bind-host) and the task manager's servers otherwise listen on every interface
        conf.put("jobmanager.bind-host", "127.0.0.1");
        conf.put("taskmanager.bind-host", "127.0.0.1");
        conf.put("taskmanager.numberOfTaskSlots", String.valueOf(EMBEDDED_SLOTS));
        // Small footprint: the kernel also hosts Kafka, Spark and ClickHouse clients.
        conf.put("taskmanager.memory.managed.size", "128m");
        conf.put("taskmanager.memory.network.min", "32m");
        conf.put("taskmanager.memory.network.max", "32m");
        conf.put("parallelism.default", "1");
        conf.put("security.delegation.tokens.enabled", "false");
        conf.put("classloader.check-leaked-classloader", "false");
        conf.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), dataDir.resolve("checkpoints").toUri().toString());
        conf.put(CheckpointingOptions.SAVEPOINT_DIRECTORY.key(), dataDir.resolve("savepoints").toUri().toString());
        conf.put("io.tmp.dirs", dataDir.resolve("tmp").toString());
        java.nio.file.Files.createDirectories(dataDir.resolve("tmp"));
        Configuration configuration = Configuration.fromMap(conf);
        MiniClusterConfiguration mcc = new MiniClusterConfiguration.Builder()
                .setConfiguration(configuration)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(EMBEDDED_SLOTS)
                .build();
        MiniCluster cluster = new MiniCluster(mcc);
        // Load and warm the SQL planner while the cluster starts: the two dominate the first query's latency.
        Thread warmup = new Thread(FlinkEngine::warmUpPlanner, "streamlab-flink-planner-warmup");
        warmup.setDaemon(true);
        warmup.start();
        try {
            cluster.start();
            URI rest = cluster.getRestAddress().get(60, TimeUnit.SECONDS);
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("parallelism.default", "1");
            extra.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()));
            extra.put(CheckpointingOptions.SAVEPOINT_DIRECTORY.key(), conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY.key()));
            warmup.join(TimeUnit.SECONDS.toMillis(60));
            return new FlinkEngine(cluster, dataDir, rest.getHost(), rest.getPort(), extra);
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * Plans and translates a small streaming aggregation on a throw-away environment (nothing is executed): loads the
     * planner (unpacked by flink-table-planner-loader), Calcite and the optimizer rules once per JVM.
     */
    static void warmUpPlanner() {
        try {
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(Configuration.fromMap(Map.of(
                    "security.delegation.tokens.enabled", "false")), FlinkEngine.class.getClassLoader());
            StreamTableEnvironment t = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
            // optimize and translate (code generation) without running anything
            t.toChangelogStream(t.sqlQuery("SELECT w, COUNT(*) AS n FROM (VALUES ('a'), ('b')) AS v(w) GROUP BY w"));
            env.getStreamGraph();
        } catch (Throwable e) {
            // only a warm-up: the real query reports real problems
        }
    }

    /** Connects to a running cluster's REST endpoint, checking first that it answers. */
    static FlinkEngine external(String restUrl, Path dataDir, String howToSet) throws Exception {
        URI uri = parseRestUrl(restUrl, howToSet);
        String base = uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/config"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().contains("flink-version")) {
                throw new UserError("FLINK_REST_URL " + restUrl + " answered HTTP " + r.statusCode()
                        + " but is not a Flink REST endpoint", "point FLINK_REST_URL at the JobManager's REST port (8081 by default); " + howToSet);
            }
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof java.net.ConnectException || e instanceof java.net.http.HttpConnectTimeoutException) {
                why = "connection refused or timed out";
            }
            throw new UserError("the Flink cluster at " + restUrl + " (FLINK_REST_URL) did not answer: " + why,
                    "start the cluster (e.g. bin/start-cluster.sh) or fix FLINK_REST_URL; " + howToSet
                            + "; unset it to use the embedded MiniCluster");
        }
        return new FlinkEngine(null, dataDir, uri.getHost(), uri.getPort(), Map.of());
    }

    static URI parseRestUrl(String restUrl, String howToSet) {
        String s = restUrl.strip();
        if (!s.contains("://")) {
            s = "http://" + s;
        }
        try {
            URI uri = new URI(s);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            int port = uri.getPort() < 0 ? 8081 : uri.getPort();
            return new URI(uri.getScheme(), null, uri.getHost(), port, null, null, null);
        } catch (Exception e) {
            throw new UserError("FLINK_REST_URL is not a URL: " + restUrl, "use the form http://HOST:8081; " + howToSet);
        }
    }

    boolean embedded() { return miniCluster != null; }

    String restUrl() { return "http://" + host + ":" + port; }

    /** Client configuration that binds environments to this cluster. */
    Configuration clientConfig() { return new Configuration(clientConfig); }

    synchronized StreamExecutionEnvironment streamEnv() {
        if (streamEnv == null) {
            streamEnv = newStreamEnv();
        }
        return streamEnv;
    }

    StreamExecutionEnvironment newStreamEnv() {
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(new CellClassShipping(dataDir.resolve("cell-classes")),
                clientConfig(), contextClassLoader());
        env.registerJobListener(waitingExecutions);
        return env;
    }

    /** Interrupt: cancels the jobs whose execute() a cell waits on. */
    int cancelWaitingExecutions() {
        return waitingExecutions.cancelAll();
    }

    synchronized StreamTableEnvironment streamTableEnv() {
        if (streamTableEnv == null) {
            EnvironmentSettings settings = EnvironmentSettings.newInstance().inStreamingMode()
                    .withConfiguration(clientConfig()).withBuiltInCatalogName("builtin").build();
            StreamTableEnvironment t = StreamTableEnvironment.create(streamEnv(), settings);
            useSharedCatalog(t);
            streamTableEnv = t;
        }
        return streamTableEnv;
    }

    synchronized TableEnvironment batchTableEnv() {
        if (batchTableEnv == null) {
            EnvironmentSettings settings = EnvironmentSettings.newInstance().inBatchMode()
                    .withConfiguration(clientConfig()).withBuiltInCatalogName("builtin")
                    .withClassLoader(contextClassLoader()).build();
            TableEnvironment t = TableEnvironment.create(settings);
            useSharedCatalog(t);
            batchTableEnv = t;
        }
        return batchTableEnv;
    }

    /** Keys set with SQL SET in this session (what RESET without a key removes). */
    java.util.Set<String> sessionKeys() { return sessionKeys; }

    TableEnvironment tableEnv(boolean streaming) {
        return streaming ? streamTableEnv() : batchTableEnv();
    }

    private void useSharedCatalog(TableEnvironment t) {
        t.registerCatalog(CATALOG, catalog);
        t.useCatalog(CATALOG);
        t.useDatabase(DATABASE);
    }

    private static ClassLoader contextClassLoader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : FlinkEngine.class.getClassLoader();
    }

    /** Every job the cluster knows, newest first. */
    List<JobStatusMessage> jobs() throws Exception {
        Collection<JobStatusMessage> all = client.listJobs().get(15, TimeUnit.SECONDS);
        List<JobStatusMessage> list = new ArrayList<>(all);
        list.sort((a, b) -> Long.compare(b.getStartTime(), a.getStartTime()));
        return list;
    }

    JobStatus status(JobID id) throws Exception {
        return client.getJobStatus(id).get(15, TimeUnit.SECONDS);
    }

    org.apache.flink.runtime.jobmaster.JobResult jobResult(JobID id) throws Exception {
        return client.requestJobResult(id).get(15, TimeUnit.SECONDS);
    }

    void cancel(JobID id) throws Exception {
        client.cancel(id).get(15, TimeUnit.SECONDS);
    }

    /** Waits until the job reaches a terminal state (or the time is up); returns the last state seen. */
    JobStatus awaitTerminal(JobID id, Duration max) {
        return awaitStatus(id, max, JobStatus::isGloballyTerminalState);
    }

    /** Polls the job's status until {@code reached} holds or {@code max} passes; returns the last status seen. */
    JobStatus awaitStatus(JobID id, Duration max, java.util.function.Predicate<JobStatus> reached) {
        long deadline = System.nanoTime() + max.toNanos();
        JobStatus last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = status(id);
                if (reached.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                // not known yet or transient: try again
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return last;
    }

    @Override
    public void close() throws Exception {
        try {
            client.close();
        } finally {
            if (miniCluster != null) {
                miniCluster.close();
            }
        }
    }
}
