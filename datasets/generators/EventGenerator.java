import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.Spliterator;
import java.util.Spliterators;

/**
 * A seeded, reproducible e-commerce clickstream: page views, cart changes, checkouts, purchases (orders) and
 * reviews, by users in sessions, with event-time timestamps that arrive slightly out of order and a few that
 * arrive late.
 *
 * <p>The same seed and settings give the same stream, event for event, on any JVM (only {@link SplittableRandom}
 * and integer arithmetic on a fixed start instant; no wall clock, no hash ordering).
 *
 * <p>Use it three ways:
 * <ul>
 *   <li>in a notebook: {@code %load ../../datasets/generators/EventGenerator.java}, then
 *       {@code var events = EventGenerator.builder().seed(42).build().take(10_000);}</li>
 *   <li>from Java code: copy this file (it has no package and no dependencies);</li>
 *   <li>from a shell: {@code java datasets/generators/EventGenerator.java --seed 42 --count 10000 > events.jsonl}
 *       ({@code --help} lists the options).</li>
 * </ul>
 *
 * <p>Time model. Events are produced in <b>arrival order</b>: {@code ingestTime} (epoch millis) grows with
 * exponential gaps (mean {@code 1000 / eventsPerSecond} ms). Each event happened a little earlier:
 * {@code eventTime = ingestTime - delay}, where the delay is network jitter (0-200 ms) for most events, up to
 * {@code maxOutOfOrderMillis} (default 5 s) for a fraction {@code outOfOrderRate} (default 5 %), and far beyond it
 * (30-120 s) for a fraction {@code lateRate} (default 1 %). Those last ones have {@code late = true}: a
 * bounded-out-of-orderness watermark of {@code maxOutOfOrderMillis} has almost always passed them already — the
 * ground truth for exercises on allowed lateness and side outputs.
 */
final class EventGenerator implements Iterator<EventGenerator.Event> {

    /** What happened. */
    enum EventType { PAGE_VIEW, ADD_TO_CART, REMOVE_FROM_CART, CHECKOUT, PURCHASE, REVIEW }

    /** A product of the catalogue. */
    record Product(String productId, String name, String category, long priceCents) {}

