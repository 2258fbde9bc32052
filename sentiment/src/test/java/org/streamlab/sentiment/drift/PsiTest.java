package org.streamlab.sentiment.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PsiTest {

    /** i/n for i = 1..n: a deterministic uniform sample on (0, 1]. */
    static double[] grid(int n, double from, double to) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = from + (to - from) * (i + 1) / n;
        }
        return v;
    }

    @Test
    void identicalSamplesHavePsiZero() {
        double[] a = grid(1000, 0, 1);
        assertEquals(0.0, Psi.of(a, a.clone()), 0.0);
        double[] normal = new Random(1).doubles(500).map(x -> x * x).toArray();
        assertEquals(0.0, Psi.of(normal, normal.clone()), 0.0);
    }

    @Test
    void edgesAreTheReferenceDecilesAndTiesMerge() {
        assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, Psi.edges(grid(1000, 0, 1), 10), 1e-12);
        // a reference with one value for most of its mass: repeated quantiles collapse into one edge
        double[] ties = new double[100];
        for (int i = 90; i < 100; i++) {
            ties[i] = i;
        }
        // 90 zeros: the nine deciles (ranks 10, 20, ..., 90) are all 0, one edge, two bins
        assertArrayEquals(new double[] {0.0}, Psi.edges(ties, 10), 0.0);
        assertArrayEquals(new double[] {0.9, 0.1}, Psi.shares(ties, Psi.edges(ties, 10)), 1e-12);
        assertEquals(0.0, Psi.of(ties, ties.clone()), 0.0);
    }

    @Test
    void knownValueOnAShiftedMixture() {
        double[] ref = grid(1000, 0, 1);
        // half the live mass in the reference's first decile, the rest uniform
        double[] live = new double[1000];
        double[] low = grid(500, 0, 0.1), all = grid(500, 0, 1);
        System.arraycopy(low, 0, live, 0, 500);
        System.arraycopy(all, 0, live, 500, 500);
        // first bin: 0.55 vs 0.10; nine bins 0.05 vs 0.10
        double expected = (0.55 - 0.1) * Math.log(5.5) + 9 * (0.05 - 0.1) * Math.log(0.5);
        assertEquals(expected, Psi.of(ref, live), 1e-9);
        // bins taken from the live window instead give another (wrong) figure
        double fromLive = Psi.of(live, ref);
        assertTrue(Math.abs(fromLive - expected) > 0.1, "live-binned PSI " + fromLive + " vs " + expected);
    }

    @Test
    void emptyBinsAreFlooredByEpsilonNotInfinite() {
        double[] ref = grid(1000, 0, 1);
        double[] live = grid(1000, 0.3, 1.3);             // nothing in the reference's three lowest deciles
        double psi = Psi.of(ref, live, 10, 1e-4);
        assertTrue(Double.isFinite(psi), "PSI " + psi);
        double expected = 3 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1) + (0.4 - 0.1) * Math.log(4);
        assertEquals(expected, psi, 1e-9);
        assertTrue(Psi.of(ref, live, 10, 1e-6) > psi, "a smaller epsilon weighs an empty bin more");
        // a live window entirely above the reference: one bin holds everything
        double[] far = grid(200, 5, 6);
        assertTrue(Double.isFinite(Psi.of(ref, far)) && Psi.of(ref, far) > 2);
    }

    @Test
    void sameDistributionStaysBelowTheThreshold() {
        Random r = new Random(7);
        double[] a = r.doubles(2000).map(x -> Math.sqrt(x)).toArray();
        double[] b = r.doubles(2000).map(x -> Math.sqrt(x)).toArray();
        double psi = Psi.of(a, b);
        assertTrue(psi < 0.02, "PSI of two samples of one distribution: " + psi);
        double shifted = Psi.of(a, r.doubles(2000).map(x -> Math.sqrt(x) * 0.7).toArray());
        assertTrue(shifted > 0.2, "PSI of a scaled sample: " + shifted);
    }

    @Test
    void rejectsEmptyAndNaNSamples() {
        assertThrows(IllegalArgumentException.class, () -> Psi.of(new double[0], new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Psi.of(new double[] {1}, new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Psi.of(new double[] {1, Double.NaN}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Psi.edges(new double[] {1}, 1));
    }
}
