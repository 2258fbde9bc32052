package org.streamlab.sentiment.drift;

import java.util.Arrays;

/**
 * Population Stability Index of a live sample against a reference sample:
 * {@code PSI = sum over bins of (live% - ref%) * ln(live% / ref%)}.
 *
 * <p>The bins are fixed by the <b>reference</b> only: its quantiles at {@code 1/bins, 2/bins, ...} are the edges
 * (a value equal to an edge falls in the bin below it), so every bin holds about the same share of the reference
 * and the live window is judged against that fixed grid. Repeated edges (a reference with many ties) are merged.
 * A bin that one sample leaves empty would make the logarithm infinite: every share is floored at
 * {@code epsilon} (default {@value #DEFAULT_EPSILON}).
 *
 * <p>Rules of thumb: below 0.1 stable, 0.1 to 0.2 a moderate shift, above 0.2 a significant shift.
 */
public final class Psi {

    public static final int DEFAULT_BINS = 10;
    public static final double DEFAULT_EPSILON = 1e-4;

    private Psi() {
    }

    /** PSI with {@value #DEFAULT_BINS} quantile bins of the reference and epsilon {@value #DEFAULT_EPSILON}. */
    public static double of(double[] reference, double[] live) {
        return of(reference, live, DEFAULT_BINS, DEFAULT_EPSILON);
    }

    public static double of(double[] reference, double[] live, int bins, double epsilon) {
        double[] edges = edges(reference, bins);
        double[] ref = shares(reference, edges);
        double[] cur = shares(live, edges);
        double psi = 0;
        for (int i = 0; i < ref.length; i++) {
            double e = Math.max(ref[i], epsilon);
            double a = Math.max(cur[i], epsilon);
            psi += (a - e) * Math.log(a / e);
        }
        return psi;
    }

    /**
     * The inner bin edges: the reference's quantiles at k/bins (k = 1 .. bins-1, nearest rank on the sorted sample),
     * strictly increasing (repeats removed). {@code edges.length + 1} bins.
     */
    public static double[] edges(double[] reference, int bins) {
        requireSample(reference, "reference");
        if (bins < 2) {
            throw new IllegalArgumentException("bins must be at least 2, got " + bins);
        }
        double[] sorted = reference.clone();
        Arrays.sort(sorted);
        double[] edges = new double[bins - 1];
        int n = 0;
        for (int k = 1; k < bins; k++) {
            int rank = (int) Math.ceil((double) k * sorted.length / bins) - 1;
            double edge = sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
            if (n == 0 || edge > edges[n - 1]) {
                edges[n++] = edge;
            }
        }
        return Arrays.copyOf(edges, n);
    }

    /** The share of {@code sample} in each bin: (-inf, e0], (e0, e1], ..., (e_last, +inf). */
    public static double[] shares(double[] sample, double[] edges) {
        requireSample(sample, "sample");
        double[] shares = new double[edges.length + 1];
        for (double v : sample) {
            int i = Arrays.binarySearch(edges, v);
            int bin = i >= 0 ? i : -i - 1; // an exact edge belongs to the bin it closes
            shares[bin]++;
        }
        for (int i = 0; i < shares.length; i++) {
            shares[i] /= sample.length;
        }
        return shares;
    }

    static void requireSample(double[] sample, String name) {
        if (sample == null || sample.length == 0) {
            throw new IllegalArgumentException(name + " must hold at least one value");
        }
        for (double v : sample) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException(name + " holds NaN");
            }
        }
    }
}
