package org.streamlab.clickhouse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * ClickHouse over plain HTTP/1.0, no driver: no compression (Debian's 18.16 server answers compressed requests with
 * an empty body), one short connection per request (no idle keep-alive connection for a stopping server to wait
 * for). It depends on nothing but the address, so a Flink sink on a remote task manager can carry it
 * (it is {@link java.io.Serializable}).
 */
public final class ClickHouseHttpClient implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final String base;
    private final String auth;
    private final String database;
    private final int timeoutMillis;

    /** A ClickHouse error answer (the server was reached and refused the statement). */
    public static final class ServerError extends IOException {
        private static final long serialVersionUID = 1L;

        ServerError(String message) {
            super(message);
        }
    }

    public ClickHouseHttpClient(String base, String user, String password, String database, int timeoutMillis) {
        this.base = base.replaceAll("/+$", "");
        this.auth = user == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
        this.database = database;
        this.timeoutMillis = timeoutMillis;
    }

    /** A client for an endpoint of the clickhouse service ({@code CLICKHOUSE_URL} or the embedded server). */
    static ClickHouseHttpClient of(Endpoint endpoint, int timeoutMillis) {
        return new ClickHouseHttpClient(endpoint.httpBase(), endpoint.user(), endpoint.password(), endpoint.database(), timeoutMillis);
    }

    public String base() {
        return base;
    }

    /** True when {@code /ping} answers "Ok.". */
    public boolean ping() {
        try {
            Response r = request("GET", "/ping", null);
            return r.status == 200 && r.body.startsWith("Ok");
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs a statement; {@code body} is sent after it (e.g. the rows of an INSERT ... FORMAT TabSeparated). Returns the answer. */
    public String execute(String sql, String body) throws IOException {
        String query = "/?database=" + URLEncoder.encode(database, StandardCharsets.UTF_8);
        String payload = body == null ? sql : sql + "\n" + body;
        Response r = request("POST", query, payload);
        if (r.status != 200) {
            throw new ServerError(ClickHouseErrors.engineMessage(r.body));
        }
        return r.body;
    }

    /** Runs a query and returns its TabSeparated answer, trimmed. */
    public String query(String sql) throws IOException {
        return execute(sql, null).strip();
    }

    /** Status and body of one answer. */
    record Response(int status, String body) {}

    /** One request; an error status is returned, not thrown. IOException: no (HTTP) answer. */
    Response request(String method, String path, String body) throws IOException {
        URI uri = URI.create(base);
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 8443 : 8123);
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        try (Socket s = tls ? SSLSocketFactory.getDefault().createSocket() : new Socket()) {
            if (s instanceof SSLSocket ssl) {
                // check the certificate names this host (a bare SSLSocket does not), so credentials go only to it
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                if (!uri.getHost().matches("[0-9.]+|\\[.*]")) {
                    params.setServerNames(List.of(new SNIHostName(uri.getHost())));
                }
                ssl.setSSLParameters(params);
            }
            s.connect(new InetSocketAddress(uri.getHost(), port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            StringBuilder head = new StringBuilder()
                    .append(method).append(' ').append(path).append(" HTTP/1.0\r\n")
                    .append("Host: ").append(uri.getHost()).append(':').append(port).append("\r\n")
                    .append("Connection: close\r\n");
            if (auth != null) {
                head.append("Authorization: ").append(auth).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Type: text/plain; charset=UTF-8\r\nContent-Length: ").append(payload.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int headerEnd = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/") || headerEnd < 0) {
                throw new IOException("not an HTTP answer from " + base);
            }
            String[] status = text.substring(0, text.indexOf("\r\n")).split(" ", 3);
            try {
                return new Response(Integer.parseInt(status[1]), text.substring(headerEnd + 4));
            } catch (RuntimeException e) {
                throw new IOException("bad HTTP status line from " + base + ": " + String.join(" ", status));
            }
        }
    }
}
