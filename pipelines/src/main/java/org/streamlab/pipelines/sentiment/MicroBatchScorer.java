package org.streamlab.pipelines.sentiment;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.streamlab.sentiment.EncoderModel;
import org.streamlab.sentiment.EncoderOptions;
import org.streamlab.sentiment.SentenceEncoder;
import org.streamlab.sentiment.SentimentHead;

/**
 * Scores reviews in micro-batches: the encoder is several times faster on a batch of similar-length texts than one
 * text at a time (it sorts each batch by length, so little padding is computed). A batch is scored when it holds
 * {@code batchSize} reviews or its first review has waited {@code maxWaitMillis}, whichever comes first.
 *
 * <p>Why an operator and not a function: the buffer is not state. It is emptied <i>before</i> every checkpoint
 * barrier is forwarded ({@link #prepareSnapshotPreBarrier}), before a watermark is forwarded, and at the end of input,
 * so every review that entered before a checkpoint has left it as a scored review: a restore neither loses nor
 * repeats one, and no watermark overtakes a buffered review.
 *
 * <p>The head comes from a {@link HeadSource}: fixed, or a registry alias checked before each batch (at most every
 * refresh interval), so a promoted version scores the next batch; each scored review carries the version.
 */
public final class MicroBatchScorer extends AbstractStreamOperator<ScoredReview>
        implements OneInputStreamOperator<Review, ScoredReview>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    /** Accumulator: reviews scored. */
    public static final String SCORED_COUNTER = "reviews.scored";
    /** Accumulator: batches scored. */
    public static final String BATCHES_COUNTER = "scoring.batches";
    /** Accumulators: batches sent because they were full, because their first review waited maxWait, or early (checkpoint, watermark, end of input). */
    public static final String FULL_BATCHES_COUNTER = "scoring.batches.full";
    public static final String TIMED_OUT_BATCHES_COUNTER = "scoring.batches.timed-out";
    public static final String EARLY_BATCHES_COUNTER = "scoring.batches.early";
    /**
     * Accumulators, milliseconds summed over the subtasks: where the scorer's thread spends its time. Loading the
     * model; tokenizing; ONNX Runtime; pooling; the head; and "downstream", the operators chained after the scorer
     * (enrichment, the alert filter, the sinks' writers, and a ClickHouse insert when its batch is full).
     */
    public static final String LOAD_MILLIS = "time.ms.load-model";
    public static final String TOKENIZE_MILLIS = "time.ms.tokenize";
    public static final String INFERENCE_MILLIS = "time.ms.onnx";
    public static final String POOL_MILLIS = "time.ms.pool";
    public static final String HEAD_MILLIS = "time.ms.head";
    public static final String DOWNSTREAM_MILLIS = "time.ms.downstream";
    /** Accumulators: when (epoch ms) the first batch started and the last batch ended, for the steady-state rate. */
    public static final String FIRST_BATCH_AT = "scoring.first-batch-at";
    public static final String LAST_BATCH_AT = "scoring.last-batch-at";

    private final HeadSource heads;
    private final EncoderOptions encoder;
    private final int batchSize;
    private final long maxWaitMillis;

    private transient SentenceEncoder sentenceEncoder;
    private transient HeadSource.Handle head;
    private transient List<Review> reviews;
    private transient List<Long> timestamps;
    private transient boolean timerPending;
    private transient LongCounter scored;
    private transient LongCounter batches;
    private transient LongCounter fullBatches;
    private transient LongCounter timedOutBatches;
    private transient LongCounter earlyBatches;
    private transient StageClock clock;

    public MicroBatchScorer(SentimentHead head, EncoderOptions encoder, int batchSize, long maxWaitMillis) {
        this(HeadSource.fixed(head), encoder, batchSize, maxWaitMillis);
    }

    public MicroBatchScorer(HeadSource heads, EncoderOptions encoder, int batchSize, long maxWaitMillis) {
        if (batchSize < 1 || maxWaitMillis < 1) {
            throw new IllegalArgumentException("batchSize and maxWaitMillis must be at least 1, got " + batchSize + " and " + maxWaitMillis);
        }
        this.heads = heads;
        this.encoder = encoder;
        this.batchSize = batchSize;
        this.maxWaitMillis = maxWaitMillis;
    }

    @Override
    public void open() throws Exception {
        super.open();
        long t0 = System.nanoTime();
        head = heads.open();
        head.head().requireCompatibleWith(EncoderModel.ALL_MINILM_L6_V2_Q); // before loading 23 MB of model
        sentenceEncoder = SentenceEncoder.open(encoder);
        reviews = new ArrayList<>(batchSize);
        timestamps = new ArrayList<>(batchSize);
        scored = getRuntimeContext().getLongCounter(SCORED_COUNTER);
        batches = getRuntimeContext().getLongCounter(BATCHES_COUNTER);
        fullBatches = getRuntimeContext().getLongCounter(FULL_BATCHES_COUNTER);
        timedOutBatches = getRuntimeContext().getLongCounter(TIMED_OUT_BATCHES_COUNTER);
        earlyBatches = getRuntimeContext().getLongCounter(EARLY_BATCHES_COUNTER);
        clock = new StageClock(getRuntimeContext());
        clock.load.add(StageClock.millisSince(t0));
    }

    @Override
    public void processElement(StreamRecord<Review> element) {
        reviews.add(element.getValue());
        timestamps.add(element.hasTimestamp() ? element.getTimestamp() : null);
        if (reviews.size() >= batchSize) {
            fullBatches.add(1);
            scoreBatch();
        } else if (!timerPending) {
            timerPending = true;
            getProcessingTimeService().registerTimer(getProcessingTimeService().getCurrentProcessingTime() + maxWaitMillis, this);
        }
    }

    @Override
    public void onProcessingTime(long time) {
        timerPending = false;
        if (!reviews.isEmpty()) {
            timedOutBatches.add(1);
        }
        scoreBatch();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        scoreEarly();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        scoreEarly();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        scoreEarly();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (sentenceEncoder != null) {
                sentenceEncoder.close();
            }
            if (head != null) {
                head.close();
            }
        } finally {
            super.close();
        }
    }

    private void scoreEarly() {
        if (reviews != null && !reviews.isEmpty()) {
            earlyBatches.add(1);
        }
        scoreBatch();
    }

    private void scoreBatch() {
        if (reviews == null || reviews.isEmpty()) {
            return;
        }
        clock.batchStarts();
        List<String> texts = new ArrayList<>(reviews.size());
        for (Review r : reviews) {
            texts.add(r.text());
        }
        float[][] embeddings = sentenceEncoder.embed(texts);
        long t0 = System.nanoTime();
        if (head.refresh()) {
            head.head().requireCompatibleWith(EncoderModel.ALL_MINILM_L6_V2_Q);
        }
        SentimentHead h = head.head();
        String model = head.model();
        long now = System.currentTimeMillis();
        double[] sentiments = new double[reviews.size()];
        for (int i = 0; i < sentiments.length; i++) {
            sentiments[i] = 2 * h.positiveProbability(embeddings[i]) - 1;
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < reviews.size(); i++) {
            ScoredReview s = new ScoredReview(reviews.get(i), sentiments[i], now, model);
            Long ts = timestamps.get(i);
            output.collect(ts == null ? new StreamRecord<>(s) : new StreamRecord<>(s, ts));
        }
        clock.batchDone(sentenceEncoder.timings(), t1 - t0, System.nanoTime() - t1);
        scored.add(reviews.size());
        batches.add(1);
        reviews.clear();
        timestamps.clear();
    }

    /** Adds each batch's stage times to the accumulators, in whole milliseconds, carrying the remainders. */
    private static final class StageClock {
        final LongCounter load;
        private final LongCounter tokenize;
        private final LongCounter inference;
        private final LongCounter pool;
        private final LongCounter head;
        private final LongCounter downstream;
        private final LongMinimum firstBatchAt = new LongMinimum();
        private final LongMaximum lastBatchAt = new LongMaximum();
        private SentenceEncoder.Timings reported = new SentenceEncoder.Timings(0, 0, 0);
        private long headNanos;
        private long downstreamNanos;

        StageClock(RuntimeContext context) {
            load = context.getLongCounter(LOAD_MILLIS);
            tokenize = context.getLongCounter(TOKENIZE_MILLIS);
            inference = context.getLongCounter(INFERENCE_MILLIS);
            pool = context.getLongCounter(POOL_MILLIS);
            head = context.getLongCounter(HEAD_MILLIS);
            downstream = context.getLongCounter(DOWNSTREAM_MILLIS);
            context.addAccumulator(FIRST_BATCH_AT, firstBatchAt);
            context.addAccumulator(LAST_BATCH_AT, lastBatchAt);
        }

        void batchStarts() {
            if (firstBatchAt.getLocalValuePrimitive() == Long.MAX_VALUE) {
                firstBatchAt.add(System.currentTimeMillis());
            }
        }

        static long millisSince(long startNanos) {
            return (System.nanoTime() - startNanos) / 1_000_000;
        }

        /** {@code encoder} is cumulative (since the encoder opened); the head and downstream times are this batch's. */
        void batchDone(SentenceEncoder.Timings encoder, long headNanosOfBatch, long downstreamNanosOfBatch) {
            addWholeMillis(tokenize, reported.tokenizeNanos(), encoder.tokenizeNanos());
            addWholeMillis(inference, reported.inferenceNanos(), encoder.inferenceNanos());
            addWholeMillis(pool, reported.poolNanos(), encoder.poolNanos());
            long headBefore = headNanos;
            long downstreamBefore = downstreamNanos;
            headNanos += headNanosOfBatch;
            downstreamNanos += downstreamNanosOfBatch;
            addWholeMillis(head, headBefore, headNanos);
            addWholeMillis(downstream, downstreamBefore, downstreamNanos);
            reported = encoder;
            lastBatchAt.add(System.currentTimeMillis());
        }

        /** Adds the whole milliseconds a running total crossed from {@code before} to {@code after} nanoseconds. */
        private static void addWholeMillis(LongCounter counter, long before, long after) {
            counter.add(after / 1_000_000 - before / 1_000_000);
        }
    }
}
