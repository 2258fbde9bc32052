package org.streamlab.feast;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.streamlab.kernel.UserError;

/**
 * A training-set retrieval: the entity rows (a Parquet file or folder, or a CSV file, with the join keys, an event
 * timestamp per row and any labels) and the features to join to them as of each row's timestamp.
 * <pre>{@code
 * TrainingRequest r = TrainingRequest.builder()
 *         .entities(Path.of("data/labels"))   // relative to the feature repository
 *         .features("driver_stats:trips", "driver_stats:conv_rate")
 *         .build();
 * }</pre>
 */
public final class TrainingRequest {
    static final String DEFAULT_TIMESTAMP_COLUMN = "event_timestamp";

    private final Path entities;
    private final List<String> features;
    private final String featureService;
    private final String timestampColumn;
    private final Path out;
    private final boolean fullFeatureNames;

    private TrainingRequest(Builder b) {
        this.entities = b.entities;
        this.features = List.copyOf(b.features);
        this.featureService = b.featureService;
        this.timestampColumn = b.timestampColumn;
        this.out = b.out;
        this.fullFeatureNames = b.fullFeatureNames;
    }

    public static Builder builder() { return new Builder(); }

    public Path entities() { return entities; }

    public List<String> features() { return features; }

    public String featureService() { return featureService; }

    public String timestampColumn() { return timestampColumn; }

    /** Where the training set is written as Parquet; null: the service's default file. */
    public Path out() { return out; }

    public boolean fullFeatureNames() { return fullFeatureNames; }

    public static final class Builder {
        private Path entities;
        private final List<String> features = new ArrayList<>();
        private String featureService;
        private String timestampColumn = DEFAULT_TIMESTAMP_COLUMN;
        private Path out;
        private boolean fullFeatureNames;

        private Builder() {}

        public Builder entities(Path path) {
            this.entities = path;
            return this;
        }

        public Builder features(String... refs) {
            return features(Arrays.asList(refs));
        }

        public Builder features(List<String> refs) {
            features.addAll(FeatureRefs.checked(refs));
            return this;
        }

        public Builder featureService(String name) {
            this.featureService = name;
            return this;
        }

        /** The entity rows' time column, when it is not called event_timestamp. */
        public Builder timestampColumn(String column) {
            this.timestampColumn = column;
            return this;
        }

        public Builder out(Path path) {
            this.out = path;
            return this;
        }

        public Builder fullFeatureNames(boolean full) {
            this.fullFeatureNames = full;
            return this;
        }

        public TrainingRequest build() {
            if (entities == null) {
                throw new UserError("no entity rows given", "entities(Path): a Parquet file or folder, or a CSV file, with the join"
                        + " keys and an event timestamp per row");
            }
            if (features.isEmpty() == (featureService == null)) {
                throw new UserError(features.isEmpty() ? "no features asked for" : "features and a feature service are exclusive",
                        "give feature references (view:feature) or one feature service");
            }
            return new TrainingRequest(this);
        }
    }
}
