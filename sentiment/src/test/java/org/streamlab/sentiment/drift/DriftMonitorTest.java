package org.streamlab.sentiment.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Synthetic windows: texts of random length, 8-dimensional "embeddings" around a direction, scores. */
class DriftMonitorTest {

    static DriftWindow window(long seed, int n, double scoreShift, int extraLength, double[] direction) {
        Random r = new Random(seed);
        List<String> texts = new ArrayList<>();
        float[][] embeddings = new float[n][];
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            texts.add("x".repeat(20 + r.nextInt(60) + extraLength));
            float[] e = new float[direction.length];
            for (int j = 0; j < e.length; j++) {
                e[j] = (float) (direction[j] + 0.5 * r.nextGaussian());
            }
            embeddings[i] = e;
            scores[i] = Math.tanh(r.nextGaussian() + scoreShift);
        }
        return new DriftWindow(texts, embeddings, scores);
    }

    static final double[] TOPIC = {1, 1, 0, 0, 0, 0, 0, 0};
    static final double[] OTHER_TOPIC = {0, 0, 1, 1, 0, 0, 0, 0};

    @Test
    void sameDistributionIsNotDrift() {
        DriftMonitor monitor = DriftMonitor.of(window(1, 800, 0, 0, TOPIC));
        DriftReport report = monitor.check("same", window(2, 800, 0, 0, TOPIC));
        assertFalse(report.drifted(), report.toString());
        assertEquals(DriftMonitor.FEATURES, report.features().stream().map(FeatureDrift::feature).toList());
        report.features().forEach(f -> assertTrue(f.psi() < 0.05 && f.ksPValue() > 0.01, f.toString()));
    }

    @Test
    void identicalWindowHasPsiZeroAndPValueOne() {
        DriftWindow reference = window(1, 300, 0, 0, TOPIC);
        DriftReport report = DriftMonitor.of(reference).check("itself", reference);
        report.features().forEach(f -> {
            assertEquals(0.0, f.psi(), 0.0, f.feature());
            assertEquals(0.0, f.ksStatistic(), 0.0, f.feature());
            assertEquals(1.0, f.ksPValue(), 1e-9, f.feature());
        });
    }

    @Test
    void eachInjectedShiftIsDetectedInItsOwnFeature() {
        DriftMonitor monitor = DriftMonitor.of(window(1, 800, 0, 0, TOPIC));
        DriftReport scores = monitor.check("negative", window(3, 800, -1.0, 0, TOPIC));
        assertEquals(List.of(DriftMonitor.SCORE), scores.driftedFeatures(), scores.toString());
        DriftReport longer = monitor.check("long", window(4, 800, 0, 200, TOPIC));
        assertEquals(List.of(DriftMonitor.LENGTH_CHARS), longer.driftedFeatures(), longer.toString());
        assertTrue(longer.feature(DriftMonitor.LENGTH_CHARS).orElseThrow().psi() > 2, longer.toString());
        DriftReport topic = monitor.check("topic", window(5, 800, 0, 0, OTHER_TOPIC));
        assertEquals(List.of(DriftMonitor.CENTROID_COSINE), topic.driftedFeatures(), topic.toString());
        assertTrue(topic.maxPsi() > 0.2 && topic.minKsPValue() < 1e-6);
    }

    @Test
    void aSmallWindowWithAModestShiftIsCaughtByKsOrPsiAlone() {
        // the rule is an OR: PSI alone or KS alone decides
        DriftMonitor psiOnly = DriftMonitor.builder(window(1, 800, 0, 0, TOPIC)).rule((psi, p) -> psi > 0.2).build();
        DriftMonitor ksOnly = DriftMonitor.builder(window(1, 800, 0, 0, TOPIC)).rule((psi, p) -> p < 0.01).build();
        DriftWindow shifted = window(6, 800, -0.6, 0, TOPIC);
        assertTrue(psiOnly.check("w", shifted).feature(DriftMonitor.SCORE).orElseThrow().drifted());
        assertTrue(ksOnly.check("w", shifted).feature(DriftMonitor.SCORE).orElseThrow().drifted());
    }

    @Test
    void thresholdsAreStrictAndAnOr() {
        DriftThresholds t = DriftThresholds.defaults();
        assertTrue(t.drifted(0.25, 0.5));
        assertTrue(t.drifted(0.05, 0.001));
        assertFalse(t.drifted(0.2, 0.01));
        assertFalse(t.drifted(0.1, 0.3));
        assertThrows(IllegalArgumentException.class, () -> new DriftThresholds(0, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new DriftThresholds(0.2, 1));
    }

    @Test
    void aPluggedPsiIsTheOneUsed() {
        DriftWindow reference = window(1, 200, 0, 0, TOPIC);
        DriftReport report = DriftMonitor.builder(reference).psi((r, l) -> 42).build().check("w", reference);
        report.features().forEach(f -> assertEquals(42, f.psi(), 0.0));
        assertTrue(report.drifted());
        assertTrue(report.toMarkdown().contains("| score |"), report.toMarkdown());
    }

    @Test
    void badWindowsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DriftWindow(List.of("a", "b"), new float[1][2], new double[2]));
        assertThrows(IllegalArgumentException.class, () -> new DriftWindow(List.of(), new float[0][], new double[0]));
        DriftMonitor monitor = DriftMonitor.of(window(1, 50, 0, 0, TOPIC));
        DriftWindow wrongDimension = new DriftWindow(List.of("a"), new float[][] {{1, 2}}, new double[] {0});
        assertThrows(IllegalArgumentException.class, () -> monitor.check("w", wrongDimension));
        assertThrows(IllegalArgumentException.class, () -> monitor.referenceFeature("nope"));
    }
}
