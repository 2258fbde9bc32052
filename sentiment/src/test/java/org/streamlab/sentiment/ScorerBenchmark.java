package org.streamlab.sentiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark harness (not a test): sentences/s of {@link SentenceEncoder}, printed as one JSON line per
 * configuration. {@code tools/bench_sentiment.py} runs it beside the Python path (HF tokenizers + onnxruntime from
 * PyPI on the very same .onnx and tokenizer.json) and prints the Java/Python ratios: use that.
 *
 * <p>Run from the repository root:
 * <pre>
 * .venv/bin/python tools/bench_sentiment.py [--sentences 3000] [--rounds 2]      # both sides, the ratio table
 *
 * # this side alone:
 * mvn -q -B -pl sentiment -am install -DskipTests
 * mvn -q -B -pl sentiment test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.cp
 * java -cp sentiment/target/test-classes:sentiment/target/classes:$(cat sentiment/target/test.cp) \
 *      org.streamlab.sentiment.ScorerBenchmark [--sentences N] [--configs 1x1,1x2,32x1,32x2] [--compare FILE]
 * java -cp ... org.streamlab.sentiment.ScorerBenchmark --extract DIR    # the model files, for the Python side
 * </pre>
 * A configuration {@code BxT} is batch size B (1: {@code embed(text)} per sentence; more: one {@code embed(list)}
 * of all sentences, length-sorted batches of B) with T ONNX Runtime intra-op threads. Each configuration warms up on
 * 100 sentences, then embeds the first N of datasets/sentiment/sentences.csv (tokenizing, inference and pooling
 * all timed). {@code --compare FILE} reads embeddings (JSON {"texts": [...], "embeddings": [[...]]}) computed by
 * Python at batch 1 and prints the largest difference from this encoder's.
 */
public final class ScorerBenchmark {

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("options are --sentences N, --configs BxT,..., --compare FILE, --extract DIR, --data CSV");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        if (options.containsKey("extract")) {
            EncoderModel.ALL_MINILM_L6_V2_Q.extractTo(Path.of(options.get("extract")));
            return;
        }
        Path data = Path.of(options.getOrDefault("data", "datasets/sentiment/sentences.csv"));
        List<String> all = SentimentData.texts(SentimentData.load(data));
        int n = Math.min(all.size(), Integer.parseInt(options.getOrDefault("sentences", "3000")));
        List<String> texts = all.subList(0, n);
        ObjectMapper json = new ObjectMapper();
        if (options.containsKey("compare")) {
            compare(json, Path.of(options.get("compare")));
        }
        for (String config : options.getOrDefault("configs", "1x1,1x2,32x1,32x2").split(",")) {
            String[] bt = config.strip().split("x");
            int batch = Integer.parseInt(bt[0]);
            int threads = Integer.parseInt(bt[1]);
            try (SentenceEncoder encoder = SentenceEncoder.open(
                    EncoderOptions.defaults().withBatchSize(batch).withIntraOpThreads(threads))) {
                embed(encoder, all.subList(all.size() - 100, all.size()), batch); // warm-up on other sentences
                long start = System.nanoTime();
                int done = embed(encoder, texts, batch);
                double seconds = (System.nanoTime() - start) / 1e9;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("side", "java");
                row.put("batch", batch);
                row.put("threads", threads);
                row.put("sentences", done);
                row.put("seconds", seconds);
                row.put("per_s", done / seconds);
                System.out.println(json.writeValueAsString(row));
            }
        }
    }

    private static int embed(SentenceEncoder encoder, List<String> texts, int batch) {
        if (batch == 1) {
            int done = 0;
            for (String text : texts) {
                done += encoder.embed(text).length > 0 ? 1 : 0;
            }
            return done;
        }
        return encoder.embed(texts).length;
    }

    private static void compare(ObjectMapper json, Path file) throws Exception {
        Map<?, ?> reference = json.readValue(file.toFile(), Map.class);
        List<?> texts = (List<?>) reference.get("texts");
        List<?> embeddings = (List<?>) reference.get("embeddings");
        double worst = 0;
        try (SentenceEncoder encoder = SentenceEncoder.open(EncoderOptions.defaults().withBatchSize(1))) {
            for (int i = 0; i < texts.size(); i++) {
                float[] mine = encoder.embed((String) texts.get(i));
                List<?> theirs = (List<?>) embeddings.get(i);
                for (int d = 0; d < mine.length; d++) {
                    worst = Math.max(worst, Math.abs(mine[d] - ((Number) theirs.get(d)).doubleValue()));
                }
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("side", "java");
        row.put("compared", texts.size());
        row.put("max_abs_difference", worst);
        System.out.println(json.writeValueAsString(row));
    }

    private ScorerBenchmark() {
    }

}
