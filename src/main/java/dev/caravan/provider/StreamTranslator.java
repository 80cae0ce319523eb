package dev.caravan.provider;

import java.util.function.Consumer;

/**
 * Turns the upstream's server-sent events into OpenAI {@code chat.completion.chunk} payloads, one
 * event at a time, in order. Stateful (one instance per stream) so that protocols spreading one
 * answer over several event kinds can be translated.
 * <p>
 * A failure the upstream reports inside the stream (an error event, a blocked prompt) is thrown as a
 * {@link dev.caravan.api.GatewayException}: the metering tap ends the stream there with the error chunk
 * ({@code finish_reason: "error"} and an {@code error} object built from it), then {@code [DONE]}.
 */
public interface StreamTranslator {

    /**
     * @param event the SSE {@code event:} name, or null
     * @param data  the joined {@code data:} lines of the event
     * @param emit  receives zero or more OpenAI chunk JSON texts, or {@code [DONE]}
     * @throws dev.caravan.api.GatewayException when the event reports a failure
     */
    void onEvent(String event, String data, Consumer<String> emit);
}
