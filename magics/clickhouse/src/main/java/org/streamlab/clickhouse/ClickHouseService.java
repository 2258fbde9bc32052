package org.streamlab.clickhouse;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.UserError;
import org.streamlab.platform.ManagedService;
import org.streamlab.platform.ServiceMode;

/**
 * ClickHouse for the kernel. Embedded (default): a real {@code clickhouse-server} process from the installed
 * binary, on 127.0.0.1 with free ports, data under {@code workspace/clickhouse} so tables survive a kernel
 * restart. External: {@code CLICKHOUSE_URL} (ClickHouse's HTTP address, e.g. http://127.0.0.1:8123).
 *
 * <p>The JDBC driver follows the server's version, asked over plain HTTP before any driver is loaded: the
 * legacy {@code ru.yandex} 0.2.6 driver for servers older than 22 (Debian ships 18.16), the official driver for
 * newer ones. {@code CLICKHOUSE_JDBC=legacy|official} overrides the choice.
 */
public final class ClickHouseService extends ManagedService {
    public static final String URL_KEY = "CLICKHOUSE_URL";
    /** Optional: path of {@code clickhouse-server} or of the official single {@code clickhouse} binary. */
    public static final String BINARY_KEY = "CLICKHOUSE_BINARY";
    /** Optional: {@code legacy} or {@code official} to force a JDBC driver. */
    public static final String DRIVER_KEY = "CLICKHOUSE_JDBC";
    /** Optional: milliseconds to wait for the embedded server's /ping (default 30000). */
    public static final String START_TIMEOUT_KEY = "CLICKHOUSE_START_TIMEOUT_MS";
    /** Servers older than this major version get the legacy driver. */
    static final int OFFICIAL_DRIVER_MIN_MAJOR = 22;

    private volatile EmbeddedClickHouse server;
    private volatile Endpoint endpoint;
    private volatile String serverVersion;
    private volatile boolean legacy;
    /** The embedded server of another kernel on the same workspace, used instead of starting a second one. */
    private volatile EmbeddedClickHouse.Running shared;

    /** Set by JupyterHub (and Binder) for the notebook server: the dashboard link then goes through its proxy. */
    static final String JUPYTERHUB_PREFIX_KEY = "JUPYTERHUB_SERVICE_PREFIX";

    /** The Jupyter server's URL prefix when the notebook runs behind JupyterHub, for links to kernel-side servers. */
    public java.util.Optional<String> jupyterProxyPrefix() {
        return config.get(JUPYTERHUB_PREFIX_KEY).filter(p -> !p.isBlank());
    }

    public ClickHouseService(KernelConfig config) {
        super("clickhouse", URL_KEY, config);
    }

    @Override
    public String address() {
        Endpoint e = endpoint;
        if (e != null) {
            return e.display() + (serverVersion == null ? "" : " (ClickHouse " + serverVersion + ")")
                    + (shared == null ? "" : ", shared: run by another kernel of this workspace");
        }
        return externalAddress().orElse("-");
    }

    @Override
    protected void doStart() throws Exception {
        if (mode() == ServiceMode.EXTERNAL) {
            String raw = externalAddress().orElseThrow();
            Endpoint e = Endpoint.parse(raw, config.howToSet(URL_KEY));
            if (!ClickHouseHttp.ping(e.httpBase(), 3000)) {
                throw new UserError("ClickHouse at " + e.display() + " does not answer (CLICKHOUSE_URL=" + raw + ")",
                        "start that server or fix the address: " + config.howToSet(URL_KEY)
                                + "; unset CLICKHOUSE_URL to use the embedded server");
            }
            connectTo(e);
            return;
        }
        EmbeddedClickHouse.Binary binary = EmbeddedClickHouse.findBinary(config.get(BINARY_KEY))
                .orElseThrow(() -> new UserError(
                        config.get(BINARY_KEY).map(b -> "CLICKHOUSE_BINARY=" + b + " is not an executable file")
                                .orElse("clickhouse-server is not installed (not found on PATH)"),
                        "install it with magics/clickhouse/install-clickhouse.sh (apt-get install -y clickhouse-server"
                                + " clickhouse-client), or use a running server: " + config.howToSet(URL_KEY)));
        Path dir = config.workspaceDir("clickhouse");
        var running = EmbeddedClickHouse.findRunning(dir);
        if (running.isPresent()) {
            // another notebook's kernel runs the server of this workspace: one data folder, one server
            shared = running.get();
            connectTo(Endpoint.local(running.get().httpPort()));
            return;
        }
        long timeout;
        try {
            timeout = Long.parseLong(config.get(START_TIMEOUT_KEY, "30000"));
        } catch (NumberFormatException ex) {
            throw new UserError(START_TIMEOUT_KEY + " must be a number of milliseconds, got: " + config.get(START_TIMEOUT_KEY, ""),
                    "e.g. " + START_TIMEOUT_KEY + "=30000, or unset it");
        }
        EmbeddedClickHouse s = EmbeddedClickHouse.start(binary, dir, timeout);
        server = s;
        connectTo(Endpoint.local(s.httpPort()));
    }

    private void connectTo(Endpoint e) {
        String version;
        try {
            version = ClickHouseHttp.query(e, "SELECT version()", 10_000);
        } catch (IOException ex) {
            throw new UserError("ClickHouse at " + e.display() + " answers /ping but not queries: " + ex.getMessage(),
                    mode() == ServiceMode.EXTERNAL
                            ? "check the user, password and database in CLICKHOUSE_URL (http://user:password@host:port/db)"
                            : "see the logs in " + config.workspaceDir("clickhouse").resolve("log") + "; run %services restart clickhouse");
        }
        serverVersion = version;
        legacy = chooseLegacy(version, config.get(DRIVER_KEY));
        endpoint = e;
    }

