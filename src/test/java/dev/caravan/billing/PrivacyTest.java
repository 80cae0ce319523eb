package dev.caravan.billing;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The privacy promise: a canary sent in prompts and returned in completions (plain, streamed, failed)
 * appears nowhere in the database or the logs afterwards.
 */
@ExtendWith(OutputCaptureExtension.class)
class PrivacyTest extends GatewayTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void noPromptOrCompletionContentIsStoredOrLogged(CapturedOutput output) throws Exception {
        String canary = "CANARY-" + UUID.randomUUID();
        TestAccount account = newAccount("1");
        String prompt = "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"" + canary + " please\"}]";

        HttpResponse<String> plain = post("/v1/chat/completions", prompt + "}", account.key());
        assertThat(plain.body()).contains(canary);
        HttpResponse<String> streamed = post("/v1/chat/completions", prompt + ",\"stream\":true}", account.key());
        assertThat(streamed.body()).contains(canary);
        post("/v1/chat/completions", prompt.replace("\"echo\"", "\"err-500\"") + "}", account.key());
        post("/v1/chat/completions", prompt.replace("\"echo\"", "\"no-such-model\"") + "}", account.key());
        post("/v1/chat/completions", prompt, account.key()); // malformed: the closing brace is missing
        post("/v1/chat/completions", prompt.replace("\"role\":\"user\"", "\"role\":\"" + canary + "\"") + "}", account.key());
        HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + canary).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(prompt + "}")).build(), HttpResponse.BodyHandlers.ofString());
        // the same through the other client protocols, which share the chat flow
        String responses = "{\"model\":\"echo\",\"input\":\"" + canary + " please\"";
        assertThat(post("/v1/responses", responses + "}", account.key()).body()).contains(canary);
        assertThat(post("/v1/responses", responses + ",\"stream\":true}", account.key()).body()).contains(canary);
        post("/v1/responses", responses + ",\"tools\":[{\"type\":\"" + canary + "\"}]}", account.key());
        String messages = prompt.replace("\"messages\"", "\"max_tokens\":50,\"messages\"");
        assertThat(post("/v1/messages", messages + "}", account.key()).body()).contains(canary);
        assertThat(post("/v1/messages", messages + ",\"stream\":true}", account.key()).body()).contains(canary);
        post("/v1/messages", messages.replace("\"content\":\"", "\"content\":[{\"type\":\"" + canary + "\"}],\"x\":\"") + "}",
                account.key());
        post("/v1/messages/count_tokens", messages + "}", account.key());
        HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/messages"))).header("x-api-key", canary)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(messages + "}")).build(), HttpResponse.BodyHandlers.ofString());
        awaitUsageRows(account.id(), 6);

        List<String> tables = jdbc.queryForList("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = 'public' AND table_type IN ('BASE TABLE', 'TABLE')""", String.class);
        assertThat(tables).contains("usage_records", "ledger_entries", "holds", "accounts", "api_keys");
        for (String table : tables) {
            for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM \"" + table + "\"")) {
                assertThat(row.toString()).as("a row of " + table).doesNotContain(canary);
            }
        }
        assertThat(output.getAll()).doesNotContain(canary);
    }

    private void awaitUsageRows(String accountId, int expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline && jdbc.queryForObject(
                "SELECT COUNT(*) FROM usage_records WHERE account_id = ?", Integer.class, accountId) < expected) {
            Thread.sleep(20);
        }
    }
}
