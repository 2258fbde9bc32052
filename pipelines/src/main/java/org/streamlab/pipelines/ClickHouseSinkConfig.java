package org.streamlab.pipelines;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.streamlab.clickhouse.ClickHouseHttpClient;
import org.streamlab.clickhouse.Endpoint;
import org.streamlab.kernel.UserError;

/**
 * Where and how the window rows are written: ClickHouse's server (e.g. {@code ClickHouse.endpoint()} in a
 * notebook: address, credentials, database) and table, batching and retries.
 * <pre>{@code
 * ClickHouseSinkConfig ch = ClickHouseSinkConfig.builder()
 *         .server(ClickHouse.endpoint()).table("user_window_counts")
 *         .batchSize(500).flushInterval(Duration.ofMillis(200)).maxRetries(3).build();
 * }</pre>
 */
public final class ClickHouseSinkConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final String user;
    private final String password;
    private final String database;
    private final String table;
    private final int batchSize;
    private final long flushIntervalMillis;
    private final int maxRetries;
    private final long retryBackoffMillis;
    private final int timeoutMillis;

    private ClickHouseSinkConfig(Builder b) {
        this.url = b.url.replaceAll("/+$", "");
        this.user = b.user;
        this.password = b.password;
        this.database = b.database;
        this.table = b.table;
        this.batchSize = b.batchSize;
        this.flushIntervalMillis = b.flushInterval.toMillis();
        this.maxRetries = b.maxRetries;
        this.retryBackoffMillis = b.retryBackoff.toMillis();
        this.timeoutMillis = (int) b.timeout.toMillis();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String url() { return url; }
    public String user() { return user; }
    public String password() { return password; }
    public String database() { return database; }
    public String table() { return table; }
    /** {@code database.table}, as written in SQL. */
    public String qualifiedTable() { return database + "." + table; }
    public int batchSize() { return batchSize; }
    public long flushIntervalMillis() { return flushIntervalMillis; }
    public int maxRetries() { return maxRetries; }
    public long retryBackoffMillis() { return retryBackoffMillis; }
    public int timeoutMillis() { return timeoutMillis; }

    /** A driver-free HTTP client for this server and database (serializable, so the sink carries it). */
    public ClickHouseHttpClient client() {
        return new ClickHouseHttpClient(url, user, password, database, timeoutMillis);
    }

    /**
     * Fails with a readable error unless ClickHouse answers and the table exists; {@code createHint} says how to
     * create it.
     */
    public void checkTableExists(String createHint) {
        ClickHouseHttpClient client = client();
        if (!client.ping()) {
            throw new UserError("ClickHouse at " + url + " does not answer: the rows for " + qualifiedTable() + " cannot be written",
                    "start it (%services start clickhouse) or fix the url of the ClickHouseSinkConfig, then run the job again");
        }
        String exists;
        try {
            exists = client.query("EXISTS TABLE " + qualifiedTable());
        } catch (java.io.IOException e) {
            throw new UserError("ClickHouse at " + url + " did not answer EXISTS TABLE " + qualifiedTable() + ": " + e.getMessage(),
                    "check the database and credentials of the ClickHouseSinkConfig", e);
        }
        if (!exists.equals("1")) {
            throw new UserError("the table " + qualifiedTable() + " does not exist in ClickHouse at " + url, createHint);
        }
    }

    @Override
    public String toString() {
        return url + " " + qualifiedTable() + " (batch " + batchSize + ", flush every " + flushIntervalMillis + " ms, "
                + maxRetries + " retries)";
    }

    public static final class Builder {
        private String url;
        private String user;
        private String password;
        private String database = "default";
        private String table = "user_window_counts";
        private int batchSize = 1_000;
        private Duration flushInterval = Duration.ofMillis(200);
        private int maxRetries = 3;
        private Duration retryBackoff = Duration.ofMillis(200);
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {}

        /** ClickHouse's HTTP address, e.g. http://127.0.0.1:8123. */
        /** The clickhouse service's server, e.g. {@code ClickHouse.endpoint()}: address, credentials and database. */
        public Builder server(Endpoint endpoint) {
            this.url = endpoint.httpBase();
            this.user = endpoint.user();
            this.password = endpoint.password();
            this.database = endpoint.database();
            return this;
        }
        public Builder url(String url) { this.url = url; return this; }
        /** Credentials, when the server needs them (default: the server's default user). */
        public Builder credentials(String user, String password) { this.user = user; this.password = password; return this; }
        public Builder database(String database) { this.database = database; return this; }
        public Builder table(String table) { this.table = table; return this; }
        /** Rows per INSERT; a batch is also sent when it is older than the flush interval, and at every checkpoint. */
        public Builder batchSize(int rows) { this.batchSize = rows; return this; }
        public Builder flushInterval(Duration interval) { this.flushInterval = interval; return this; }
        /** Attempts after the first one when ClickHouse cannot be reached; the wait doubles from {@code retryBackoff}. */
        public Builder maxRetries(int retries) { this.maxRetries = retries; return this; }
        public Builder retryBackoff(Duration backoff) { this.retryBackoff = backoff; return this; }
        /** Connect and read timeout of one request. */
        public Builder timeout(Duration timeout) { this.timeout = timeout; return this; }

        public ClickHouseSinkConfig build() {
            Objects.requireNonNull(url, "ClickHouseSinkConfig: url (ClickHouse's HTTP address) is required");
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new IllegalArgumentException("ClickHouseSinkConfig: url must be ClickHouse's HTTP address, e.g. http://127.0.0.1:8123, got: " + url);
            }
            if (!database.matches("[A-Za-z_][A-Za-z0-9_]*") || !table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("ClickHouseSinkConfig: database and table must be plain identifiers, got: " + database + "." + table);
            }
            if (batchSize < 1 || maxRetries < 0 || flushInterval.isNegative() || flushInterval.isZero()) {
                throw new IllegalArgumentException("ClickHouseSinkConfig: batchSize >= 1, maxRetries >= 0, flushInterval > 0");
            }
            return new ClickHouseSinkConfig(this);
        }
    }
}
