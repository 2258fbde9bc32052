package org.streamlab.sentiment.drift;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * Compares live windows with a fixed reference window, feature by feature, with the Population Stability Index
 * ({@link Psi}: quantile bins of the reference) and the two-sample Kolmogorov-Smirnov test (commons-math3).
 *
 * <p>Features of a window:
 * <ul>
 *   <li>{@value #SCORE}: the model's output (prediction drift);</li>
 *   <li>{@value #LENGTH_CHARS}: each text's length in characters (code points): input drift in shape;</li>
 *   <li>{@value #CENTROID_COSINE}: the cosine of each embedding with the reference's centroid (the normalised mean
 *       embedding): input drift in meaning (texts about other things, or in another language, move away).</li>
 * </ul>
 * The PSI function and the decision rule are pluggable (defaults {@link Psi#of(double[], double[])} and
 * {@link DriftThresholds#defaults()}). Instances are immutable and thread-safe.
 */
public final class DriftMonitor {

    public static final String SCORE = "score";
    public static final String LENGTH_CHARS = "length_chars";
    public static final String CENTROID_COSINE = "centroid_cosine";
    public static final List<String> FEATURES = List.of(SCORE, LENGTH_CHARS, CENTROID_COSINE);

    private final double[] centroid;
    private final Map<String, double[]> reference;
    private final int referenceSize;
    private final PsiFunction psi;
    private final DriftRule rule;

    private DriftMonitor(DriftWindow referenceWindow, PsiFunction psi, DriftRule rule) {
        this.centroid = centroid(referenceWindow.embeddings());
        this.reference = features(referenceWindow);
        this.referenceSize = referenceWindow.size();
        this.psi = psi;
        this.rule = rule;
    }

    /** A monitor with the library's PSI and the default thresholds (PSI &gt; 0.2 or KS p &lt; 0.01). */
    public static DriftMonitor of(DriftWindow reference) {
        return builder(reference).build();
    }

    public static Builder builder(DriftWindow reference) {
        return new Builder(Objects.requireNonNull(reference, "reference"));
    }

    public static final class Builder {
        private final DriftWindow reference;
        private PsiFunction psi = Psi::of;
        private DriftRule rule = DriftThresholds.defaults();

        private Builder(DriftWindow reference) {
            this.reference = reference;
        }

        public Builder psi(PsiFunction psi) {
            this.psi = Objects.requireNonNull(psi, "psi");
            return this;
        }

        public Builder rule(DriftRule rule) {
            this.rule = Objects.requireNonNull(rule, "rule");
            return this;
        }

        public DriftMonitor build() {
            return new DriftMonitor(reference, psi, rule);
        }
    }

    /** Judges {@code live} against the reference. */
    public DriftReport check(String windowId, DriftWindow live) {
        Map<String, double[]> current = features(live);
        List<FeatureDrift> out = new ArrayList<>();
        for (String name : FEATURES) {
            out.add(compare(name, reference.get(name), current.get(name), psi, rule));
        }
        return new DriftReport(windowId, referenceSize, live.size(), out);
    }

    /** One feature: PSI with {@code psi}, KS statistic and p-value, verdict of {@code rule}. */
    public static FeatureDrift compare(String feature, double[] reference, double[] live, PsiFunction psi, DriftRule rule) {
        Psi.requireSample(reference, feature + " reference");
        Psi.requireSample(live, feature + " live window");
        double p = psi.psi(reference, live);
        KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest();
        double d = ks.kolmogorovSmirnovStatistic(reference, live);
        double pValue = ks.kolmogorovSmirnovTest(reference, live);
        return new FeatureDrift(feature, p, d, pValue, rule.drifted(p, pValue), mean(reference), mean(live));
    }

    /** The reference's values of a feature (a copy). */
    public double[] referenceFeature(String name) {
        double[] values = reference.get(name);
        if (values == null) {
            throw new IllegalArgumentException("unknown feature " + name + "; the features are " + FEATURES);
        }
        return values.clone();
    }

    /** The features of any window, relative to this monitor's reference centroid. */
    public Map<String, double[]> features(DriftWindow window) {
        int n = window.size();
        double[] lengths = new double[n];
        double[] cosines = new double[n];
        for (int i = 0; i < n; i++) {
            String text = window.texts().get(i);
            lengths[i] = text == null ? 0 : text.codePointCount(0, text.length());
            cosines[i] = cosine(window.embeddings()[i], centroid);
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put(SCORE, window.scores().clone());
        out.put(LENGTH_CHARS, lengths);
        out.put(CENTROID_COSINE, cosines);
        return out;
    }

    public int referenceSize() {
        return referenceSize;
    }

    static double[] centroid(float[][] embeddings) {
        int dim = embeddings[0].length;
        double[] c = new double[dim];
        for (float[] e : embeddings) {
            if (e == null || e.length != dim) {
                throw new IllegalArgumentException("every embedding must have " + dim + " values");
            }
            for (int j = 0; j < dim; j++) {
                c[j] += e[j];
            }
        }
        return c;
    }

    static double cosine(float[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embedding of " + a.length + " values, reference of " + b.length);
        }
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : dot / Math.sqrt(aa * bb);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
