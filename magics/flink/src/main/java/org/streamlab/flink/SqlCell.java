package org.streamlab.flink;

import org.streamlab.platform.sql.SqlScript;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.display.HtmlTable;
import org.streamlab.kernel.magic.MagicContext;
import org.streamlab.kernel.magic.MagicUsageException;
import org.streamlab.kernel.magic.ParsedArgs;
import org.streamlab.platform.ServiceState;

/** One execution of a {@code %%flinksql} cell. */
final class SqlCell {
    /** Rows shown in the HTML table (all rows go to --into). */
    static final int SHOWN_ROWS = 200;
    private static final long REFRESH_MILLIS = 250;
    private static final Pattern SET = Pattern.compile("(?is)SET\\s*(?:'([^']*)'\\s*=\\s*'([^']*)')?\\s*");
    private static final Pattern RESET = Pattern.compile("(?is)RESET\\s*(?:'([^']*)')?\\s*");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

    record Options(boolean streaming, int maxRows, double timeoutSeconds, String into) {
        static Options from(ParsedArgs a) {
            boolean streaming = a.choice("mode", "streaming", "streaming", "batch").equals("streaming");
            int maxRows = a.positiveInt("max-rows", 1000, 1);
            double timeout = a.doubleOption("timeout", 0);
            if (timeout < 0 || Double.isNaN(timeout)) {
                throw new MagicUsageException("--timeout must be a number of seconds >= 0, got: " + a.option("timeout").orElse(""));
            }
            String into = a.option("into").orElse(null);
            if (into != null && (!IDENTIFIER.matcher(into).matches() || javax.lang.model.SourceVersion.isKeyword(into))) {
                throw new MagicUsageException("--into needs a Java variable name, got: " + into);
            }
            return new Options(streaming, maxRows, timeout, into);
        }
    }

    private final FlinkService service;
    private final MagicContext context;
    private final Options options;

    SqlCell(FlinkService service, MagicContext context, Options options) {
        this.service = service;
        this.context = context;
        this.options = options;
    }

    Object run(String body) throws Exception {
        if (body == null || SqlScript.stripComments(body).isBlank()) {
            throw new MagicUsageException("the cell has no SQL: write statements below %%flinksql");
        }
        String sql = resolvePlaceholders(body);
        List<SqlScript.Statement> statements = SqlScript.split(sql);
        if (service.state() != ServiceState.RUNNING && service.externalAddress().isEmpty()) {
            context.out().println("starting the embedded Flink MiniCluster ...");
        }
        FlinkEngine engine = service.engine();
        TableEnvironment tEnv = engine.tableEnv(options.streaming);
        QueryResult last = null;
        for (int i = 0; i < statements.size(); i++) {
            SqlScript.Statement st = statements.get(i);
            boolean isLast = i == statements.size() - 1;
            try {
                QueryResult r = execute(engine, tEnv, st);
                if (r != null) {
                    if (last != null) {
                        context.display(last.table());
                    }
                    last = r;
                }
            } catch (UserError e) {
                showEarlier(last);
                throw e;
            } catch (Exception | LinkageError e) {
                showEarlier(last);
                String where = statements.size() > 1 ? "statement " + (i + 1) + " of " + statements.size() + ": " : "";
                throw SqlErrors.toUserError(where, e, i > 0);
            }
            if (isLast && last == null) {
                return null;
            }
        }
        if (last == null) {
            return null;
        }
        if (options.into != null) {
            context.bind(options.into, last.toTablesaw(), tech.tablesaw.api.Table.class);
            context.out().println(options.into + " = Table with " + last.result().size() + " rows");
        }
        return last.table();
    }

    /** Shows the rows of an earlier statement of the cell before the cell fails. */
    private void showEarlier(QueryResult earlier) {
        if (earlier != null) {
            context.display(earlier.table());
        }
    }

