package org.streamlab.pipelines.sentiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.streamlab.kernel.UserError;
import org.streamlab.pipelines.delta.DeltaTableReader;
import org.streamlab.sentiment.Evaluation;
import org.streamlab.sentiment.LabelledSentence;
import org.streamlab.sentiment.SentenceEncoder;
import org.streamlab.sentiment.SentimentData;
import org.streamlab.sentiment.SentimentHead;
import org.streamlab.sentiment.TrainingOptions;
import org.streamlab.sentiment.registry.ModelRegistry;
import org.streamlab.sentiment.registry.Promotion;

/**
 * One night of retraining, a step per command, for an orchestrator (Phase 5 / 03's Airflow DAG runs each in a
 * BashOperator): the same calls as the notebook's nights ({@link ModelRegistry}, {@link Promotion}).
 * <pre>
 * has-day  --history DIR --day D                  exit 0 when the history holds reviews of day D, 1 when not (a sensor)
 * train    --history DIR --day D --tracking-uri U --model M [--experiment E] [--embeddings FILE]
 *          trains a head on every review up to D (columns day, text, label), logs the run, registers the next
 *          version; the last line printed is its number (Airflow's BashOperator pushes it to XCom)
 * evaluate --tracking-uri U --model M --version N --dataset CSV [--embeddings FILE]
 *          logs the version's accuracy on the held-out reviews (the dataset's test split) as heldout_accuracy
 * promote  --tracking-uri U --model M --version N --dataset CSV [--alias champion] [--embeddings FILE]
 *          moves the alias to version N only if it is strictly better on the held-out reviews; prints the decision
 * </pre>
 * The held-out reviews are {@code SentimentData.split(load(CSV), 0.25, 42).test()} ({@code --test-fraction},
 * {@code --seed}), never in the history. Embeddings are kept by text in {@code --embeddings} (an {@link EmbeddingCache}).
 * Exit status 2 and one line on stderr for a mistake.
 */
public final class NightlyRetraining {
    private final Map<String, String> options;
    private SentenceEncoder encoder;

    private NightlyRetraining(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (UserError e) {
            System.err.println("nightly-retraining: " + e.getMessage() + (e.hint() == null ? "" : " (" + e.hint() + ")"));
            status = 2;
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            System.err.println("nightly-retraining: " + e.getMessage());
            status = 2;
        }
        System.exit(status);
    }

    /** Runs one command; its exit status. */
    public static int run(String... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: NightlyRetraining has-day|train|evaluate|promote --option value ... (see its javadoc)");
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        NightlyRetraining night = new NightlyRetraining(options);
        try {
            return switch (args[0]) {
                case "has-day" -> night.hasDay();
                case "train" -> night.train();
                case "evaluate" -> night.evaluate();
                case "promote" -> night.promote();
                default -> throw new IllegalArgumentException("unknown command '" + args[0] + "': has-day, train, evaluate or promote");
            };
        } finally {
            if (night.encoder != null) {
                night.encoder.close();
            }
        }
    }

