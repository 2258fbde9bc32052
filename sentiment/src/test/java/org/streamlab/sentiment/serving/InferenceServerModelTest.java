package org.streamlab.sentiment.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamlab.sentiment.SentenceEncoder;
import org.streamlab.sentiment.SentimentData;
import org.streamlab.sentiment.SentimentHead;
import org.streamlab.sentiment.SentimentModel;
import org.streamlab.sentiment.TrainingOptions;

/** The real model behind the V2 endpoint: the served scores are the model's, as FP32. */
class InferenceServerModelTest {

    @Test
    void servesTheModelsSentiment() throws Exception {
        SentimentData.Split split = SentimentData.split(SentimentData.load(Path.of("../datasets/sentiment/sentences.csv")), 0.5, 42);
        SentimentHead head;
        try (SentenceEncoder encoder = SentenceEncoder.open()) {
            head = SentimentHead.train(encoder.embed(SentimentData.texts(split.train())), SentimentData.labels(split.train()), TrainingOptions.defaults());
        }
        List<String> texts = List.of("Absolutely wonderful, I loved every minute.", "Horrible. It broke on day one and nobody helped.",
                SentimentData.texts(split.test()).get(0));
        ObjectMapper json = new ObjectMapper();
        ObjectNode request = json.createObjectNode().put("id", "model-test");
        ObjectNode input = request.putArray("inputs").addObject().put("name", "text").put("datatype", "BYTES");
        input.putArray("shape").add(texts.size());
        texts.forEach(input.putArray("data")::add);
        try (SentimentModel model = SentimentModel.open(head);
             InferenceServer server = InferenceServer.start("sentiment", model::sentiment, 0)) {
            double[] direct = model.sentiment(texts);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v2/models/sentiment/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(request))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode data = json.readTree(r.body()).at("/outputs/0/data");
            assertEquals(texts.size(), data.size());
            for (int i = 0; i < texts.size(); i++) {
                assertEquals((float) direct[i], data.get(i).floatValue(), 0f, texts.get(i));
            }
            assertTrue(data.get(0).doubleValue() > 0.5 && data.get(1).doubleValue() < -0.5, r.body());
        }
    }
}
