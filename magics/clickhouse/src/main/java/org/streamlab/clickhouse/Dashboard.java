package org.streamlab.clickhouse;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.streamlab.kernel.UserError;

/**
 * A small web dashboard served from the kernel: one self-contained HTML page (no CDN: learners may be offline)
 * that redraws its panels every few seconds from a read-only query endpoint.
 * <ul>
 *   <li>{@code GET /} the page; {@code GET /api/panels} the panels as JSON (name, sql, chart, x, y, refresh);</li>
 *   <li>{@code GET /api/query?sql=SELECT...} runs one query through ClickHouse's HTTP interface with GET, which
 *   ClickHouse runs in read-only mode (a DROP or INSERT is refused by the server itself), and returns ClickHouse's
 *   {@code JSONCompact} answer (meta, data, rows, statistics.rows_read). Errors are {@code {"error","hint"}} with
 *   status 400 (the query) or 503 (ClickHouse does not answer).</li>
 * </ul>
 * Listens on 127.0.0.1 only. Stopped with the kernel (the extension registers {@link #stop()} on shutdown).
 */
public final class Dashboard {
    /** Longest a dashboard query may run on the server: the page asks again every second or so. */
    static final int QUERY_SECONDS = 10;
    static final int MAX_RESULT_ROWS = 10_000;
    private static final Pattern FORMAT_CLAUSE = Pattern.compile("(?is).*\\bFORMAT\\s+\\w+\\s*$");