    /** Runs one statement; returns the rows it produced, or null for statements without rows. */
    private QueryResult execute(FlinkEngine engine, TableEnvironment tEnv, SqlScript.Statement st) throws Exception {
        String head = st.withoutComments().toUpperCase(java.util.Locale.ROOT);
        String keyword = firstWord(head);
        if (keyword.equals("SET") && SET.matcher(SqlScript.stripComments(st.text()).strip()).matches()) {
            return set(engine, tEnv, st);
        }
        if (keyword.equals("RESET") && RESET.matcher(SqlScript.stripComments(st.text()).strip()).matches()) {
            Matcher m = RESET.matcher(SqlScript.stripComments(st.text()).strip());
            m.matches();
            for (TableEnvironment t : List.of(engine.streamTableEnv(), engine.batchTableEnv())) {
                if (m.group(1) == null) {
                    for (String key : engine.sessionKeys()) {
                        t.getConfig().getConfiguration().removeKey(key);
                    }
                } else {
                    t.getConfig().getConfiguration().removeKey(m.group(1));
                }
            }
            if (m.group(1) == null) {
                engine.sessionKeys().clear();
            } else {
                engine.sessionKeys().remove(m.group(1));
            }
            context.out().println("OK  RESET" + (m.group(1) == null ? " (all session settings)" : " " + m.group(1)));
            return null;
        }
        if (keyword.equals("INSERT") || head.replaceAll("\\s+", " ").startsWith("EXECUTE STATEMENT SET")
                || head.replaceAll("\\s+", " ").startsWith("EXECUTE INSERT")) {
            insert(engine, tEnv, st);
            return null;
        }
        boolean query = keyword.equals("SELECT") || keyword.equals("WITH") || keyword.equals("VALUES") || head.startsWith("(");
        TableResult result = tEnv.executeSql(st.positioned());
        if (!query && result.getResultKind() == ResultKind.SUCCESS) {
            context.out().println("OK  " + summary(st.text()));
            return null;
        }
        return collect(engine, result, query, st);
    }

