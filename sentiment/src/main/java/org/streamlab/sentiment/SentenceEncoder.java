package org.streamlab.sentiment;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sentence embeddings from a BERT-style ONNX encoder on the JVM: the Hugging Face tokenizer (Rust, through DJL's
 * JNI binding) and ONNX Runtime's own Java API, then mean pooling over the tokens and L2 normalisation, exactly as
 * sentence-transformers computes all-MiniLM-L6-v2's embeddings.
 *
 * <p>Nothing is loaded until {@link #open()}: the model (23 MB) is read from the class path then, and the
 * tokenizer's native library is extracted by DJL on first use. DJL runs offline ({@code ai.djl.offline=true} is
 * set unless the property is already set): it never fetches anything.
 *
 * <p>Input: {@code null} (the list or an element) is an {@link IllegalArgumentException}. An empty or
 * whitespace-only text is the empty sentence ([CLS] [SEP]) and gets its (valid, unit-length) embedding. A text
 * longer than {@link EncoderOptions#maxTokens()} tokens is truncated; a long text is cut at a word boundary beyond
 * its first maxTokens tokens before tokenizing, so a 100 kB text costs about as much as a short one (except a text
 * with no whitespace at all, which is tokenized whole: linear, about 0.3 s per 100 kB). Unpaired UTF-16 surrogates (text decoded from broken
 * bytes) are replaced by U+FFFD before tokenizing.
 *
 * <p>Thread safety: an encoder reuses its tensor buffers, so its methods are synchronized: calls from several
 * threads are safe but run one at a time. For parallelism open one encoder per thread (one per Flink subtask).
 */
public final class SentenceEncoder implements AutoCloseable {

    private static final String OFFLINE_PROPERTY = "ai.djl.offline";
    private static final String OUTPUT = "last_hidden_state";

    private final EncoderModel model;
    private final EncoderOptions options;
    private final HuggingFaceTokenizer tokenizer;
    private final long tokenizerHandle;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean takesTokenTypes;
    // Reused between calls: ONNX Runtime reads direct native-order buffers in place and writes the output into one.
    private final LongBuffer inputIds;
    private final LongBuffer attentionMask;
    private final LongBuffer tokenTypes;
    private final FloatBuffer hidden;
    private float[] hiddenCopy = new float[0];
    private boolean closed;
    // where embed() spends its time, summed over this encoder's life (two nanoTime calls per batch: negligible)
    private long tokenizeNanos;
    private long inferenceNanos;
    private long poolNanos;

    private SentenceEncoder(EncoderModel model, EncoderOptions options) {
        this.model = model;
        this.options = options;
        if (System.getProperty(OFFLINE_PROPERTY) == null) {
            System.setProperty(OFFLINE_PROPERTY, "true");
        }
        HuggingFaceTokenizer tok = null;
        OrtSession sess = null;
        try {
            // No padding (batches are padded here, after sorting by length); truncation to maxTokens.
            Map<String, String> config = Map.of(
                    "addSpecialTokens", "true",
                    "padding", "false",
                    "truncation", "true",
                    "maxLength", Integer.toString(options.maxTokens()));
            tok = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(model.read(model.tokenizerResource())), config);
            environment = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                so.setIntraOpNumThreads(options.intraOpThreads());
                so.setInterOpNumThreads(1);
                so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                sess = environment.createSession(model.read(model.onnxResource()), so);
            }
            takesTokenTypes = sess.getInputNames().contains("token_type_ids");
        } catch (IOException e) {
            closeQuietly(tok, sess);
            throw new UncheckedIOException("cannot load the tokenizer of " + model.id(), e);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(tok, sess);
            throw new IllegalStateException("cannot load " + model.id() + ": " + e.getMessage(), e);
        }
        this.tokenizer = tok;
        this.tokenizerHandle = tok.getHandle();
        this.session = sess;
        int cells = options.batchSize() * options.maxTokens();
        inputIds = directLongs(cells);
        attentionMask = directLongs(cells);
        tokenTypes = directLongs(cells); // stays all zeros: one segment
        hidden = ByteBuffer.allocateDirect(cells * model.dimension() * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** all-MiniLM-L6-v2 (int8 ONNX) from the class path, {@link EncoderOptions#defaults()}. */
    public static SentenceEncoder open() {
        return open(EncoderOptions.defaults());
    }

    /** all-MiniLM-L6-v2 (int8 ONNX) from the class path. */
    public static SentenceEncoder open(EncoderOptions options) {
        return open(EncoderModel.ALL_MINILM_L6_V2_Q, options);
    }

    /** Another encoder of the same shape (BERT inputs, last_hidden_state output). */
    public static SentenceEncoder open(EncoderModel model, EncoderOptions options) {
        if (model == null || options == null) {
            throw new IllegalArgumentException("model and options must not be null");
        }
        return new SentenceEncoder(model, options);
    }

    /** Width of the embeddings (384). */
    public int dimension() {
        return model.dimension();
    }

    public EncoderModel model() {
        return model;
    }

    public EncoderOptions options() {
        return options;
    }

    /**
     * Unit-length sentence embeddings, one row per text, in the order of {@code texts}. Internally the texts are
     * tokenized together, sorted by token count and run in batches of {@link EncoderOptions#batchSize()}, so a
     * batch pads only to the longest of similar lengths.
     */
    public synchronized float[][] embed(List<String> texts) {
        ensureOpen();
        if (texts == null) {
            throw new IllegalArgumentException("texts must not be null");
        }
        String[] input = new String[texts.size()];
        for (int i = 0; i < input.length; i++) {
            input[i] = clean(texts.get(i), i);
        }
        float[][] out = new float[input.length][];
        if (input.length == 0) {
            return out;
        }
        long t0 = System.nanoTime();
        long[][] ids = tokenize(input);
        tokenizeNanos += System.nanoTime() - t0;
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(ids[a].length, ids[b].length)); // stable
        int[] batch = new int[options.batchSize()];
        for (int start = 0; start < order.length; start += batch.length) {
            int n = Math.min(batch.length, order.length - start);
            for (int k = 0; k < n; k++) {
                batch[k] = order[start + k];
            }
            run(ids, batch, n, out);
        }
        return out;
    }

    /** The unit-length embedding of one text. */
    public synchronized float[] embed(String text) {
        ensureOpen();
        long t0 = System.nanoTime();
        long[][] ids = tokenize(new String[] {clean(text, 0)});
        tokenizeNanos += System.nanoTime() - t0;
        float[][] out = new float[1][];
        run(ids, new int[] {0}, 1, out);
        return out[0];
    }

    /**
     * Where this encoder's time went so far (summed since it was opened): tokenizing, ONNX Runtime's runs (padding
     * the batch included), pooling and normalising. For benchmarks and metrics.
     */
    public synchronized Timings timings() {
        return new Timings(tokenizeNanos, inferenceNanos, poolNanos);
    }

    /** Cumulative nanoseconds per stage of {@link #embed}. */
    public record Timings(long tokenizeNanos, long inferenceNanos, long poolNanos) {}

    /** Releases the ONNX Runtime session and the native tokenizer. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(tokenizer, session);
    }

    /**
     * Token ids of each text ([CLS] ... [SEP], truncated to maxTokens), through the tokenizer's batch call.
     *
     * <p>The tokenizer truncates only after tokenizing the whole text (a 100 kB text took 0.2-0.3 s), so a long text
     * is first cut at a word boundary that surely lies beyond its first maxTokens tokens; if the cut text turns out
     * not to fill maxTokens (many characters in few tokens, e.g. 100-letter words become one [UNK]), the whole
     * text is tokenized after all. Both give the same ids: BERT's pre-tokenizer never joins across whitespace.
     */
    long[][] tokenize(String[] texts) {
        String[] cut = new String[texts.length];
        boolean anyCut = false;
        for (int i = 0; i < texts.length; i++) {
            int end = wordBoundaryAfter(texts[i], options.maxTokens());
            cut[i] = end < 0 ? texts[i] : texts[i].substring(0, end);
            anyCut |= end >= 0;
        }
        long[][] ids = tokenizeWhole(cut);
        if (anyCut) {
            for (int i = 0; i < texts.length; i++) {
                if (cut[i] != texts[i] && ids[i].length < options.maxTokens()) {
                    ids[i] = tokenizeWhole(new String[] {texts[i]})[0];
                }
            }
        }
        return ids;
    }

    /**
     * The index of the first whitespace after {@code tokens} words (runs of characters between whitespace with at
     * least one character that is not a control character or a combining mark, which BERT's normaliser drops: each
     * such word yields at least one token); -1 when the text is short or has no such whitespace.
     */
    static int wordBoundaryAfter(String text, int tokens) {
        if (text.length() <= 4 * tokens) {
            return -1;
        }
        int words = 0;
        boolean counted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                if (words >= tokens) {
                    return i;
                }
                counted = false;
            } else if (!counted && !Character.isISOControl(c) && Character.getType(c) != Character.NON_SPACING_MARK
                    && Character.getType(c) != Character.FORMAT) {
                words++;
                counted = true;
            }
        }
        return -1;
    }

    private long[][] tokenizeWhole(String[] texts) {
        // Only the ids are fetched over JNI: DJL's Encoding would also copy tokens, offsets and word ids we never use.
        // One text skips the batch call, which hands the work to the tokenizer's thread pool (a wake-up per call).
        long[] handles = texts.length == 1
                ? new long[] {TokenizersLibrary.LIB.encode(tokenizerHandle, texts[0], true)}
                : TokenizersLibrary.LIB.batchEncode(tokenizerHandle, texts, true);
        long[][] ids = new long[handles.length][];
        try {
            for (int i = 0; i < handles.length; i++) {
                ids[i] = TokenizersLibrary.LIB.getTokenIds(handles[i]);
            }
        } finally {
            for (long h : handles) {
                TokenizersLibrary.LIB.deleteEncoding(h);
            }
        }
        return ids;
    }

    /** The ids of one text without the prefix cut: for tests comparing both ways. */
    long[] tokenizeWithoutCut(String text) {
        return tokenizeWhole(new String[] {clean(text, 0)})[0];
    }

    /** Runs the texts {@code batch[0..n)} as one padded batch and writes their pooled embeddings into out. */
    private void run(long[][] ids, int[] batch, int n, float[][] out) {
        int length = 0;
        for (int k = 0; k < n; k++) {
            length = Math.max(length, ids[batch[k]].length);
        }
        int cells = n * length;
        inputIds.clear();
        attentionMask.clear();
        for (int k = 0; k < n; k++) {
            long[] row = ids[batch[k]];
            inputIds.put(row);
            for (int t = 0; t < row.length; t++) {
                attentionMask.put(1L);
            }
            for (int t = row.length; t < length; t++) {
                inputIds.put(0L);
                attentionMask.put(0L);
            }
        }
        long t0 = System.nanoTime();
        long[] shape = {n, length};
        int dim = model.dimension();
        int hiddenCells = cells * dim;
        Map<String, OnnxTensor> inputs = new HashMap<>(4);
        OnnxTensor output = null;
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, inputIds.flip(), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, attentionMask.flip(), shape));
            if (takesTokenTypes) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(environment, tokenTypes.clear().limit(cells), shape));
            }
            output = OnnxTensor.createTensor(environment, hidden.clear().limit(hiddenCells), new long[] {n, length, dim});
            Map<String, OnnxValue> pinned = Map.of(OUTPUT, output);
            session.run(inputs, pinned).close(); // closing the result leaves the pinned output alone
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + n + " texts of up to " + length
                    + " tokens: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            if (output != null) {
                output.close();
            }
        }
        long t1 = System.nanoTime();
        inferenceNanos += t1 - t0;
        if (hiddenCopy.length < hiddenCells) {
            hiddenCopy = new float[hidden.capacity()];
        }
        hidden.get(0, hiddenCopy, 0, hiddenCells); // one bulk copy beats per-element reads of the direct buffer
        for (int k = 0; k < n; k++) {
            out[batch[k]] = meanPoolNormalised(hiddenCopy, k * length * dim, ids[batch[k]].length, dim);
        }
        poolNanos += System.nanoTime() - t1;
    }

    /** The mean of the first {@code tokens} token vectors (the unpadded ones) from offset, scaled to length 1. */
    static float[] meanPoolNormalised(float[] hidden, int offset, int tokens, int dim) {
        float[] sum = new float[dim];
        for (int t = 0; t < tokens; t++) {
            int base = offset + t * dim;
            for (int d = 0; d < dim; d++) {
                sum[d] += hidden[base + d];
            }
        }
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            sum[d] /= tokens;
            norm += (double) sum[d] * sum[d];
        }
        // sentence-transformers' Normalize: x / max(||x||, 1e-12)
        float scale = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
        for (int d = 0; d < dim; d++) {
            sum[d] *= scale;
        }
        return sum;
    }

    private static String clean(String text, int index) {
        if (text == null) {
            throw new IllegalArgumentException("text " + index + " is null: pass \"\" for an empty sentence");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return replaceUnpairedSurrogates(text);
            }
        }
        return text;
    }

    /** The native tokenizer needs valid UTF-16: lone surrogates (from undecodable bytes) become U+FFFD. */
    static String replaceUnpairedSurrogates(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                sb.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this SentenceEncoder is closed");
        }
    }

    private static LongBuffer directLongs(int n) {
        return ByteBuffer.allocateDirect(n * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    private static void closeQuietly(HuggingFaceTokenizer tokenizer, OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException | RuntimeException ignored) {
                // closing: nothing left to do with it
            }
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