    /** One chart (line or bar over columns x and y) or table (chart "table") on the page. */
    public record Panel(String name, String sql, String chart, String x, String y) {
        public Panel {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sql, "sql");
            if (!List.of("line", "bar", "table").contains(chart)) {
                throw new UserError("a panel's chart is line, bar or table, got: " + chart, null);
            }
            if (!chart.equals("table") && (x == null || y == null)) {
                throw new UserError("a " + chart + " panel needs x and y columns", "e.g. --chart " + chart + " --x minute --y orders");
            }
        }
    }

    private final Supplier<Endpoint> clickhouse;
    private final BooleanSupplier behindJupyterProxy;
    private final Map<String, Panel> panels = new LinkedHashMap<>();
    private HttpServer server;
    private ExecutorService executor;
    private int refreshMillis = 1000;

    /** {@code clickhouse} gives the server's address at each request (it may be restarted meanwhile). */
    public Dashboard(Supplier<Endpoint> clickhouse) {
        this(clickhouse, () -> false);
    }

    /**
     * {@code behindJupyterProxy}: the page is reached through jupyter-server-proxy (JupyterHub, Binder), which
     * authenticates the browser and sets its own Host header; otherwise only loopback host names are served.
     */
    public Dashboard(Supplier<Endpoint> clickhouse, BooleanSupplier behindJupyterProxy) {
        this.clickhouse = Objects.requireNonNull(clickhouse, "clickhouse");
        this.behindJupyterProxy = Objects.requireNonNull(behindJupyterProxy, "behindJupyterProxy");
    }

    /** Adds a panel, or replaces the one with the same name; the page picks it up at its next refresh. */
    public synchronized Dashboard panel(String name, String sql, String chart, String x, String y) {
        panels.put(name, new Panel(name, stripSemicolon(sql), chart, x, y));
        return this;
    }

    public synchronized Dashboard removePanel(String name) {
        if (panels.remove(name) == null) {
            throw new UserError("no dashboard panel named " + name, "panels: " + String.join(", ", panels.keySet()));
        }
        return this;
    }

    public synchronized List<Panel> panels() {
        return List.copyOf(panels.values());
    }

    /**
     * Starts serving on 127.0.0.1:{@code port} (0: a free port), the page redrawing every {@code refreshMillis}.
     * Already running on that port (or port 0): only the refresh changes.
     */
    public synchronized Dashboard start(int port, int refreshMillis) {
        if (port < 0 || port > 65535) {
            throw new UserError("port must be between 1 and 65535 (0 for a free one), got: " + port, null);
        }
        if (refreshMillis < 200) {
            throw new UserError("the refresh interval must be at least 200 ms, got: " + refreshMillis + " ms", null);
        }
        if (server != null) {
            if (port != 0 && port != port()) {
                throw new UserError("the dashboard already runs at " + url(),
                        "stop it first (%clickhouse dashboard stop), or keep using that address");
            }
            this.refreshMillis = refreshMillis;
            return this;
        }
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (BindException e) {
            throw new UserError("port " + port + " is taken: another program (or another kernel's dashboard) listens there",
                    "choose another port with --port N, or leave --port out for a free one");
        } catch (IOException e) {
            throw new UserError("the dashboard cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(),
                    "choose another port with --port N, or leave --port out for a free one");
        }
        this.refreshMillis = refreshMillis;
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "clickhouse-dashboard");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        s.start();
        server = s;
        return this;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** The port it listens on; -1 when stopped. */
    public synchronized int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT/}. */
    public synchronized String url() {
        if (server == null) {
            throw new UserError("the dashboard is not running", "start it with %clickhouse dashboard");
        }
        return "http://127.0.0.1:" + port() + "/";
    }

    /** Stops serving (open pages show "dashboard stopped"); panels are kept for the next start. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
            executor = null;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET")) {
                send(exchange, 405, "application/json", error("only GET is served here", null));
                return;
            }
            if (!behindJupyterProxy.getAsBoolean() && !isLoopbackHost(exchange.getRequestHeaders().getFirst("Host"))) {
                // a web page whose name was re-bound to 127.0.0.1 (DNS rebinding) must not read ClickHouse through us
                send(exchange, 403, "application/json", error("this dashboard serves only 127.0.0.1 and localhost",
                        "open it at http://127.0.0.1:" + port() + "/"));
                return;
            }
            switch (path) {
                case "/", "/index.html" -> send(exchange, 200, "text/html; charset=utf-8", page());
                case "/api/panels" -> send(exchange, 200, "application/json", panelsJson());
                case "/api/query" -> query(exchange);
                default -> send(exchange, 404, "application/json", error("no such page: " + path, "the dashboard is at /"));
            }
        } catch (RuntimeException e) {
            // never let a handler bug kill the request silently: the page shows the message
            send(exchange, 500, "application/json", error("dashboard error: " + e, null));
        }
    }

    /** Host header names this machine's loopback, with the port we listen on (or none). */
    private boolean isLoopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.strip().toLowerCase(java.util.Locale.ROOT);
        String port = ":" + port();
        if (h.endsWith(port)) {
            h = h.substring(0, h.length() - port.length());
        }
        return h.equals("127.0.0.1") || h.equals("localhost") || h.equals("[::1]");
    }

    private void query(HttpExchange exchange) throws IOException {
        String sql = param(exchange.getRequestURI().getRawQuery(), "sql");
        if (sql == null || sql.isBlank()) {
            send(exchange, 400, "application/json", error("no query: pass one as /api/query?sql=SELECT...", null));
            return;
        }
        sql = stripSemicolon(sql);
        if (FORMAT_CLAUSE.matcher(sql).matches()) {
            send(exchange, 400, "application/json", error("leave out the FORMAT clause", "the dashboard asks ClickHouse for JSONCompact itself"));
            return;
        }
        Endpoint endpoint;
        try {
            endpoint = clickhouse.get();
        } catch (UserError e) {
            send(exchange, 503, "application/json", error(e.getMessage(), e.hint()));
            return;
        }
        ClickHouseHttp.Answer answer;
        try {
            answer = ClickHouseHttp.readOnlyQuery(endpoint, sql + "\nFORMAT JSONCompact", Map.of(
                    "output_format_json_quote_64bit_integers", "0",
                    "max_execution_time", String.valueOf(QUERY_SECONDS),
                    "max_result_rows", String.valueOf(MAX_RESULT_ROWS),
                    "result_overflow_mode", "break"), (QUERY_SECONDS + 5) * 1000);
        } catch (IOException e) {
            send(exchange, 503, "application/json", error("ClickHouse at " + endpoint.display() + " does not answer: " + e.getMessage(),
                    "start it (%services start clickhouse) or check CLICKHOUSE_URL; the page retries by itself"));
            return;
        }
        if (answer.status() != 200) {
            String msg = ClickHouseErrors.engineMessage(answer.body().strip());
            boolean readOnly = msg.contains("readonly mode");
            send(exchange, 400, "application/json", error("ClickHouse: " + msg,
                    readOnly ? "the dashboard's queries are read-only: SELECT, without SETTINGS or table functions" : "fix the panel's query"));
            return;
        }
        send(exchange, 200, "application/json", answer.body());
    }

    private synchronized String panelsJson() {
        StringBuilder sb = new StringBuilder("{\"refreshMillis\":").append(refreshMillis).append(",\"panels\":[");
        boolean first = true;
        for (Panel p : panels.values()) {
            sb.append(first ? "" : ",").append("{\"name\":").append(json(p.name())).append(",\"sql\":").append(json(p.sql()))
                    .append(",\"chart\":").append(json(p.chart())).append(",\"x\":").append(json(p.x()))
                    .append(",\"y\":").append(json(p.y())).append('}');
            first = false;
        }
        return sb.append("]}").toString();
    }

    private static String page() throws IOException {
        try (InputStream in = Dashboard.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IOException("dashboard.html is missing from the streamlab-clickhouse jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static String error(String message, String hint) {
        return "{\"error\":" + json(message) + ",\"hint\":" + json(hint) + "}";
    }

    static String param(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    static String stripSemicolon(String sql) {
        String s = sql.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }

    static String json(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<' -> sb.append("\\u003c"); // safe inside HTML too
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** For messages: the panels' names. */
    synchronized List<String> panelNames() {
        return new ArrayList<>(panels.keySet());
    }
}
