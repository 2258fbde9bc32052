package org.streamlab.sentiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real all-MiniLM-L6-v2 model from the class path, through ONNX Runtime. */
class SentenceEncoderTest {

    private static SentenceEncoder encoder;

    @BeforeAll
    static void open() {
        encoder = SentenceEncoder.open(EncoderOptions.defaults().withBatchSize(4));
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void embeddingsAreUnitVectorsOf384() {
        assertEquals(384, encoder.dimension());
        float[][] e = encoder.embed(List.of("The food was great.", "Terrible service, never again."));
        assertEquals(2, e.length);
        for (float[] row : e) {
            assertEquals(384, row.length);
            assertEquals(1.0, Math.sqrt(cosineSelf(row)), 1e-5);
        }
        assertEquals(0, encoder.embed(List.of()).length);
    }

    private static double cosineSelf(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return s;
    }

    @Test
    void listResultsAreInInputOrderDespiteLengthSorting() {
        // lengths deliberately unsorted, more texts than one batch, so sorting reorders across batches
        List<String> texts = List.of(
                "This is a long sentence about a restaurant whose pasta was cold and whose waiter forgot us twice.",
                "Great.",
                "The battery lasts two days.",
                "I would not recommend this film to anyone who enjoys a coherent plot or believable characters.",
                "Awful.",
                "The screen cracked after a week and support never answered my emails.",
                "Loved it!");
        float[][] batch = encoder.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] single = encoder.embed(texts.get(i));
            double own = cosine(batch[i], single);
            // The int8 model quantises activations with one scale per batch tensor, padding included, so a text's
            // embedding depends a little on its batch: "Great." padded to 8 tokens has cosine 0.972 with its
            // unpadded self, in Python's onnxruntime as here. Order is what this checks: own row is the closest.
            assertTrue(own > 0.95, "text " + i + ": cosine with its own single embedding " + own);
            for (int j = 0; j < texts.size(); j++) {
                if (j != i) {
                    assertTrue(own > cosine(batch[j], single), "text " + i + " is closer to row " + j + " than to its own row");
                }
            }
        }
        // a batch of one with no padding is exactly the single-text path
        assertArrayEquals(encoder.embed(texts.get(2)), encoder.embed(List.of(texts.get(2)))[0]);
    }

    @Test
    void similarSentencesAreCloserThanUnrelatedOnes() {
        float[][] e = encoder.embed(List.of(
                "The pizza was delicious.",
                "The pizza tasted really good.",
                "My phone's battery died after an hour."));
        assertTrue(cosine(e[0], e[1]) > cosine(e[0], e[2]) + 0.2,
                "similar " + cosine(e[0], e[1]) + " vs unrelated " + cosine(e[0], e[2]));
    }

    @Test
    void emptyAndWhitespaceAreTheEmptySentence() {
        float[][] e = encoder.embed(List.of("", "   \t\n", "fine"));
        assertArrayEquals(encoder.embed(""), encoder.embed(" "));
        assertTrue(cosine(e[0], e[1]) > 0.999);
        assertEquals(1.0, Math.sqrt(cosineSelf(e[0])), 1e-5);
    }

    @Test
    void nullIsRefusedWithItsPosition() {
        List<String> texts = new ArrayList<>(List.of("a", "b"));
        texts.add(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> encoder.embed(texts));
        assertTrue(e.getMessage().contains("text 2 is null"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> encoder.embed((String) null));
        assertThrows(IllegalArgumentException.class, () -> encoder.embed((List<String>) null));
    }

    @Test
    void longTextsAreTruncatedToMaxTokensWithTheSameIdsAsAWholeTokenization() {
        int max = encoder.options().maxTokens();
        String words = "The service was slow, but the soup was excellent and cheap. ".repeat(1700); // ~100 kB
        String oneWord = "x".repeat(100_000);
        String longWords = ("y".repeat(150) + " ").repeat(650); // 100-letter+ words are one [UNK] each
        for (String text : List.of(words, oneWord, longWords)) {
            long[] ids = encoder.tokenize(new String[] {text})[0];
            long[] whole = encoder.tokenizeWithoutCut(text);
            assertArrayEquals(whole, ids);
            assertTrue(ids.length <= max);
        }
        assertEquals(max, encoder.tokenize(new String[] {words})[0].length);
        assertEquals(max, encoder.tokenize(new String[] {longWords})[0].length);
        float[] e = encoder.embed(words);
        assertEquals(384, e.length);
        assertTrue(cosine(e, encoder.embed(words.substring(0, 2000))) > 0.99, "only the first 128 tokens count");
    }

    @Test
    void brokenUtf16IsReplacedNotCrashing() {
        assertEquals("a\uFFFDb\uD83D\uDE00", SentenceEncoder.replaceUnpairedSurrogates("a\uD800b\uD83D\uDE00"));
        float[] e = encoder.embed("bad \uDC00 bytes \u0000 here");
        assertEquals(384, e.length);
        assertTrue(Float.isFinite(e[0]));
    }

    @Test
    void aClosedEncoderSaysSo() {
        SentenceEncoder other = SentenceEncoder.open(EncoderOptions.defaults().withBatchSize(1));
        assertEquals(384, other.embed("one").length);
        other.close();
        other.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.embed("two"));
        assertTrue(e.getMessage().contains("closed"));
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> EncoderOptions.defaults().withBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> EncoderOptions.defaults().withMaxTokens(513));
        assertThrows(IllegalArgumentException.class, () -> EncoderOptions.defaults().withIntraOpThreads(0));
        assertEquals(new EncoderOptions(32, 128, 1), EncoderOptions.defaults());
    }

    @Test
    void wordBoundaryCutIsOnlyForLongTexts() {
        assertEquals(-1, SentenceEncoder.wordBoundaryAfter("short text", 128));
        String text = "ab ".repeat(1000);
        int cut = SentenceEncoder.wordBoundaryAfter(text, 128);
        assertEquals(128 * 3 - 1, cut); // the space after the 128th word
        assertTrue(Arrays.stream(text.substring(0, cut).split(" ")).count() >= 128);
    }
}
