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
import javax.net.ssl.SSLSocketFactory;

/**
 * Plain HTTP/1.0 to ClickHouse, no driver: {@code /ping} and one-value queries such as {@code SELECT version()}.
 * One short connection per request, closed by the server after the answer: no idle keep-alive connection is
 * left behind (a server shutting down waits for those).
 */
final class ClickHouseHttp {
    private ClickHouseHttp() {}

    /** True when {@code GET base/ping} answers "Ok." within the timeout. */
    static boolean ping(String base, int timeoutMillis) {
        try {
            Response r = request(base, "GET", "/ping", null, null, timeoutMillis);
            return r.status == 200 && r.body.startsWith("Ok");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs one query and returns the body (TabSeparated text), trimmed. No compression is asked for: Debian's
     * 18.16 server answers compressed requests with an empty body.
     */
    static String query(Endpoint endpoint, String sql, int timeoutMillis) throws IOException {
        String auth = basicAuth(endpoint);
        Response r = request(endpoint.httpBase(), "POST", "/?database=" + URLEncoder.encode(endpoint.database(), StandardCharsets.UTF_8),
                sql, auth, timeoutMillis);
        if (r.status != 200) {
            throw new IOException("HTTP " + r.status + ": " + ClickHouseErrors.engineMessage(r.body.strip()));
        }
        return r.body.strip();
    }

    /** Status and body of one answer. */
    record Answer(int status, String body) {}

    /**
     * Runs one query with GET, which ClickHouse executes in read-only mode (statements that change data or
     * settings such as {@code readonly} are refused by the server). {@code settings} go in the URL.
     * An error answer (status 500 with ClickHouse's message) is returned, not thrown; IOException means no answer.
     */
    static Answer readOnlyQuery(Endpoint endpoint, String sql, java.util.Map<String, String> settings, int timeoutMillis)
            throws IOException {
        StringBuilder path = new StringBuilder("/?database=").append(URLEncoder.encode(endpoint.database(), StandardCharsets.UTF_8));
        settings.forEach((k, v) -> path.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        path.append("&query=").append(URLEncoder.encode(sql, StandardCharsets.UTF_8));
        Response r = request(endpoint.httpBase(), "GET", path.toString(), null, basicAuth(endpoint), timeoutMillis);
        return new Answer(r.status, r.body);
    }

    private static String basicAuth(Endpoint endpoint) {
        if (endpoint.user() == null) {
            return null;
        }
        String up = endpoint.user() + ":" + (endpoint.password() == null ? "" : endpoint.password());
        return "Basic " + Base64.getEncoder().encodeToString(up.getBytes(StandardCharsets.UTF_8));
    }

    private record Response(int status, String body) {}

    private static Response request(String base, String method, String path, String body, String auth, int timeoutMillis)
            throws IOException {
        URI uri = URI.create(base);
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 8443 : 8123);
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        try (Socket s = tls ? SSLSocketFactory.getDefault().createSocket() : new Socket()) {
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
                head.append("Content-Type: text/plain; charset=UTF-8\r\n").append("Content-Length: ").append(payload.length).append("\r\n");
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
            String statusLine = text.substring(0, text.indexOf("\r\n"));
            String[] parts = statusLine.split(" ", 3);
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (RuntimeException e) {
                throw new IOException("bad HTTP status line from " + base + ": " + statusLine);
            }
            return new Response(status, text.substring(headerEnd + 4));
        }
    }
}