    static boolean chooseLegacy(String version, Optional<String> forced) {
        if (forced.isPresent()) {
            String f = forced.get().toLowerCase(Locale.ROOT);
            if (f.equals("legacy")) {
                return true;
            }
            if (f.equals("official")) {
                return false;
            }
            throw new UserError(DRIVER_KEY + " must be legacy or official, got: " + forced.get(), "or leave it unset (chosen by server version)");
        }
        return majorVersion(version) < OFFICIAL_DRIVER_MIN_MAJOR;
    }

    static int majorVersion(String version) {
        try {
            return Integer.parseInt(version.strip().split("\\.")[0]);
        } catch (RuntimeException e) {
            return OFFICIAL_DRIVER_MIN_MAJOR; // unknown: assume a current server
        }
    }

    @Override
    protected void doStop() {
        EmbeddedClickHouse s = server;
        server = null;
        shared = null;
        endpoint = null;
        serverVersion = null;
        if (s != null) {
            s.stop();
        }
    }

    /**
     * A new JDBC connection (close it when done). Starts the service if needed. If the embedded server has
     * died meanwhile it is started again (the data is on disk), with a note on standard error.
     */
    public Connection connection() {
        Endpoint e = ready();
        try {
            return JdbcDrivers.connect(e, legacy);
        } catch (SQLException | RuntimeException ex) {
            // the legacy driver asks the server's time zone while connecting and wraps failures in RuntimeException
            throw connectionError(ex);
        }
    }

    /** The service's endpoint once running: starts it, and restarts an embedded server that exited. */
    Endpoint ready() {
        ensureStarted();
        EmbeddedClickHouse.Running sh = shared;
        if (sh != null && !ClickHouseHttp.ping("http://127.0.0.1:" + sh.httpPort(), 1000)) {
            synchronized (this) {
                if (shared == sh) {
                    stop(); // the kernel that ran it has stopped it: run our own on the same data
                    System.err.println("the clickhouse-server shared with another kernel has stopped; starting one here (data kept)");
                }
            }
            ensureStarted();
        }
        EmbeddedClickHouse s = server;
        if (s != null && !s.isAlive()) {
            int code = s.exitValue();
            synchronized (this) {
                if (server == s) {
                    stop();
                    System.err.println("clickhouse-server had exited (code " + code + "); starting it again (data kept in "
                            + s.baseDir() + ")");
                }
            }
            ensureStarted();
        }
        Endpoint e = endpoint;
        if (e == null) {
            throw new UserError("clickhouse is not running", "run %services start clickhouse");
        }
        return e;
    }

    /**
     * The endpoint while the service runs, without starting it: for the dashboard, whose open pages ask every
     * second and must not bring back a server the learner stopped.
     */
    Endpoint runningEndpoint() {
        Endpoint e = endpoint;
        if (state() != org.streamlab.platform.ServiceState.RUNNING || e == null) {
            throw new UserError("clickhouse is stopped", "start it: %services start clickhouse");
        }
        return e;
    }

    /** A readable error for "cannot reach the server", or ClickHouse's own message for a failed statement. */
    UserError connectionError(Exception ex) {
        if (ClickHouseErrors.isConnectionFailure(ex)) {
            if (mode() == ServiceMode.EXTERNAL) {
                return new UserError("ClickHouse at " + externalAddress().orElse("?") + " does not answer: "
                        + ManagedService.rootMessage(ex),
                        "start that server or fix the address: " + config.howToSet(URL_KEY)
                                + "; unset CLICKHOUSE_URL to use the embedded server");
            }
            return new UserError("the embedded clickhouse-server does not answer: " + ManagedService.rootMessage(ex),
                    "run %services restart clickhouse");
        }
        String msg = ClickHouseErrors.engineMessage(ex.getMessage());
        return new UserError("ClickHouse: " + (msg.isEmpty() ? ManagedService.rootMessage(ex) : msg), null, ex);
    }

    /** The JDBC URL of the running service. */
    public String jdbcUrl() {
        return JdbcDrivers.url(ready(), legacy);
    }

    /** The HTTP address of the running service, e.g. http://127.0.0.1:41234. */
    public String httpUrl() {
        return ready().httpBase();
    }

    /** {@code SELECT version()} of the running server. */
    public String serverVersion() {
        ready();
        return serverVersion;
    }

    /** True when the legacy ru.yandex driver is used (servers older than 22, e.g. Debian's 18.16). */
    public boolean usesLegacyDriver() {
        ready();
        return legacy;
    }

    /** e.g. "legacy ru.yandex 0.2.6 driver, ClickHouse 18.16.1". */
    public String driverDescription() {
        return (legacy ? "legacy ru.yandex driver" : "official com.clickhouse driver") + ", ClickHouse " + serverVersion;
    }

    /** The embedded server's process id, or -1 in external mode / when stopped. */
    public long serverPid() {
        EmbeddedClickHouse s = server;
        return s == null ? -1 : s.pid();
    }

    /** The embedded server's native (clickhouse-client) port, or -1. */
    public int nativePort() {
        EmbeddedClickHouse s = server;
        return s == null ? -1 : s.tcpPort();
    }

    /** Where the embedded server keeps its files. */
    public Path dataDir() {
        return config.workspaceDir("clickhouse");
    }
}
