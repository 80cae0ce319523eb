package dev.caravan.api;

import java.math.BigDecimal;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Non-stream chat completions through the real routes against the fake OpenAI-compatible upstream. */
class ChatCompletionTest extends GatewayTest {

    @Test
    void answersWithTheUpstreamAnswerTheBackendAndExactCost() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("chat", ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.headers().firstValue("X-Request-Id")).hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
        assertThat(response.headers().firstValue("X-Caravan-Backend")).contains("fake/ok");
        JsonNode body = json(response);
        assertThat(body.path("choices").get(0).path("message").path("content").asText()).isEqualTo(FakeOpenAiUpstream.CONTENT);
        assertThat(body.path("provider").asText()).isEqualTo("fake");
        assertThat(body.path("usage").path("prompt_tokens").asLong()).isEqualTo(11);
        assertThat(body.path("usage").path("completion_tokens").asLong()).isEqualTo(7);
        // 11 x $2.50/M + 7 x $10.00/M
        assertThat(body.path("usage").path("cost").decimalValue()).isEqualByComparingTo(new BigDecimal("0.0000975"));
        assertThat(body.path("usage").has("estimated")).isFalse();
    }

    @Test
    void pricesCachedPromptTokensAtTheCachedInputPrice() throws Exception {
        JsonNode body = json(post("/v1/chat/completions", chat("cached-chat", "")));

        // 5 uncached x $2.50/M + 6 cached x $1.25/M + 7 x $10.00/M
        assertThat(body.path("usage").path("cost").decimalValue()).isEqualByComparingTo(new BigDecimal("0.00009"));
        assertThat(body.path("usage").path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(6);
    }

    @Test
    void estimatesUsageWhenTheUpstreamReportsNone() throws Exception {
        JsonNode body = json(post("/v1/chat/completions", chat("no-usage-chat", "")));

        JsonNode usage = body.path("usage");
        assertThat(usage.path("estimated").asBoolean()).isTrue();
        assertThat(usage.path("completion_tokens").asLong()).isBetween(5L, 12L);
        assertThat(usage.path("prompt_tokens").asLong()).isBetween(5L, 20L);
        BigDecimal expected = BigDecimal.valueOf(usage.path("prompt_tokens").asLong())
                .add(BigDecimal.valueOf(usage.path("completion_tokens").asLong()).multiply(BigDecimal.TWO))
                .movePointLeft(6);
        assertThat(usage.path("cost").decimalValue()).isEqualByComparingTo(expected);
    }

    @Test
    void forwardsTheRequestWithTheUpstreamModelAndKeyButNotTheClientsHeaders() throws Exception {
        String body = "{\"model\":\"chat\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}]}],"
                + "\"temperature\":0.2,\"top_p\":0.9,\"stop\":[\"END\"],\"max_tokens\":50,\"max_completion_tokens\":60,"
                + "\"seed\":42,\"user\":\"user-7\",\"n\":1,\"logit_bias\":{\"50256\":-100},"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"auto\","
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answer\",\"strict\":true,"
                + "\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"]}}},"
                + "\"models\":[\"chat\"],\"route\":\"fallback\",\"provider\":{\"sort\":\"price\"}}";
        HttpResponse<String> response = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/v1/chat/completions")))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + apiKey())
                .header("X-Client-Trace", "client-header")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        FakeOpenAiUpstream.Recorded seen = UPSTREAM.lastRequestFor("ok");
        assertThat(seen.path()).isEqualTo("/v1/chat/completions");
        // the provider's key goes upstream, never the client's
        assertThat(FakeOpenAiUpstream.header(seen, "Authorization")).isEqualTo("Bearer test-upstream-key");
        assertThat(FakeOpenAiUpstream.header(seen, "OpenAI-Organization")).isEqualTo("org-test");
        assertThat(FakeOpenAiUpstream.header(seen, "X-Client-Trace")).isNull();
        JsonNode sent = seen.body();
        JsonNode original = JSON.readTree(body);
        for (String field : new String[] {"messages", "temperature", "top_p", "stop",
                "seed", "user", "n", "logit_bias", "tools", "tool_choice", "response_format"}) {
            assertThat(sent.get(field)).as(field).isEqualTo(original.get(field));
        }
        // the output limit the hold covers (the client's max_completion_tokens), in this provider's one field
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(60);
        assertThat(sent.has("max_completion_tokens")).isFalse();
        assertThat(sent.path("model").asText()).isEqualTo("ok");
        assertThat(sent.has("models")).isFalse();
        assertThat(sent.has("route")).isFalse();
        assertThat(sent.has("provider")).isFalse();
        // the client's own headers are never echoed back either
        assertThat(response.headers().firstValue("Authorization")).isEmpty();
        assertThat(response.headers().firstValue("X-Client-Trace")).isEmpty();
    }

    @Test
    void returnsToolCallsUntouched() throws Exception {
        JsonNode body = json(post("/v1/chat/completions", chat("tools-chat",
                "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]")));

        JsonNode choice = body.path("choices").get(0);
        assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode call = choice.path("message").path("tool_calls").get(0);
        assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(call.path("function").path("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
    }

    @Test
    void servesAModelNamedAsProviderSlashModel() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("fake/ok", ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Caravan-Backend")).contains("fake/ok");
    }

    @Test
    void answersFromTheBuiltInDemoProviderOverHttp() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("demo", ""));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.path("provider").asText()).isEqualTo("demo");
        assertThat(body.path("choices").get(0).path("message").path("content").asText()).contains("demo provider");
        assertThat(body.path("usage").path("cost").decimalValue()).isPositive();
    }
}
