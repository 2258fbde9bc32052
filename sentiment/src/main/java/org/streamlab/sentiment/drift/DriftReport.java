package org.streamlab.sentiment.drift;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** A live window judged against the reference: one {@link FeatureDrift} per feature; drifted when any feature is. */
public record DriftReport(String windowId, int referenceSize, int liveSize, List<FeatureDrift> features) {

    public DriftReport {
        features = List.copyOf(features);
    }

    public boolean drifted() {
        return features.stream().anyMatch(FeatureDrift::drifted);
    }

    /** The names of the drifted features, in feature order. */
    public List<String> driftedFeatures() {
        return features.stream().filter(FeatureDrift::drifted).map(FeatureDrift::feature).toList();
    }

    public Optional<FeatureDrift> feature(String name) {
        return features.stream().filter(f -> f.feature().equals(name)).findFirst();
    }

    /** The highest PSI over the features (what an alert row records beside the drifted features). */
    public double maxPsi() {
        return features.stream().mapToDouble(FeatureDrift::psi).max().orElse(0);
    }

    /** The lowest KS p-value over the features. */
    public double minKsPValue() {
        return features.stream().mapToDouble(FeatureDrift::ksPValue).min().orElse(1);
    }

    /** A Markdown table (pass it to {@code markdown(...)} in a notebook). */
    public String toMarkdown() {
        String rows = features.stream().map(f -> String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.4f | %.2g | %s |",
                f.feature(), f.referenceMean(), f.liveMean(), f.psi(), f.ksPValue(), f.drifted() ? "**drift**" : "ok"))
                .collect(Collectors.joining("\n"));
        return String.format(Locale.ROOT, "**%s**: %d live vs %d reference: %s%n%n"
                        + "| feature | reference mean | live mean | PSI | KS p-value | |%n| --- | ---: | ---: | ---: | ---: | --- |%n%s%n",
                windowId, liveSize, referenceSize, drifted() ? "DRIFT in " + driftedFeatures() : "no drift", rows);
    }

    @Override
    public String toString() {
        return windowId + ": " + (drifted() ? "drift in " + driftedFeatures() : "no drift") + " " + features.stream()
                .map(f -> String.format(Locale.ROOT, "%s(psi=%.3f, p=%.2g)", f.feature(), f.psi(), f.ksPValue()))
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