    /**
     * One event. {@code productId}/{@code category}/{@code priceCents} are set for product events (null/0 for a
     * checkout); {@code orderId} and {@code amountCents} for PURCHASE (and the reviewed order for REVIEW);
     * {@code text} and {@code rating} for REVIEW. Times are epoch milliseconds.
     */
    record Event(String eventId, EventType type, String userId, String sessionId, String productId, String category,
                 long priceCents, int quantity, String orderId, long amountCents, String text, int rating,
                 long eventTime, long ingestTime, boolean late) {

        /** The Kafka-style key that keeps one user's events in order. */
        String key() { return userId; }

        Instant eventInstant() { return Instant.ofEpochMilli(eventTime); }

        /** One line of JSON, fields in a fixed order; nulls are written as null. */
        String toJson() {
            StringBuilder b = new StringBuilder(256).append('{');
            field(b, "eventId", eventId).append(',');
            field(b, "type", type.name()).append(',');
            field(b, "userId", userId).append(',');
            field(b, "sessionId", sessionId).append(',');
            field(b, "productId", productId).append(',');
            field(b, "category", category).append(',');
            b.append("\"priceCents\":").append(priceCents).append(',');
            b.append("\"quantity\":").append(quantity).append(',');
            field(b, "orderId", orderId).append(',');
            b.append("\"amountCents\":").append(amountCents).append(',');
            field(b, "text", text).append(',');
            b.append("\"rating\":").append(rating).append(',');
            b.append("\"eventTime\":").append(eventTime).append(',');
            b.append("\"ingestTime\":").append(ingestTime).append(',');
            b.append("\"late\":").append(late);
            return b.append('}').toString();
        }

        static final String CSV_HEADER = "eventId,type,userId,sessionId,productId,category,priceCents,quantity,"
                + "orderId,amountCents,text,rating,eventTime,ingestTime,late";

        /** One CSV line (RFC 4180 quoting), columns as in {@link #CSV_HEADER}; nulls are empty. */
        String toCsv() {
            return String.join(",", csv(eventId), type.name(), csv(userId), csv(sessionId), csv(productId),
                    csv(category), Long.toString(priceCents), Integer.toString(quantity), csv(orderId),
                    Long.toString(amountCents), csv(text), Integer.toString(rating), Long.toString(eventTime),
                    Long.toString(ingestTime), Boolean.toString(late));
        }

        private static StringBuilder field(StringBuilder b, String name, String value) {
            b.append('"').append(name).append("\":");
            if (value == null) {
                return b.append("null");
            }
            b.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"': b.append("\\\""); break;
                    case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break;
                    case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    default:
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                }
            }
            return b.append('"');
        }

        private static String csv(String value) {
            if (value == null) {
                return "";
            }
            if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
                return value;
            }
            return '"' + value.replace("\"", "\"\"") + '"';
        }
    }

    /** A labelled sentence used as review text (see datasets/sentiment/sentences.csv). */
    record Sentence(String text, int label) {}

    /** Settings; every one has a default. */
    static final class Builder {
        private long seed = 42;
        private int users = 500;
        private int products = 200;
        private double eventsPerSecond = 100;
        private long startMillis = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
        private double outOfOrderRate = 0.05;
        private long maxOutOfOrderMillis = 5_000;
        private double lateRate = 0.01;
        private int concurrentSessions = 40;
        private List<Sentence> reviews = List.of();

        Builder seed(long seed) { this.seed = seed; return this; }
        Builder users(int users) { this.users = positive("users", users); return this; }
        Builder products(int products) { this.products = positive("products", products); return this; }
        Builder eventsPerSecond(double eps) {
            if (!(eps > 0)) throw new IllegalArgumentException("eventsPerSecond must be positive, was " + eps);
            this.eventsPerSecond = eps;
            return this;
        }
        Builder start(Instant start) { this.startMillis = start.toEpochMilli(); return this; }
        Builder outOfOrderRate(double rate) { this.outOfOrderRate = fraction("outOfOrderRate", rate); return this; }
        Builder maxOutOfOrderMillis(long millis) {
            if (millis < 200) throw new IllegalArgumentException("maxOutOfOrderMillis must be at least 200, was " + millis);
            this.maxOutOfOrderMillis = millis;
            return this;
        }
        Builder lateRate(double rate) { this.lateRate = fraction("lateRate", rate); return this; }
        Builder concurrentSessions(int n) { this.concurrentSessions = positive("concurrentSessions", n); return this; }
        /** Review texts (with their sentiment label); without them no REVIEW events are made. */
        Builder reviews(List<Sentence> sentences) { this.reviews = List.copyOf(sentences); return this; }

        EventGenerator build() {
            if (outOfOrderRate + lateRate > 1) throw new IllegalArgumentException("outOfOrderRate + lateRate must be at most 1");
            return new EventGenerator(this);
        }

        private static int positive(String name, int v) {
            if (v <= 0) throw new IllegalArgumentException(name + " must be positive, was " + v);
            return v;
        }

        private static double fraction(String name, double v) {
            if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException(name + " must be within 0..1, was " + v);
            return v;
        }
    }

    static Builder builder() { return new Builder(); }

    // ------------------------------------------------------------------------------------------- state

    private static final String[] CATEGORIES = {"electronics", "books", "home", "sports", "toys", "beauty", "grocery", "fashion"};
    private static final long[] CATEGORY_MEDIAN_CENTS = {12_900, 1_500, 3_900, 4_900, 2_500, 1_900, 600, 3_500};
    private static final String[] ADJECTIVES = {"Classic", "Compact", "Deluxe", "Eco", "Ultra", "Smart", "Travel", "Pro", "Mini", "Family"};
    private static final String[][] NOUNS = {
        {"Headphones", "Charger", "Speaker", "Keyboard", "Monitor", "Camera"},
        {"Novel", "Cookbook", "Atlas", "Biography", "Comic", "Textbook"},
        {"Lamp", "Kettle", "Blanket", "Mug", "Vase", "Pan"},
        {"Tent", "Yoga Mat", "Bottle", "Helmet", "Backpack", "Ball"},
        {"Puzzle", "Robot", "Kite", "Blocks", "Doll", "Board Game"},
        {"Serum", "Shampoo", "Lip Balm", "Perfume", "Cream", "Brush"},
        {"Coffee", "Tea", "Olive Oil", "Chocolate", "Pasta", "Honey"},
        {"Jacket", "Scarf", "Sneakers", "T-Shirt", "Hat", "Jeans"}};

    private final Builder cfg;
    private final SplittableRandom random;
    private final List<Product> catalogue = new ArrayList<>();
    private final double[] productCdf;
    private final double[] userCdf;
    private final List<Session> sessions = new ArrayList<>();
    private long clock;          // arrival time of the last event, epoch millis
    private long emitted;
    private long sessionCounter;
    private long orderCounter;

    private static final class Session {
        final String id;
        final int user;
        Product lastViewed;
        final List<Product> cart = new ArrayList<>();
        final List<Integer> quantities = new ArrayList<>();
        boolean checkingOut;
        String lastOrderId;
        Product lastPurchased;
        boolean reviewPending;

        Session(String id, int user) { this.id = id; this.user = user; }
    }

    private EventGenerator(Builder cfg) {
        this.cfg = cfg;
        this.random = new SplittableRandom(cfg.seed);
        this.clock = cfg.startMillis;
        for (int i = 0; i < cfg.products; i++) {
            int c = random.nextInt(CATEGORIES.length);
            String name = ADJECTIVES[random.nextInt(ADJECTIVES.length)] + " " + NOUNS[c][random.nextInt(NOUNS[c].length)];
            // log-normal-ish price around the category median, rounded to x.99 or x.49
            double factor = StrictMath.exp(random.nextGaussian() * 0.6);
            long cents = Math.max(99, Math.round(CATEGORY_MEDIAN_CENTS[c] * factor / 50.0) * 50 - 1);
            catalogue.add(new Product(String.format(Locale.ROOT, "p-%04d", i + 1), name, CATEGORIES[c], cents));
        }
        this.productCdf = zipfCdf(cfg.products, 1.1);
        this.userCdf = zipfCdf(cfg.users, 0.8);
    }

    /** The product catalogue (the same for the same seed and product count). */
    List<Product> catalogue() { return List.copyOf(catalogue); }

    /** Users are "u-0001" .. "u-NNNN". */
    static String userId(int index) { return String.format(Locale.ROOT, "u-%04d", index + 1); }

    @Override
    public boolean hasNext() { return true; }

    @Override
    public Event next() {
        clock += Math.max(1, Math.round(-StrictMath.log(1 - random.nextDouble()) * 1000.0 / cfg.eventsPerSecond));
        Session s = pickSession();
        Event e = step(s);
        emitted++;
        return e;
    }

    /** The next n events, in arrival order. */
    List<Event> take(int n) {
        List<Event> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    /** An endless stream of events (use limit). */
    Stream<Event> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    private Session pickSession() {
        if (sessions.size() < cfg.concurrentSessions && (sessions.isEmpty() || random.nextDouble() < 0.3)) {
            Session s = new Session(String.format(Locale.ROOT, "s-%06d", ++sessionCounter), sample(userCdf));
            sessions.add(s);
            return s;
        }
        return sessions.get(random.nextInt(sessions.size()));
    }

    private Event step(Session s) {
        if (s.reviewPending) {
            s.reviewPending = false;
            sessions.remove(s);
            Sentence sentence = cfg.reviews.get(random.nextInt(cfg.reviews.size()));
            int rating = sentence.label() == 1 ? 4 + random.nextInt(2) : 1 + random.nextInt(2);
            return event(EventType.REVIEW, s, s.lastPurchased, 1, s.lastOrderId, 0, sentence.text(), rating);
        }
        if (s.checkingOut) {
            s.checkingOut = false;
            if (random.nextDouble() < 0.75) {
                long amount = 0;
                for (int i = 0; i < s.cart.size(); i++) {
                    amount += s.cart.get(i).priceCents() * s.quantities.get(i);
                }
                String orderId = String.format(Locale.ROOT, "o-%07d", ++orderCounter);
                Product first = s.cart.get(0);
                int items = s.quantities.stream().mapToInt(Integer::intValue).sum();
                s.lastOrderId = orderId;
                s.lastPurchased = first;
                s.cart.clear();
                s.quantities.clear();
                if (!cfg.reviews.isEmpty() && random.nextDouble() < 0.3) {
                    s.reviewPending = true;
                } else {
                    sessions.remove(s);
                }
                return event(EventType.PURCHASE, s, first, items, orderId, amount, null, 0);
            }
            // abandoned checkout: back to browsing
        }
        double r = random.nextDouble();
        if (s.lastViewed != null && r < 0.25) {
            int q = 1 + (random.nextDouble() < 0.15 ? random.nextInt(3) : 0);
            s.cart.add(s.lastViewed);
            s.quantities.add(q);
            return event(EventType.ADD_TO_CART, s, s.lastViewed, q, null, 0, null, 0);
        }
        if (!s.cart.isEmpty() && r < 0.30) {
            int i = random.nextInt(s.cart.size());
            Product p = s.cart.remove(i);
            int q = s.quantities.remove(i);
            return event(EventType.REMOVE_FROM_CART, s, p, q, null, 0, null, 0);
        }
        if (!s.cart.isEmpty() && r < 0.42) {
            s.checkingOut = true;
            long total = 0;
            for (int i = 0; i < s.cart.size(); i++) {
                total += s.cart.get(i).priceCents() * s.quantities.get(i);
            }
            return event(EventType.CHECKOUT, s, null, s.cart.size(), null, total, null, 0);
        }
        if (s.cart.isEmpty() && s.lastViewed != null && r > 0.93) {
            sessions.remove(s);   // the user leaves; this view is the session's last event
        }
        Product p = catalogue.get(sample(productCdf));
        s.lastViewed = p;
        return event(EventType.PAGE_VIEW, s, p, 1, null, 0, null, 0);
    }

    private Event event(EventType type, Session s, Product p, int quantity, String orderId, long amountCents,
                        String text, int rating) {
        double r = random.nextDouble();
        long delay;
        if (r < cfg.lateRate) {
            delay = 30_000 + random.nextInt(90_001);
        } else if (r < cfg.lateRate + cfg.outOfOrderRate) {
            delay = 201 + (long) (random.nextDouble() * (cfg.maxOutOfOrderMillis - 200));
        } else {
            delay = random.nextInt(201);
        }
        boolean late = delay > cfg.maxOutOfOrderMillis;
        String eventId = String.format(Locale.ROOT, "e-%08d", emitted + 1);
        return new Event(eventId, type, userId(s.user), s.id, p == null ? null : p.productId(),
                p == null ? null : p.category(), p == null ? 0 : p.priceCents(), quantity, orderId, amountCents,
                text, rating, clock - delay, clock, late);
    }

    private int sample(double[] cdf) {
        double u = random.nextDouble();
        int lo = 0, hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / StrictMath.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    /** Reads datasets/sentiment/sentences.csv (text,label,source; RFC 4180 quoting). */
    static List<Sentence> readSentences(Path csv) throws IOException {
        List<Sentence> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isEmpty()) continue;
            List<String> cols = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') { cur.append('"'); i++; }
                    else if (c == '"') quoted = false;
                    else cur.append(c);
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    cols.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            cols.add(cur.toString());
            if (cols.size() < 2) throw new IOException(csv + ", line " + (n + 1) + ": expected text,label,source");
            out.add(new Sentence(cols.get(0), Integer.parseInt(cols.get(1).strip())));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------- command line

    public static void main(String[] args) throws IOException {
        Builder b = builder();
        long count = 1_000;
        String format = "json";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(String.join("\n",
                        "usage: java EventGenerator.java [options]   (JSON lines or CSV on standard output)",
                        "  --seed N            random seed (default 42): same seed, same stream",
                        "  --count N           number of events (default 1000)",
                        "  --users N           number of users (default 500)",
                        "  --products N        catalogue size (default 200)",
                        "  --rate EPS          mean events per second of arrival time (default 100)",
                        "  --start ISO         arrival time of the stream's start (default 2024-01-01T00:00:00Z)",
                        "  --out-of-order F    fraction delayed up to --max-delay (default 0.05)",
                        "  --max-delay MS      bound of the out-of-order delay (default 5000)",
                        "  --late F            fraction delayed 30-120 s, flagged late (default 0.01)",
                        "  --reviews CSV       sentences for REVIEW events (datasets/sentiment/sentences.csv)",
                        "  --format json|csv   output format (default json)"));
                return;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + a + " (see --help)");
            String v = args[++i];
            switch (a) {
                case "--seed": b.seed(Long.parseLong(v)); break;
                case "--count": count = Long.parseLong(v); break;
                case "--users": b.users(Integer.parseInt(v)); break;
                case "--products": b.products(Integer.parseInt(v)); break;
                case "--rate": b.eventsPerSecond(Double.parseDouble(v)); break;
                case "--start": b.start(Instant.parse(v)); break;
                case "--out-of-order": b.outOfOrderRate(Double.parseDouble(v)); break;
                case "--max-delay": b.maxOutOfOrderMillis(Long.parseLong(v)); break;
                case "--late": b.lateRate(Double.parseDouble(v)); break;
                case "--reviews": b.reviews(readSentences(Path.of(v))); break;
                case "--format":
                    if (!v.equals("json") && !v.equals("csv")) throw new IllegalArgumentException("--format is json or csv, was " + v);
                    format = v;
                    break;
                default: throw new IllegalArgumentException("unknown option " + a + " (see --help)");
            }
        }
        EventGenerator gen = b.build();
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        if (format.equals("csv")) {
            out.write(Event.CSV_HEADER);
            out.write('\n');
        }
        for (long i = 0; i < count; i++) {
            Event e = gen.next();
            out.write(format.equals("csv") ? e.toCsv() : e.toJson());
            out.write('\n');
        }
        out.flush();
    }
}