    private QueryResult set(FlinkEngine engine, TableEnvironment tEnv, SqlScript.Statement st) {
        Matcher m = SET.matcher(SqlScript.stripComments(st.text()).strip());
        m.matches();
        if (m.group(1) == null) {
            ChangelogResult r = new ChangelogResult(List.of("key", "value"));
            tEnv.getConfig().getConfiguration().toMap().entrySet().stream()
                    .sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> r.apply(ChangelogResult.Kind.INSERT, List.of(e.getKey(), e.getValue())));
            return new QueryResult(r, null, "session configuration", null);
        }
        // SET applies to both modes' table environments: one session.
        engine.streamTableEnv().getConfig().set(m.group(1), m.group(2));
        engine.batchTableEnv().getConfig().set(m.group(1), m.group(2));
        engine.sessionKeys().add(m.group(1));
        context.out().println("OK  SET " + m.group(1) + " = " + m.group(2));
        return null;
    }

    private void insert(FlinkEngine engine, TableEnvironment tEnv, SqlScript.Statement st) throws Exception {
        TableResult result = tEnv.executeSql(st.positioned());
        Optional<JobClient> client = result.getJobClient();
        if (client.isEmpty()) {
            context.out().println("OK  " + summary(st.text()));
            return;
        }
        JobClient jc = client.get();
        JobID id = jc.getJobID();
        String what = summary(st.text());
        boolean sync = !options.streaming
                || Boolean.parseBoolean(tEnv.getConfig().getConfiguration().toMap().getOrDefault("table.dml-sync", "false"));
        String displayId = context.display(jobLine(id, what, JobStatus.INITIALIZING.name()));
        if (!sync) {
            JobStatus s = awaitStarted(engine, id, Duration.ofSeconds(10));
            context.updateDisplay(displayId, jobLine(id, what, (s == null ? "SUBMITTED" : s.name())
                    + (s != null && s.isGloballyTerminalState() ? "" : "  (runs in the background: %flink jobs, %flink cancel " + id + ")")));
            failIfFailed(engine, id, s);
            return;
        }
        try (AutoCloseable ignored = context.onInterrupt(() -> jc.cancel())) {
            JobStatus s = null;
            while (true) {
                try {
                    s = jc.getJobStatus().get(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    s = null; // context.isInterrupted() is checked below
                } catch (Exception e) {
                    s = engine.awaitTerminal(id, Duration.ofSeconds(2));
                }
                if (s != null) {
                    context.updateDisplay(displayId, jobLine(id, what, s.name()));
                }
                if (s != null && s.isGloballyTerminalState()) {
                    break;
                }
                if (context.isInterrupted()) {
                    Thread.interrupted();
                    jc.cancel();
                    s = engine.awaitTerminal(id, Duration.ofSeconds(30));
                    context.updateDisplay(displayId, jobLine(id, what, (s == null ? "CANCELLING" : s.name()) + " (interrupted)"));
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    // checked above on the next round
                }
            }
            failIfFailed(engine, id, s);
        }
    }

    private void failIfFailed(FlinkEngine engine, JobID id, JobStatus s) {
        if (s == JobStatus.FAILED) {
            String cause = SqlErrors.jobFailure(engine, id);
            throw new UserError("job " + id + " failed: " + cause, "fix the cause above; %flink jobs shows every job's state");
        }
    }

    private static JobStatus awaitStarted(FlinkEngine engine, JobID id, Duration max) {
        return engine.awaitStatus(id, max, s -> s == JobStatus.RUNNING || s.isGloballyTerminalState());
    }

    private static org.streamlab.kernel.display.PlainText jobLine(JobID id, String what, String state) {
        return new org.streamlab.kernel.display.PlainText("Flink job " + id + "  " + state + "  " + what);
    }

    /** Reads a result: bounded metadata rows directly, a query's rows live with its job's progress. */
    private QueryResult collect(FlinkEngine engine, TableResult result, boolean query, SqlScript.Statement st) throws Exception {
        List<String> columns = result.getResolvedSchema().getColumnNames();
        List<DataType> types = result.getResolvedSchema().getColumnDataTypes();
        ChangelogResult rows = new ChangelogResult(columns);
        JobClient jc = result.getJobClient().orElse(null);
        if (!query || jc == null) {
            try (CloseableIterator<Row> it = result.collect()) {
                while (it.hasNext()) {
                    rows.apply(ChangelogResult.Kind.INSERT, values(it.next()));
                }
            }
            return new QueryResult(rows, types, null, null);
        }
        return new LiveQuery(engine, result, jc, rows, types, st).run();
    }

    /** A running query: rows applied as they arrive, a table refreshed in place, stopped on limits. */
    private final class LiveQuery {
        private final FlinkEngine engine;
        private final TableResult result;
        private final JobClient jc;
        private final ChangelogResult rows;
        private final List<DataType> types;
        private final long started = System.nanoTime();
        private volatile String stopReason;
        private volatile String state = "CREATED";
        private volatile long shownChanges = -1;
        private volatile String shownState = "";
        private String displayId;
        private CloseableIterator<Row> iterator;

        LiveQuery(FlinkEngine engine, TableResult result, JobClient jc, ChangelogResult rows, List<DataType> types,
                  SqlScript.Statement st) {
            this.engine = engine;
            this.result = result;
            this.jc = jc;
            this.rows = rows;
            this.types = types;
        }

        QueryResult run() throws Exception {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "flinksql-refresh");
                t.setDaemon(true);
                return t;
            });
            displayId = context.display(snapshot());
            iterator = result.collect();
            AutoCloseable interrupt = context.onInterrupt(() -> stop("interrupted"));
            try {
                timer.scheduleWithFixedDelay(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
                if (options.timeoutSeconds > 0) {
                    timer.schedule(() -> stop("timeout after " + fmt(options.timeoutSeconds) + " s"),
                            Math.round(options.timeoutSeconds * 1000), TimeUnit.MILLISECONDS);
                }
                while (stopReason == null) {
                    boolean has;
                    try {
                        has = iterator.hasNext();
                    } catch (RuntimeException e) {
                        if (stopReason != null || context.isInterrupted()) {
                            break;
                        }
                        throw new UserError("Flink job " + jc.getJobID() + " failed: " + SqlErrors.describe(rootCause(e)),
                                "fix the query (or its data) and run the cell again; %flink jobs shows the job", e);
                    }
                    if (!has) {
                        break;
                    }
                    Row row = iterator.next();
                    synchronized (rows) {
                        rows.apply(kind(row), values(row));
                    }
                    if (rows.size() >= options.maxRows) {
                        stop("reached --max-rows " + options.maxRows);
                    }
                    if (context.isInterrupted()) {
                        stop("interrupted");
                    }
                }
            } finally {
                timer.shutdownNow();
                try {
                    interrupt.close();
                } catch (Exception ignored) {
                    // the hook is dropped with the cell anyway
                }
                closeQuietly();
            }
            // A Jupyter interrupt also interrupts this thread: clear it so the wait for CANCELED below works.
            boolean wasInterrupted = Thread.interrupted();
            if (wasInterrupted && stopReason == null) {
                stopReason = "interrupted";
            }
            JobStatus end;
            if (stopReason != null) {
                cancelQuietly();
                end = engine.awaitTerminal(jc.getJobID(), Duration.ofSeconds(30));
            } else {
                end = engine.awaitTerminal(jc.getJobID(), Duration.ofSeconds(10));
            }
            state = end == null ? "?" : end.name();
            String caption = caption(true);
            context.updateDisplay(displayId, new org.streamlab.kernel.display.PlainText(caption));
            return new QueryResult(rows, types, caption, jc.getJobID());
        }

        private void stop(String reason) {
            if (stopReason == null) {
                stopReason = reason;
            }
            cancelQuietly();
            closeQuietly();
        }

        private void cancelQuietly() {
            try {
                jc.cancel().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // already finished or cancelling
            }
        }

        private synchronized void closeQuietly() {
            try {
                if (iterator != null) {
                    iterator.close();
                }
            } catch (Exception ignored) {
                // closing a finished iterator
            }
        }

        private void refresh() {
            try {
                try {
                    state = jc.getJobStatus().get(2, TimeUnit.SECONDS).name();
                } catch (Exception e) {
                    // keep the last state seen
                }
                if (rows.changes() != shownChanges || !state.equals(shownState)) {
                    HtmlTable t = snapshot();
                    context.updateDisplay(displayId, t);
                }
            } catch (RuntimeException e) {
                // a failed refresh must not end the query
            }
        }

        private HtmlTable snapshot() {
            synchronized (rows) {
                shownChanges = rows.changes();
                shownState = state;
                return QueryResult.html(rows, caption(false));
            }
        }

        private String caption(boolean done) {
            double secs = (System.nanoTime() - started) / 1e9;
            StringBuilder sb = new StringBuilder("Flink job ").append(jc.getJobID()).append("  ").append(state)
                    .append("  ").append(rows.size()).append(rows.size() == 1 ? " row" : " rows")
                    .append(", ").append(rows.changes()).append(rows.changes() == 1 ? " change" : " changes")
                    .append(", ").append(fmt(secs)).append(" s");
            if (done && stopReason != null) {
                sb.append("  (stopped: ").append(stopReason).append(")");
            }
            return sb.toString();
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String fmt(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }

    static ChangelogResult.Kind kind(Row row) {
        return switch (row.getKind()) {
            case INSERT -> ChangelogResult.Kind.INSERT;
            case UPDATE_BEFORE -> ChangelogResult.Kind.UPDATE_BEFORE;
            case UPDATE_AFTER -> ChangelogResult.Kind.UPDATE_AFTER;
            case DELETE -> ChangelogResult.Kind.DELETE;
        };
    }

    static List<Object> values(Row row) {
        List<Object> v = new ArrayList<>(row.getArity());
        for (int i = 0; i < row.getArity(); i++) {
            v.add(row.getField(i));
        }
        return v;
    }

    private static String firstWord(String head) {
        Matcher m = Pattern.compile("^[A-Z]+").matcher(head);
        return m.find() ? m.group() : "";
    }

    /** The statement's first line, shortened: what OK lines and job lines name. */
    static String summary(String statement) {
        String s = SqlScript.stripComments(statement).strip().replaceAll("\\s+", " ");
        return s.length() > 70 ? s.substring(0, 69) + "…" : s;
    }

    private String resolvePlaceholders(String body) {
        if (!body.contains("${kafka.bootstrap}")) {
            return body;
        }
        String bootstrap = context.config().get("KAFKA_BOOTSTRAP_SERVERS")
                .orElseGet(() -> System.getProperty("streamlab.kafka.bootstrap"));
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new UserError("${kafka.bootstrap} is not known yet: no Kafka is running in this kernel and KAFKA_BOOTSTRAP_SERVERS is not set",
                    "start the embedded Kafka first (any %kafka magic, or %services start kafka), or write the address, e.g. 'properties.bootstrap.servers' = 'localhost:9092'");
        }
        return body.replace("${kafka.bootstrap}", bootstrap);
    }
}
