package org.streamlab.feast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streamlab.kernel.UserError;

/**
 * What to ask a Feast feature server for: feature references ({@code view:feature}) or a feature service, and the
 * entity rows as one list of values per join key (all lists equally long).
 * <pre>{@code
 * OnlineRequest r = OnlineRequest.builder()
 *         .features("driver_stats:trips", "driver_stats:conv_rate")
 *         .entity("driver_id", 1001, 1002)
 *         .build();
 * }</pre>
 */
public final class OnlineRequest {
    private final List<String> features;
    private final String featureService;
    private final Map<String, List<Object>> entities;
    private final boolean fullFeatureNames;

    private OnlineRequest(Builder b) {
        this.features = List.copyOf(b.features);
        this.featureService = b.featureService;
        this.entities = b.entities;
        this.fullFeatureNames = b.fullFeatureNames;
    }

    public static Builder builder() { return new Builder(); }

    public List<String> features() { return features; }

    public String featureService() { return featureService; }

    /** Join key to its values, one value per entity row. */
    public Map<String, List<Object>> entities() { return entities; }

    public boolean fullFeatureNames() { return fullFeatureNames; }

    public int rowCount() { return entities.values().iterator().next().size(); }

    /** The request body of {@code POST /get-online-features}. */
    Map<String, Object> toJson() {
        Map<String, Object> body = new LinkedHashMap<>();
        if (featureService != null) {
            body.put("feature_service", featureService);
        } else {
            body.put("features", features);
        }
        body.put("entities", entities);
        body.put("full_feature_names", fullFeatureNames);
        return body;
    }

    public static final class Builder {
        private final List<String> features = new ArrayList<>();
        private String featureService;
        private final Map<String, List<Object>> entities = new LinkedHashMap<>();
        private boolean fullFeatureNames;

        private Builder() {}

        /** Feature references {@code view:feature}; may be called more than once. */
        public Builder features(String... refs) {
            return features(Arrays.asList(refs));
        }

        public Builder features(List<String> refs) {
            features.addAll(FeatureRefs.checked(refs));
            return this;
        }

        /** A feature service (instead of feature references). */
        public Builder featureService(String name) {
            this.featureService = name;
            return this;
        }

        /** The values of one join key, one per entity row (e.g. {@code entity("driver_id", 1001, 1002)}). */
        public Builder entity(String joinKey, Object... values) {
            return entity(joinKey, Arrays.asList(values));
        }

        public Builder entity(String joinKey, List<?> values) {
            if (joinKey == null || joinKey.isBlank()) {
                throw new UserError("an entity needs its join key name", "e.g. entity(\"driver_id\", 1001, 1002)");
            }
            if (values.isEmpty()) {
                throw new UserError("no values for the join key " + joinKey, "give at least one, e.g. entity(\"" + joinKey + "\", 1001)");
            }
            entities.put(joinKey, List.copyOf(values));
            return this;
        }

        /** Columns named {@code view__feature} instead of {@code feature}. */
        public Builder fullFeatureNames(boolean full) {
            this.fullFeatureNames = full;
            return this;
        }

        public OnlineRequest build() {
            if (features.isEmpty() == (featureService == null)) {
                throw new UserError(features.isEmpty() ? "no features asked for" : "features and a feature service are exclusive",
                        "give feature references (view:feature) or one feature service");
            }
            if (entities.isEmpty()) {
                throw new UserError("no entity rows", "give the join key values, e.g. entity(\"driver_id\", 1001, 1002)");
            }
            int n = -1;
            for (Map.Entry<String, List<Object>> e : entities.entrySet()) {
                if (n >= 0 && e.getValue().size() != n) {
                    throw new UserError("every join key needs one value per entity row: " + e.getKey() + " has "
                            + e.getValue().size() + ", the first key has " + n, null);
                }
                n = e.getValue().size();
            }
            return new OnlineRequest(this);
        }
    }
}