    private String option(String name) {
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    private String option(String name, String otherwise) {
        return options.getOrDefault(name, otherwise);
    }

    private List<Map<String, Object>> historyUpTo(String day, boolean onlyThatDay) {
        String history = option("history");
        if (!Files.isDirectory(Path.of(history, "_delta_log"))) {
            return List.of();
        }
        return DeltaTableReader.readAll(history).stream().filter(r -> {
            int c = String.valueOf(r.get("day")).compareTo(day);
            return onlyThatDay ? c == 0 : c <= 0;
        }).toList();
    }

    private int hasDay() {
        String day = option("day");
        int n = historyUpTo(day, true).size();
        System.out.println(n > 0 ? n + " reviews of " + day + " in the history" : "no reviews of " + day + " in the history yet");
        return n > 0 ? 0 : 1;
    }

    private float[][] embed(List<String> texts) {
        EmbeddingCache cache = options.containsKey("embeddings") ? EmbeddingCache.open(Path.of(option("embeddings"))) : null;
        if (cache == null) {
            return encoder().embed(texts);
        }
        float[][] x = cache.embed(texts, missing -> {
            System.out.println("embedding " + missing.size() + " reviews not in the cache");
            return encoder().embed(missing);
        });
        cache.save();
        return x;
    }

    private SentenceEncoder encoder() {
        if (encoder == null) {
            encoder = SentenceEncoder.open();
        }
        return encoder;
    }

    private ModelRegistry registry() {
        return new ModelRegistry(option("tracking-uri"));
    }

    private int train() {
        String day = option("day");
        List<Map<String, Object>> rows = historyUpTo(day, false);
        if (rows.isEmpty()) {
            throw new IllegalStateException("the history " + option("history") + " holds no reviews up to " + day + ": nothing to train on");
        }
        float[][] x = embed(rows.stream().map(r -> (String) r.get("text")).toList());
        int[] y = rows.stream().mapToInt(r -> ((Number) r.get("label")).intValue()).toArray();
        SentimentHead head = SentimentHead.train(x, y, TrainingOptions.defaults());
        double trainAccuracy = Evaluation.of(y, head.positiveProbabilities(x), 0.5).accuracy();
        try (ModelRegistry registry = registry()) {
            String runId = registry.logHead(option("experiment", "nightly-retraining"), "nightly-" + day, head,
                    Map.of("night", day, "train_rows", Integer.toString(rows.size()), "epochs", Integer.toString(TrainingOptions.defaults().epochs())),
                    Map.of("train_accuracy", trainAccuracy));
            ModelRegistry.ModelVersion v = registry.register(option("model"), runId);
            System.out.printf(Locale.ROOT, "night %s: trained on %d reviews (train accuracy %.4f), run %s, registered %s version%n%d%n",
                    day, rows.size(), trainAccuracy, runId, v.model(), v.version());
        }
        return 0;
    }

    private double heldOutAccuracy(SentimentHead head, float[][] x, int[] y) {
        return Evaluation.of(y, head.positiveProbabilities(x), 0.5).accuracy();
    }

    private int evaluate() {
        List<LabelledSentence> heldOut = heldOut();
        float[][] x = embed(SentimentData.texts(heldOut));
        int[] y = SentimentData.labels(heldOut);
        try (ModelRegistry registry = registry()) {
            ModelRegistry.ModelVersion v = registry.version(option("model"), version());
            double accuracy = heldOutAccuracy(registry.loadHead(v), x, y);
            registry.client().logMetric(v.runId(), "heldout_accuracy", accuracy);
            System.out.printf(Locale.ROOT, "%s version %d: held-out accuracy %.4f on %d reviews%n", v.model(), v.version(), accuracy, y.length);
        }
        return 0;
    }

    private int promote() {
        List<LabelledSentence> heldOut = heldOut();
        float[][] x = embed(SentimentData.texts(heldOut));
        int[] y = SentimentData.labels(heldOut);
        try (ModelRegistry registry = registry()) {
            ModelRegistry.ModelVersion candidate = registry.version(option("model"), version());
            Promotion.Decision d = Promotion.promoteIfBetter(registry, option("model"), option("alias", "champion"), candidate,
                    h -> heldOutAccuracy(h, x, y));
            System.out.println(d);
            System.out.printf(Locale.ROOT, "{\"candidate\": %d, \"champion\": %d, \"promoted\": %b}%n", d.candidate(), d.champion(), d.promoted());
        }
        return 0;
    }

    private int version() {
        String v = option("version").strip();
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--version must be a version number, got '" + v + "' (the train task's last line)");
        }
    }

    private List<LabelledSentence> heldOut() {
        return SentimentData.split(SentimentData.load(Path.of(option("dataset"))),
                Double.parseDouble(option("test-fraction", "0.25")), Long.parseLong(option("seed", "42"))).test();
    }
}
