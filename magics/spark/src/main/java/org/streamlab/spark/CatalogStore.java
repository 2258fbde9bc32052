package org.streamlab.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.catalyst.catalog.DatabaseEvent;
import org.apache.spark.sql.catalyst.catalog.DropTableEvent;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogEvent;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogEventListener;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogWithListener;
import org.apache.spark.sql.catalyst.catalog.RenameTableEvent;
import org.apache.spark.sql.catalyst.catalog.TableEvent;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A persistent table catalog without a Hive metastore (no Derby). Spark's in-memory catalog forgets tables
 * when the session stops; this class keeps {@code catalog.json} in the workspace in step with it (databases
 * and Delta tables, written on every catalog change through Spark's catalog event listener) and registers
 * them again when Spark starts. Delta folders found under the warehouse that the file does not know (e.g.
 * written before the file existed) are registered too.
 *
 * <p>Tables restored this way are registered with their location, which Spark calls EXTERNAL; the file
 * remembers which were managed, so {@code DROP TABLE} of such a table still deletes its folder as it did
 * before the restart.
 */
final class CatalogStore implements ExternalCatalogEventListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Entry(String database, String name, String location, boolean managed) {
        String key() { return database + "." + name; }
    }

    private final SparkSession session;
    private final Path file;
    private final Path warehouse;
    private final Set<String> managedOrigin = new HashSet<>();
    private final Map<String, Entry> known = new LinkedHashMap<>();
    private volatile boolean listening;
    private volatile boolean closed;

    CatalogStore(SparkSession session, Path file, Path warehouse) {
        this.session = session;
        this.file = file;
        this.warehouse = warehouse;
    }

    Path warehouse() { return warehouse; }

    private ExternalCatalogWithListener catalog() {
        return session.sharedState().externalCatalog();
    }

    /** Registers the databases and tables of the file, then unknown Delta folders of the warehouse. */
    void restore() throws IOException {
        Map<String, String> databases = new LinkedHashMap<>();
        List<Entry> tables = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            JsonNode root;
            try {
                root = JSON.readTree(file.toFile());
            } catch (IOException e) {
                System.err.println("warning: ignoring unreadable Spark catalog file " + file + ": " + e.getMessage());
                root = JSON.createObjectNode();
            }
            for (JsonNode db : root.path("databases")) {
                databases.put(db.path("name").asText(), db.path("location").asText(null));
            }
            for (JsonNode t : root.path("tables")) {
                tables.add(new Entry(t.path("database").asText("default"), t.path("name").asText(),
                        t.path("location").asText(), t.path("managed").asBoolean(false)));
            }
        }
        Set<String> locations = new HashSet<>();
        for (Entry e : tables) {
            locations.add(normalize(e.location()));
        }
        for (Entry e : scanWarehouse()) {
            if (!locations.contains(normalize(e.location()))) {
                tables.add(e);
                if (!e.database().equals("default")) {
                    databases.putIfAbsent(e.database(), null);
                }
            }
        }
        for (Map.Entry<String, String> db : databases.entrySet()) {
            if (db.getKey().equalsIgnoreCase("default")) {
                continue;
            }
            String sql = "CREATE DATABASE IF NOT EXISTS " + ident(db.getKey())
                    + (db.getValue() == null ? "" : " LOCATION " + literal(db.getValue()));
            try {
                session.sql(sql);
            } catch (Exception ex) {
                System.err.println("warning: could not restore database " + db.getKey() + ": " + SparkErrors.clean(ex));
            }
        }
        for (Entry e : tables) {
            Path dir = localPath(e.location());
            if (dir != null && !Files.isDirectory(dir.resolve("_delta_log"))) {
                System.err.println("warning: Delta table " + e.key() + " is gone from " + dir + "; it is no longer registered");
                continue;
            }
            try {
                session.sql("CREATE TABLE IF NOT EXISTS " + ident(e.database()) + "." + ident(e.name())
                        + " USING DELTA LOCATION " + literal(e.location()));
                if (e.managed()) {
                    managedOrigin.add(e.key());
                }
            } catch (Exception ex) {
                System.err.println("warning: could not restore Delta table " + e.key() + ": " + SparkErrors.clean(ex));
            }
        }
        snapshot();
    }

    /** Starts following catalog changes. */
    void listen() {
        catalog().addListener(this);
        listening = true;
    }

    @Override
    public void close() {
        closed = true;
        if (listening) {
            try {
                catalog().removeListener(this);
            } catch (RuntimeException ignored) {
                // session already stopped
            }
        }
    }

    @Override
    public synchronized void onEvent(ExternalCatalogEvent event) {
        if (closed || !(event instanceof TableEvent || event instanceof DatabaseEvent)
                || event.getClass().getSimpleName().endsWith("PreEvent")) {
            return;
        }
        try {
            if (event instanceof DropTableEvent drop) {
                String key = drop.database() + "." + drop.name();
                Entry before = known.get(key);
                if (managedOrigin.remove(key) && before != null) {
                    // a managed table restored with its location: Spark left the folder, delete it like Spark would
                    Path dir = localPath(before.location());
                    if (dir != null && dir.startsWith(warehouse)) {
                        deleteRecursively(dir);
                    }
                }
            } else if (event instanceof RenameTableEvent rename) {
                if (managedOrigin.remove(rename.database() + "." + rename.name())) {
                    managedOrigin.add(rename.database() + "." + rename.newName());
                }
            }
            snapshot();
        } catch (Exception e) {
            System.err.println("warning: could not save the Spark table catalog to " + file + ": " + e.getMessage());
        }
    }

    Set<String> persistedNames() {
        synchronized (this) {
            return new java.util.TreeSet<>(known.keySet());
        }
    }

    /** Writes the current databases and Delta tables to the file (atomically). */
    synchronized void snapshot() throws IOException {
        ExternalCatalog c = catalog();
        ObjectNode root = JSON.createObjectNode();
        root.put("format", 1);
        ArrayNode dbs = root.putArray("databases");
        ArrayNode tables = root.putArray("tables");
        known.clear();
        for (String db : CollectionConverters.asJava(c.listDatabases())) {
            if (!db.equalsIgnoreCase("default")) {
                ObjectNode d = dbs.addObject();
                d.put("name", db);
                d.put("location", c.getDatabase(db).locationUri().toString());
            }
            for (String name : CollectionConverters.asJava(c.listTables(db))) {
                CatalogTable t;
                try {
                    t = c.getTable(db, name);
                } catch (Exception gone) {
                    continue;
                }
                String provider = t.provider().isDefined() ? t.provider().get().toLowerCase(Locale.ROOT) : "";
                if (!provider.equals("delta") || t.tableType() == CatalogTableType.VIEW() || t.storage().locationUri().isEmpty()) {
                    continue;
                }
                Entry e = new Entry(db, name, t.location().toString(),
                        t.tableType() == CatalogTableType.MANAGED() || managedOrigin.contains(db + "." + name));
                known.put(e.key(), e);
                ObjectNode n = tables.addObject();
                n.put("database", e.database());
                n.put("name", e.name());
                n.put("location", e.location());
                n.put("managed", e.managed());
            }
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Delta folders in the warehouse: {@code warehouse/T} (default database) and {@code warehouse/DB.db/T}. */
    private List<Entry> scanWarehouse() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(warehouse)) {
            return out;
        }
        try (Stream<Path> children = Files.list(warehouse)) {
            for (Path child : children.sorted().toList()) {
                String fileName = child.getFileName().toString();
                if (!Files.isDirectory(child)) {
                    continue;
                }
                if (Files.isDirectory(child.resolve("_delta_log"))) {
                    out.add(new Entry("default", fileName, child.toUri().toString(), true));
                } else if (fileName.endsWith(".db")) {
                    String db = fileName.substring(0, fileName.length() - 3);
                    try (Stream<Path> inner = Files.list(child)) {
                        for (Path t : inner.sorted().toList()) {
                            if (Files.isDirectory(t.resolve("_delta_log"))) {
                                out.add(new Entry(db, t.getFileName().toString(), t.toUri().toString(), true));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    static Path localPath(String location) {
        try {
            URI uri = URI.create(location);
            if (uri.getScheme() == null) {
                return Path.of(location).toAbsolutePath().normalize();
            }
            return uri.getScheme().equals("file") ? Path.of(uri).toAbsolutePath().normalize() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String normalize(String location) {
        Path p = localPath(location);
        return p == null ? location : p.toString();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String ident(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
