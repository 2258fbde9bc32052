package org.streamlab.clickhouse;

import java.net.URI;
import org.streamlab.kernel.UserError;

/**
 * Where a ClickHouse server answers HTTP: {@code http://[user[:password]@]host:port[/database]}.
 * {@code user} is null when none was given (the server's {@code default} user).
 */
public record Endpoint(String scheme, String host, int port, String user, String password, String database) {

    /** Parses CLICKHOUSE_URL; a bare {@code host:port} means http. */
    public static Endpoint parse(String text, String howToSet) {
        String s = text.strip();
        if (!s.contains("://")) {
            s = "http://" + s;
        }
        URI uri;
        try {
            uri = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new UserError("CLICKHOUSE_URL is not a URL: " + text, "use the HTTP address, e.g. http://127.0.0.1:8123; " + howToSet);
        }
        String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UserError("CLICKHOUSE_URL must be an http(s) address (ClickHouse's HTTP interface), got: " + text,
                    "use e.g. http://127.0.0.1:8123; " + howToSet);
        }
        if (uri.getHost() == null) {
            throw new UserError("CLICKHOUSE_URL has no host: " + text, "use e.g. http://127.0.0.1:8123; " + howToSet);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : (scheme.equals("https") ? 8443 : 8123);
        String user = null;
        String password = null;
        if (uri.getUserInfo() != null && !uri.getUserInfo().isEmpty()) {
            String[] up = uri.getUserInfo().split(":", 2);
            user = up[0];
            password = up.length > 1 ? up[1] : "";
        }
        String db = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
        return new Endpoint(scheme, uri.getHost(), port, user, password, db.isEmpty() ? "default" : db);
    }

    public static Endpoint local(int port) {
        return new Endpoint("http", "127.0.0.1", port, null, null, "default");
    }

    /** {@code http://host:port}, without credentials or database. */
    public String httpBase() {
        return scheme + "://" + host + ":" + port;
    }

    /** The address to show users: no password. */
    public String display() {
        return scheme + "://" + (user == null ? "" : user + "@") + host + ":" + port
                + (database.equals("default") ? "" : "/" + database);
    }
}
