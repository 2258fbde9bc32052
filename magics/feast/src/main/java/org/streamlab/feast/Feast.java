package org.streamlab.feast;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.streamlab.kernel.UserError;

/**
 * Feast from notebook Java code, through the kernel's Feast service (the feature repository in the workspace, its
 * feature server started on first use, or FEAST_URL).
 * <pre>{@code
 * OnlineFeatures f = Feast.onlineFeatures(List.of("driver_stats:trips"), "driver_id", 1001, 1002);
 * long trips = (Long) f.value(0, "trips");
 * TrainingSet t = Feast.trainingSet(TrainingRequest.builder().entities(labels).features("driver_stats:trips").build());
 * }</pre>
 */
public final class Feast {
    private static volatile FeastService current;

    private Feast() {}

    static void setCurrent(FeastService service) {
        current = service;
    }

    /** The kernel's Feast service. */
    public static FeastService service() {
        FeastService s = current;
        if (s == null) {
            throw new UserError("no Feast service in this kernel", "the streamlab-feast extension was not loaded");
        }
        return s;
    }

    /** The feature repository folder (feature_store.yaml, definitions, data/). */
    public static Path repo() { return service().repo(); }

    /** The repository's data/ folder: write sources' Parquet files here and name them data/... in definitions. */
    public static Path dataDir() { return service().dataDir(); }

    /** The feature server's address, e.g. http://127.0.0.1:41234 (starts it if needed). */
    public static String url() { return service().url(); }

    /** A client of the kernel's feature server. */
    public static FeastClient client() { return service().client(); }

    /** Online features over HTTP from the kernel's feature server. */
    public static OnlineFeatures onlineFeatures(OnlineRequest request) { return service().onlineFeatures(request); }

    /** Online features of {@code features} for the entity rows whose join key {@code joinKey} has the given values. */
    public static OnlineFeatures onlineFeatures(List<String> features, String joinKey, Object... values) {
        return onlineFeatures(OnlineRequest.builder().features(features).entity(joinKey, values).build());
    }

    /** Writes the definitions as features.py in the repository and runs feast apply, printing what feast says. */
    public static void apply(String definitions) {
        service().apply(definitions, "features.py", System.out::println, () -> Thread.currentThread().isInterrupted());
    }

    /** Any feast command in the repository (e.g. {@code cli("feature-views", "describe", "v")}); returns its output. */
    public static String cli(String... args) {
        return service().cli(List.of(args), null, () -> Thread.currentThread().isInterrupted());
    }

    /** feast materialize START END (all feature views), printing what feast says. */
    public static void materialize(Instant start, Instant end) {
        service().cli(List.of("materialize", iso(start), iso(end)), System.out::println, () -> Thread.currentThread().isInterrupted());
    }

    /** feast materialize START END --views V ... */
    public static void materialize(Instant start, Instant end, String... views) {
        List<String> args = new ArrayList<>(List.of("materialize", iso(start), iso(end)));
        for (String v : views) {
            args.add("--views");
            args.add(v);
        }
        service().cli(args, System.out::println, () -> Thread.currentThread().isInterrupted());
    }

    /**
     * A point-in-time-correct training set (Feast's get_historical_features). Relative entity and output paths are
     * resolved against the feature repository, like sources' paths.
     */
    public static TrainingSet trainingSet(TrainingRequest request) {
        return service().trainingSet(request, System.out::println, () -> Thread.currentThread().isInterrupted());
    }

    private static String iso(Instant t) {
        return t.atOffset(ZoneOffset.UTC).toLocalDateTime().toString();
    }
}
